// A real local origin (node:http on 127.0.0.1, port 0) and a client/donor tunnel pair with an exit
// on the donor side, for the exit, tunnel-fetch and relay-client suites. Nothing here resolves a
// name or connects anywhere but the loopback servers it starts.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExit, type Exit } from '../../offscreen/exit/exit.ts';
import { type ExitFetch } from '../../offscreen/exit/exit-fetch.ts';
import { type ExitLimits } from '../../offscreen/exit/exit-limits.ts';
import { createExitPolicy, type ExitPolicy } from '../../offscreen/exit/policy/exit-policy.ts';
import { createMemoryTransportPair } from '../../offscreen/tunnel/memory-transport.fixture.ts';
import { createGuardedFetch, type GuardedFetch } from '../../offscreen/exit/guarded-fetch/node-guarded-fetch.ts';
import { createTunnel, type Tunnel, type TunnelLimits } from '../../offscreen/tunnel/tunnel.ts';

/** One request the origin saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/** A running test origin and what it observed. */
export interface TestOrigin {
  readonly origin: string;
  readonly port: number;
  readonly seen: SeenRequest[];
  /** Opens the gate the latest `/gated` request waits on between its two halves. */
  openGate(): void;
  /** Resolves when a `/hang` response's connection closes before it finished. */
  hangClosed(): Promise<void>;
  close(): Promise<void>;
}

/** Deterministic pseudo-random bytes, the same for the same size and seed. */
export function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Hex SHA-256: compare digests, never deep-equal multi-megabyte arrays (it starves the event loop). */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** First half of `/gated`; the second half follows only after `openGate()` (or 5 s). */
export const gatedFirstHalf = 'first half;';
/** Second half of `/gated`. */
export const gatedSecondHalf = 'second half.';
const gateFallbackMs = 5_000;
const binaryChunkBytes = 256 * 1024;

/**
 * Starts the test origin. Routes:
 * `/page` (HTML, x-test and set-cookie headers), `/status/<code>`, `/binary?size=<n>` (pattern bytes),
 * `/gated`, `/hang` (half a body, then nothing), `/broken` (half a body, then the socket drops), `/silent`
 * (never answers), `/many-headers` (200 headers), `/echo` (method, headers, body as JSON), `/redirect?to=<url>&status=<code>`, `/chain/<n>` (n redirects, then "end of chain").
 */
export async function startTestOrigin(): Promise<TestOrigin> {
  const seen: SeenRequest[] = [];
  // Re-armed by every `/gated` request, so each one waits for its own openGate().
  let releaseGate: () => void = () => {};
  const hangWaiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => void route(req, res));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://origin.invalid');
    seen.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const [, first, second] = url.pathname.split('/');
    switch (first) {
      case 'page':
        res.writeHead(200, 'Fine', { 'content-type': 'text/html; charset=utf-8', 'x-test': 'yes', 'set-cookie': 'session=secret' });
        res.end('<h1>Hello through a donor</h1>');
        return;
      case 'status':
        res.writeHead(Number(second), { 'content-type': 'text/plain' });
        res.end(Number(second) === 204 || Number(second) === 304 ? undefined : `status ${second}`);
        return;
      case 'binary': {
        const data = pattern(Number(url.searchParams.get('size') ?? '0'));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let offset = 0; offset < data.length; offset += binaryChunkBytes) {
          if (!res.write(data.subarray(offset, offset + binaryChunkBytes))) {
            await new Promise((resolve) => res.once('drain', resolve));
          }
        }
        res.end();
        return;
      }
      case 'gated':
        res.writeHead(200, { 'content-type': 'text/plain' });
        await Promise.race([
          new Promise<void>((resolve) => {
            releaseGate = resolve;
            res.write(gatedFirstHalf);
          }),
          new Promise((resolve) => setTimeout(resolve, gateFallbackMs)),
        ]);
        res.end(gatedSecondHalf);
        return;
      case 'hang':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(pattern(64 * 1024));
        res.on('close', () => {
          if (!res.writableFinished) for (const wake of hangWaiters.splice(0)) wake();
        });
        return;
      case 'silent':
        return;
      case 'broken':
        // Half a body, then the connection drops: the site broke off mid-transfer.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(pattern(16 * 1024), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      case 'many-headers': {
        // More headers than one RESPONSE frame holds (128).
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        for (let i = 0; i < 200; i++) headers[`x-filler-${i}`] = 'f';
        res.writeHead(200, headers).end('still here');
        return;
      }
      case 'echo':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString('utf8'), bodyBytes: body.length }));
        return;
      case 'redirect':
        res.writeHead(Number(url.searchParams.get('status') ?? '302'), { location: url.searchParams.get('to') ?? '/' });
        res.end();
        return;
      case 'chain': {
        const left = Number(second);
        if (left > 0) res.writeHead(302, { location: `/chain/${left - 1}` }).end();
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('end of chain');
        return;
      }
      default:
        res.writeHead(404).end('no such route');
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    openGate: () => releaseGate(),
    hangClosed: () => new Promise<void>((resolve) => hangWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A lookup that fails: the suites only ever reach IP literals, and no name may be resolved. */
export const noDnsLookup = async (hostname: string): Promise<never> => {
  throw new Error(`no DNS in tests (asked for ${hostname})`);
};

/** A connected client tunnel, donor tunnel and exit; `close()` tears all three down. */
export interface ExitPair {
  readonly client: Tunnel;
  readonly donor: Tunnel;
  readonly exit: Exit;
  close(): void;
}

/** The exit and tunnel settings for `createExitPair`. */
export interface ExitPairOptions {
  fetch: ExitFetch;
  policy: ExitPolicy;
  limits?: Partial<ExitLimits>;
  tunnelLimits?: Partial<TunnelLimits>;
}

/** A client tunnel connected in memory to a donor tunnel whose requests an exit serves. */
export function createExitPair(options: ExitPairOptions): ExitPair {
  const [clientEnd, donorEnd] = createMemoryTransportPair();
  const exit = createExit({ fetch: options.fetch, policy: options.policy, limits: options.limits });
  const donor = createTunnel({ transport: donorEnd, role: 'donor', limits: options.tunnelLimits, onRequest: exit.handleRequest });
  const client = createTunnel({ transport: clientEnd, role: 'client', limits: options.tunnelLimits });
  return {
    client,
    donor,
    exit,
    close() {
      exit.close();
      client.close();
      donor.close();
    },
  };
}

/** The exit policy and guarded fetch a test donor uses: only `origin` on loopback is allowed. */
export function testExitDeps(origin: string): { policy: ExitPolicy; fetch: GuardedFetch } {
  const policy = createExitPolicy({ testOrigin: origin });
  return { policy, fetch: createGuardedFetch(policy, { lookup: noDnsLookup }) };
}
