// The local chain: anvil from npm (@foundry-rs/anvil, its binary ships in the platform package),
// listening on 127.0.0.1 only, on a port the OS picks unless one is given. Its accounts come from
// anvil's well-known test mnemonic: for a local chain only, never for value.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HDNodeWallet } from 'ethers';

const require = createRequire(import.meta.url);

/** anvil's default chain id. */
export const localChainId = 31337n;
/** anvil's default mnemonic (its accounts 0–9 hold 10,000 ETH each). */
export const anvilMnemonic = 'test test test test test test test test test test test junk';
/** Private keys of anvil's first ten accounts, derived from anvilMnemonic (m/44'/60'/0'/0/i). */
export const anvilKeys = (() => {
  const root = HDNodeWallet.fromPhrase(anvilMnemonic, undefined, "m/44'/60'/0'/0");
  const key = (i: number): string => root.deriveChild(i).privateKey;
  return [key(0), key(1), key(2), key(3), key(4), key(5), key(6), key(7), key(8), key(9)] as const;
})();

export interface AnvilOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Seconds per block; by default a block per transaction. */
  blockTime?: number;
  /** Extra arguments (e.g. ['--state', file]). */
  args?: string[];
}

export interface Anvil {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Ends this anvil (and only it) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The anvil binary of this platform's package. */
export function anvilBinary(): string {
  const platform = `@foundry-rs/anvil-${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const manifest = require.resolve(`${platform}/package.json`);
  return join(dirname(manifest), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it accepts requests.
 * @throws {Error} when it exits first or does not say where it listens within 20 s.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const args = ['--host', '127.0.0.1', '--port', String(options.port ?? 0), '--chain-id', localChainId.toString(), '--mnemonic', anvilMnemonic];
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  args.push(...(options.args ?? []));
  const child: ChildProcess = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`anvil did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining: anvil logs every request
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!, // spawned: it has a pid
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
