// Node peers for integration tests and the demo: donors and clients running the same engine as
// the browser, over node-datachannel, all on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { createIdentity, type Identity } from '../../protocol/identity.ts';
import { startClient, type Client, type ClientOptions } from '../../offscreen/peers/client.ts';
import { startDonor, type Donor, type DonorOptions } from '../../offscreen/peers/donor.ts';
import { createExit, type Exit } from '../../offscreen/exit/exit.ts';
import { type ExitFetch } from '../../offscreen/exit/exit-fetch.ts';
import { createExitPolicy } from '../../offscreen/exit/policy/exit-policy.ts';
import { createGuardedFetch } from '../../offscreen/exit/guarded-fetch/node-guarded-fetch.ts';
import type { WebSocketConstructor } from '../../offscreen/peers/signaling-client.ts';
import type { TunnelLimits } from '../../offscreen/tunnel/tunnel.ts';
import { testClientPayment, testDonorPayment } from './payment-setup.ts';

/** libjuice (node-datachannel) skips loopback when gathering; bind to it explicitly. */
export const loopbackRtcConfig = { bindAddress: '127.0.0.1' };
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export interface NodeDonor {
  donor: Donor;
  exit: Exit;
  identity: Identity;
  close(): Promise<void>;
}

/** A donor in this process whose exit allows exactly `testOrigin` on loopback. */
export async function startNodeDonor(signalingUrl: string, testOrigin: string, overrides: Partial<DonorOptions> & { tunnelLimits?: Partial<TunnelLimits> } = {}): Promise<NodeDonor> {
  const identity = overrides.identity ?? createIdentity();
  const policy = createExitPolicy({ testOrigin });
  const guardedFetch = createGuardedFetch(policy);
  const exit = createExit({ fetch: guardedFetch as unknown as ExitFetch, policy });
  const donor = await startDonor({
    signalingUrl,
    identity,
    exit,
    listing: { tierMbps: 100, maxSessions: 8, pricePerMiB: '0.0001' },
    policyDigest: policy.digest(),
    WebSocketImpl: NodeWebSocket,
    rtcConfig: loopbackRtcConfig,
    payment: testDonorPayment(),
    ...overrides,
  });
  return {
    donor,
    exit,
    identity,
    async close() {
      donor.close();
      exit.close();
      await guardedFetch.close();
    },
  };
}

/** A client in this process. */
export function startNodeClient(signalingUrl: string, overrides: Partial<ClientOptions> = {}): Promise<Client> {
  return startClient({ signalingUrl, identity: createIdentity(), WebSocketImpl: NodeWebSocket, rtcConfig: loopbackRtcConfig, payment: testClientPayment(), ...overrides });
}

export interface DonorProcess {
  readonly peerId: string;
  readonly child: ChildProcess;
  /** SIGKILL: the donor vanishes without a goodbye, as a closed laptop would. */
  kill(): void;
}

/** A donor in its own process (tests/support/donor-process.ts), so a test can kill it outright. */
export async function spawnDonorProcess(signalingUrl: string, testOrigin: string): Promise<DonorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./donor-process.ts', import.meta.url).pathname], {
    env: { ...process.env, PORCHLIGHT_TEST_SIGNALING_URL: signalingUrl, PORCHLIGHT_TEST_ORIGIN: testOrigin },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! }); // stdio 'pipe' guarantees stdout
  const peerId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('donor process did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`donor process exited early (${code})`)));
    lines.on('line', (line) => {
      const match = /^ready ([0-9a-f]{64})$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return { peerId, child, kill: () => child.kill('SIGKILL') };
}
