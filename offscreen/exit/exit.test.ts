// The exit against a real loopback origin, through an in-memory tunnel, with the Node guarded fetch
// and a policy whose only allowed loopback origin is the test server. Non-loopback targets must be
// refused before any socket exists (and the namespace has no route to them anyway).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, maxHeadBytes, maxHeaderCount } from '../../protocol/frame-types.ts';
import { createExit } from './exit.ts';
import { type ExitFetch, type ExitFetchInit } from './exit-fetch.ts';
import { ExitCapReached, type ExitMeter } from './exit-meter.ts';
import { createExitPolicy } from './policy/exit-policy.ts';
import type { GuardedFetch } from './guarded-fetch/node-guarded-fetch.ts';
import type { RequestHead, Tunnel } from '../tunnel/tunnel.ts';
import { TunnelError } from '../tunnel/tunnel-error.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { createTunnel } from '../tunnel/tunnel.ts';
import {
  createExitPair,
  gatedFirstHalf,
  gatedSecondHalf,
  pattern,
  sha256Hex,
  startTestOrigin,
  testExitDeps,
  type ExitPair,
  type TestOrigin,
} from '../../tests/support/exit-harness.ts';
import { readAll, readRestAsText } from '../../tests/support/streams.ts';

let origin: TestOrigin;
let guarded: GuardedFetch;
let pair: ExitPair;
let policy: ReturnType<typeof createExitPolicy>;

beforeAll(async () => {
  origin = await startTestOrigin();
  ({ policy, fetch: guarded } = testExitDeps(origin.origin));
});
afterAll(async () => {
  await guarded.close();
  await origin.close();
});
afterEach(() => pair?.close());

function connect(options: Partial<Parameters<typeof createExitPair>[0]> = {}): ExitPair {
  pair = createExitPair({ fetch: guarded, policy, ...options });
  return pair;
}

/** Sends a request over a raw stream; resolves with the response head and stream. */
async function send(client: Tunnel, head: Partial<RequestHead> & { url: string }, body?: Uint8Array) {
  const stream = client.open({ method: 'GET', headers: [], ...head });
  if (body) await stream.write(body).catch(() => {});
  stream.end();
  const response = await stream.response;
  return { response, stream, text: async () => new TextDecoder().decode(await readAll(stream.readable)) };
}

/** The TunnelError a request fails with, before or after its head. */
async function failure(promise: Promise<unknown>): Promise<TunnelError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TunnelError);
  return error as TunnelError; // asserted just above
}

const text = new TextEncoder();

describe('exit: serving', () => {
  it('fetches a page and forwards status, status text and headers, minus cookies', async () => {
    const { client, exit } = connect();
    const { response, text: body } = await send(client, { url: `${origin.origin}/page`, headers: [['accept', 'text/html'], ['cookie', 'leak=1']] });
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('Fine');
    expect(response.url).toBe(`${origin.origin}/page`);
    expect(response.redirected).toBe(false);
    const names = response.headers.map(([name]) => name.toLowerCase());
    expect(names).toContain('x-test');
    expect(names).not.toContain('set-cookie');
    expect(await body()).toBe('<h1>Hello through a donor</h1>');
    const seen = origin.seen.at(-1);
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers.accept).toBe('text/html');
    expect(exit.stats()).toMatchObject({ requests: 1, completed: 1, failed: 0 });
    expect(exit.stats().bytesServed).toBe('<h1>Hello through a donor</h1>'.length);
  });

  it('passes 404 and 500 through as responses, not errors', async () => {
    const { client } = connect();
    for (const status of [404, 500]) {
      const { response, text: body } = await send(client, { url: `${origin.origin}/status/${status}` });
      expect(response.status).toBe(status);
      expect(await body()).toBe(`status ${status}`);
    }
  });

  it('ends null-body responses (204, HEAD) without a body', async () => {
    const { client } = connect();
    const noContent = await send(client, { url: `${origin.origin}/status/204` });
    expect(noContent.response.status).toBe(204);
    expect(await noContent.text()).toBe('');
    const head = await send(client, { method: 'HEAD', url: `${origin.origin}/page` });
    expect(head.response.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('carries 20 MiB byte-exact', async () => {
    const { client, exit } = connect();
    const size = 20 * 1024 * 1024;
    const { response, stream } = await send(client, { url: `${origin.origin}/binary?size=${size}` });
    expect(response.status).toBe(200);
    expect(sha256Hex(await readAll(stream.readable))).toBe(sha256Hex(pattern(size)));
    expect(exit.stats().bytesServed).toBe(size);
  });

  it('streams: the first bytes reach the client before the site has finished', async () => {
    const { client } = connect();
    const { stream } = await send(client, { url: `${origin.origin}/gated` });
    const reader = stream.readable.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(gatedFirstHalf);
    origin.openGate();
    expect(await readRestAsText(reader)).toBe(gatedSecondHalf);
  });

  it('sends a POST body and the sanitized headers to the site', async () => {
    const { client } = connect();
    const { response, text: body } = await send(
      client,
      { method: 'POST', url: `${origin.origin}/echo`, headers: [['content-type', 'text/plain'], ['x-forwarded-for', '10.1.2.3']] },
      text.encode('hello, site'),
    );
    expect(response.status).toBe(200);
    const echoed = JSON.parse(await body()) as { method: string; body: string; headers: Record<string, string> };
    expect(echoed.method).toBe('POST');
    expect(echoed.body).toBe('hello, site');
    expect(echoed.headers['content-type']).toBe('text/plain');
    expect(echoed.headers['x-forwarded-for']).toBeUndefined();
  });
});

describe('exit: refusals', () => {
  it('refuses a request body over the cap with BODY_TOO_LARGE, before any fetch', async () => {
    const { client, exit } = connect({ limits: { maxRequestBodyBytes: 1024 } });
    const before = origin.seen.length;
    const error = await failure(send(client, { method: 'POST', url: `${origin.origin}/echo` }, new Uint8Array(4096)));
    expect(error.code).toBe(ErrorCode.BODY_TOO_LARGE);
    expect(error.message).toMatch(/larger than the 1 KiB this donor accepts/);
    expect(origin.seen.length).toBe(before);
    expect(exit.stats().refused['request-body-too-large']).toBe(1);
  });

  it.each([
    ['a private address', 'http://10.0.0.1/', 'address-not-public'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data', 'address-not-public'],
    ['another loopback port', 'http://127.0.0.1:9/', 'port-not-allowed'],
    ['a non-web scheme', 'file:///etc/passwd', 'scheme-not-allowed'],
  ])('refuses %s with POLICY_DENIED and the policy code', async (_, url, code) => {
    const { client, exit } = connect();
    const error = await failure(send(client, { url }));
    expect(error.code).toBe(ErrorCode.POLICY_DENIED);
    expect(error.reason).toBe(code);
    expect(exit.stats().refused[code as 'address-not-public']).toBe(1);
  });

  it('queues past maxConcurrentFetches and serves the queue as slots free', async () => {
    const { client } = connect({ limits: { maxConcurrentFetches: 1, maxQueuedRequests: 1 } });
    const first = await send(client, { url: `${origin.origin}/hang` });
    const queued = send(client, { url: `${origin.origin}/page` });
    await first.stream.readable.cancel();
    expect((await queued).response.status).toBe(200);
  });

  it('refuses beyond maxConcurrentFetches plus the queue with RATE_LIMITED', async () => {
    const { client, exit } = connect({ limits: { maxConcurrentFetches: 1, maxQueuedRequests: 0 } });
    const first = await send(client, { url: `${origin.origin}/hang` });
    const error = await failure(send(client, { url: `${origin.origin}/page` }));
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.message).toBe('The donor is busy; try again.');
    await first.stream.readable.cancel();
    await expect.poll(() => exit.stats().active).toBe(0);
    await expect(send(client, { url: `${origin.origin}/page` })).resolves.toBeTruthy();
    expect(exit.stats().refused['exit-busy']).toBe(1);
  });
});

describe('exit: redirects (manual mode, every hop checked)', () => {
  it('follows a chain on the allowed origin and reports the final URL', async () => {
    const { client } = connect();
    const { response, text: body } = await send(client, { url: `${origin.origin}/chain/3` });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${origin.origin}/chain/0`);
    expect(response.redirected).toBe(true);
    expect(await body()).toBe('end of chain');
  });

  it('gives up after maxRedirects', async () => {
    const { client } = connect({ limits: { maxRedirects: 2 } });
    const error = await failure(send(client, { url: `${origin.origin}/chain/5` }));
    expect(error.code).toBe(ErrorCode.UPSTREAM_FAILED);
    expect(error.reason).toBe('too-many-redirects');
  });

  it('turns a 303 after POST into a bodiless GET', async () => {
    const { client } = connect();
    const to = encodeURIComponent('/echo');
    const { response, text: body } = await send(
      client,
      { method: 'POST', url: `${origin.origin}/redirect?status=303&to=${to}`, headers: [['content-type', 'text/plain']] },
      text.encode('form data'),
    );
    expect(response.status).toBe(200);
    const echoed = JSON.parse(await body()) as { method: string; bodyBytes: number; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'GET', bodyBytes: 0 });
    expect(echoed.headers['content-type']).toBeUndefined();
  });

  it('keeps method and body on a 307', async () => {
    const { client } = connect();
    const to = encodeURIComponent('/echo');
    const { text: body } = await send(client, { method: 'PUT', url: `${origin.origin}/redirect?status=307&to=${to}` }, text.encode('kept'));
    expect(JSON.parse(await body())).toMatchObject({ method: 'PUT', body: 'kept' });
  });

  it.each([
    ['a private address', () => 'http://10.0.0.1/', 'address-not-public'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data', 'address-not-public'],
    // The port is outside 80/443 once the host is not the test origin, so that rule speaks first.
    ['localhost on the same port', () => `http://localhost:${origin.port}/page`, 'port-not-allowed'],
    ['localhost on port 80', () => 'http://localhost/page', 'hostname-not-public'],
  ])('refuses a redirect to %s before connecting', async (_, target, code) => {
    const { client } = connect();
    const before = origin.seen.length;
    const error = await failure(send(client, { url: `${origin.origin}/redirect?to=${encodeURIComponent(target())}` }));
    expect(error.code).toBe(ErrorCode.POLICY_DENIED);
    expect(error.reason).toBe(code);
    // Only the redirecting request reached the origin; "localhost" would have been this same server.
    expect(origin.seen.length).toBe(before + 1);
  });

  it('refuses a redirect to another loopback port without connecting to it', async () => {
    let connections = 0;
    const other = createServer((_, res) => res.end('must not be reached'));
    other.on('connection', () => connections++);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo; // TCP listener
    try {
      const { client } = connect();
      const error = await failure(send(client, { url: `${origin.origin}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port}/`)}` }));
      expect(error.code).toBe(ErrorCode.POLICY_DENIED);
      expect(error.reason).toBe('port-not-allowed');
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('exit: failures and cancels', () => {
  it('reports an unreachable site as UPSTREAM_FAILED with words for a person', async () => {
    // Allow a closed port as the test origin, so the policy lets it through and the connect fails.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo; // TCP listener
    await new Promise((resolve) => closed.close(resolve));
    const deps = testExitDeps(`http://127.0.0.1:${port}`);
    try {
      const { client, exit } = connect(deps);
      const error = await failure(send(client, { url: `http://127.0.0.1:${port}/` }));
      expect(error.code).toBe(ErrorCode.UPSTREAM_FAILED);
      expect(error.message).toBe('The site could not be reached from the donor: the site refused the connection.');
      expect(exit.stats().failed).toBe(1);
    } finally {
      await deps.fetch.close();
    }
  });

  it('resets with UPSTREAM_FAILED when the site breaks off mid-body', async () => {
    const { client, exit } = connect();
    const { response, stream } = await send(client, { url: `${origin.origin}/broken` });
    expect(response.status).toBe(200);
    const error = await failure(readAll(stream.readable));
    expect(error.code).toBe(ErrorCode.UPSTREAM_FAILED);
    expect(error.reason).toBe('upstream-broke-off');
    expect(error.message).toMatch(/^The site's connection broke off during the transfer/);
    expect(exit.stats()).toMatchObject({ failed: 1, cancelled: 0 });
  });

  it('trims a response head with more headers than a frame holds instead of failing', async () => {
    const { client } = connect();
    const { response, text: body } = await send(client, { url: `${origin.origin}/many-headers` });
    expect(response.status).toBe(200);
    expect(response.headers).toHaveLength(maxHeaderCount);
    expect(await body()).toBe('still here');
  });

  it('trims a response head with more header bytes than a frame holds (browsers allow 256 KiB)', async () => {
    const big: ExitFetch = async () => {
      const headers = new Headers();
      for (let i = 0; i < 100; i++) headers.append(`x-filler-${i}`, 'f'.repeat(1024));
      return new Response('still here', { status: 200, headers });
    };
    const { client } = connect({ fetch: big });
    const { response, text: body } = await send(client, { url: `${origin.origin}/anything` });
    const bytes = response.headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
    expect(bytes).toBeLessThanOrEqual(maxHeadBytes);
    expect(response.headers.length).toBeGreaterThan(20);
    expect(await body()).toBe('still here');
  });

  it('times out a site that never answers', async () => {
    const { client } = connect({ limits: { responseHeadersTimeoutMs: 200 } });
    const error = await failure(send(client, { url: `${origin.origin}/silent` }));
    expect(error.code).toBe(ErrorCode.UPSTREAM_FAILED);
    expect(error.reason).toBe('upstream-timeout');
    expect(pair.exit.stats()).toMatchObject({ failed: 1, cancelled: 0 });
  });

  it('refuses a client whose request body stalls', async () => {
    const { client, exit } = connect({ limits: { requestBodyTimeoutMs: 100 } });
    const stream = client.open({ method: 'POST', url: `${origin.origin}/echo`, headers: [] });
    await stream.write(text.encode('half a body'));
    const error = await failure(stream.response);
    expect(error.code).toBe(ErrorCode.TIMEOUT);
    expect(error.reason).toBe('request-body-timeout');
    expect(exit.stats()).toMatchObject({ cancelled: 0, failed: 0, refused: { 'request-body-timeout': 1 } });
  });

  it('aborts the site request when the client cancels mid-body, and counts it as a cancel', async () => {
    const { client, exit } = connect();
    const closedAtOrigin = origin.hangClosed();
    const { stream } = await send(client, { url: `${origin.origin}/hang` });
    const reader = stream.readable.getReader();
    await reader.read();
    await reader.cancel();
    await closedAtOrigin;
    await expect.poll(() => exit.stats().cancelled).toBe(1);
    expect(exit.stats()).toMatchObject({ failed: 0, active: 0 });
  });

  it('aborts the site request when the donor stops sharing', async () => {
    const { client, exit } = connect();
    const closedAtOrigin = origin.hangClosed();
    const { stream } = await send(client, { url: `${origin.origin}/hang` });
    exit.close();
    await closedAtOrigin;
    const error = await failure(readAll(stream.readable));
    expect(error.reason).toBe('exit-closed');
    const late = await failure(send(client, { url: `${origin.origin}/page` }));
    expect(late.code).toBe(ErrorCode.REFUSED_STREAM);
  });

  it('passes the fetch options a donor must use', async () => {
    const inits: ExitFetchInit[] = [];
    const recording: ExitFetch = async (url, init) => {
      inits.push(init);
      return new Response('ok', { status: 200 });
    };
    const [a, b] = createMemoryTransportPair();
    const exit = createExit({ fetch: recording, policy });
    const donor = createTunnel({ transport: b, role: 'donor', onRequest: exit.handleRequest });
    const client = createTunnel({ transport: a, role: 'client' });
    try {
      const { text: body } = await send(client, { url: `${origin.origin}/anything` });
      expect(await body()).toBe('ok');
      expect(inits[0]).toMatchObject({ method: 'GET', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', redirect: 'manual', body: null });
      expect(inits[0]?.signal).toBeInstanceOf(AbortSignal);
    } finally {
      client.close();
      donor.close();
    }
  });
  it('meters response bytes per client and stops at the donor\'s cap', async () => {
    const chunk = new Uint8Array(16 * 1024);
    const chunks = 64;
    const big: ExitFetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
            controller.close();
          },
        }),
      );
    const capBytes = 100 * 1024;
    const taken = new Map<string, number>();
    const meter: ExitMeter = {
      take(client, bytes) {
        const used = taken.get(client) ?? 0;
        if (used >= capBytes) throw new ExitCapReached();
        taken.set(client, used + bytes);
      },
    };
    const [a, b] = createMemoryTransportPair();
    const exit = createExit({ fetch: big, policy, meter });
    const donor = createTunnel({ transport: b, role: 'donor', onRequest: (stream, head) => exit.handleRequest(stream, head, 'client-1') });
    const client = createTunnel({ transport: a, role: 'client' });
    try {
      const { stream } = await send(client, { url: `${origin.origin}/big` });
      const error = await failure(readAll(stream.readable));
      expect(error.code).toBe(ErrorCode.RATE_LIMITED);
      expect(error.reason).toBe('donor-cap-reached');
      expect(taken.get('client-1')).toBeGreaterThanOrEqual(capBytes);
      expect(taken.get('client-1')).toBeLessThan(capBytes + chunk.length + 1);
      expect(exit.stats().bytesServed).toBe(taken.get('client-1'));
    } finally {
      client.close();
      donor.close();
    }
  });
});
