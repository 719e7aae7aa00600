// tunnelFetch end to end: a standard Request in, a standard Response out, with a real loopback
// origin behind an exit (guarded Node fetch, policy allowing only that origin).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { createMemoryTransportPair } from './memory-transport.fixture.ts';
import type { GuardedFetch } from '../exit/guarded-fetch/node-guarded-fetch.ts';
import { createTunnel, type IncomingStream, type RequestHead, type Tunnel } from './tunnel.ts';
import { TunnelFetchError, tunnelFetch } from './tunnel-fetch.ts';
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
import { readRestAsText, readUntilError } from '../../tests/support/streams.ts';

let origin: TestOrigin;
let deps: ReturnType<typeof testExitDeps>;
let pair: ExitPair;

beforeAll(async () => {
  origin = await startTestOrigin();
  deps = testExitDeps(origin.origin);
});
afterAll(async () => {
  await deps.fetch.close();
  await origin.close();
});
beforeEach(() => {
  pair = createExitPair(deps);
});
afterEach(() => pair.close());

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** A client tunnel whose donor answers every request with `handler` (no exit, no origin). */
function scriptedDonor(handler: (stream: IncomingStream, head: RequestHead) => void): { client: Tunnel; donor: Tunnel; close(): void } {
  const [a, b] = createMemoryTransportPair();
  const donor = createTunnel({ transport: b, role: 'donor', onRequest: handler });
  const client = createTunnel({ transport: a, role: 'client' });
  return { client, donor, close: () => (client.close(), donor.close()) };
}

describe('tunnelFetch: responses', () => {
  it('returns a standard Response with status, headers, url and body', async () => {
    const response = await tunnelFetch(pair.client, `${origin.origin}/page`, { headers: { accept: 'text/html' } });
    expect(response).toBeInstanceOf(Response);
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('Fine');
    expect(response.headers.get('x-test')).toBe('yes');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.has('set-cookie')).toBe(false);
    expect(response.url).toBe(`${origin.origin}/page`);
    expect(response.redirected).toBe(false);
    expect(await response.text()).toBe('<h1>Hello through a donor</h1>');
    expect(origin.seen.at(-1)?.headers.accept).toBe('text/html');
  });

  it('passes 404 and 500 through as responses', async () => {
    const missing = await tunnelFetch(pair.client, `${origin.origin}/status/404`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('status 404');
    const broken = await tunnelFetch(pair.client, new URL(`${origin.origin}/status/500`));
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe('status 500');
  });

  it('gives 204 and HEAD a null body', async () => {
    const empty = await tunnelFetch(pair.client, `${origin.origin}/status/204`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const head = await tunnelFetch(pair.client, `${origin.origin}/page`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    // The streams were released: later requests still work.
    expect(await (await tunnelFetch(pair.client, `${origin.origin}/page`)).text()).toContain('Hello');
    await expect.poll(() => pair.client.stats().openStreams).toBe(0);
  });

  it('reports the final URL and `redirected` after a redirect chain', async () => {
    const response = await tunnelFetch(pair.client, `${origin.origin}/chain/2`);
    expect(response.url).toBe(`${origin.origin}/chain/0`);
    expect(response.redirected).toBe(true);
    expect(await response.text()).toBe('end of chain');
  });

  it('carries a 20 MiB download byte-exact', async () => {
    const size = 20 * 1024 * 1024;
    const response = await tunnelFetch(pair.client, `${origin.origin}/binary?size=${size}`);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.length).toBe(size);
    expect(sha256Hex(body)).toBe(sha256Hex(pattern(size)));
  });

  it('streams: the first bytes arrive before the site has finished sending', async () => {
    const response = await tunnelFetch(pair.client, `${origin.origin}/gated`);
    // Response body readers are typed loosely across platforms; this one yields Uint8Array.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(gatedFirstHalf);
    origin.openGate();
    expect(await readRestAsText(reader)).toBe(gatedSecondHalf);
  });

  it('drops response headers and status text this platform cannot represent instead of failing', async () => {
    const scripted = scriptedDonor((stream, head) => {
      stream.respond({ status: 200, statusText: 'Großartig ✓', url: head.url, redirected: false, headers: [['x-fine', 'yes']] });
      stream.end();
    });
    try {
      const response = await tunnelFetch(scripted.client, 'https://site.example/');
      expect(response.statusText).toBe('');
      expect(response.headers.get('x-fine')).toBe('yes');
    } finally {
      scripted.close();
    }
  });
});

describe('tunnelFetch: request bodies', () => {
  it('sends a POST body', async () => {
    const response = await tunnelFetch(pair.client, `${origin.origin}/echo`, { method: 'POST', body: 'hello, site', headers: { 'content-type': 'text/plain' } });
    expect(await response.json()).toMatchObject({ method: 'POST', body: 'hello, site', headers: { 'content-type': 'text/plain' } });
  });

  it('streams a request body from a ReadableStream', async () => {
    const parts = ['one ', 'two ', 'three'];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await tunnelFetch(pair.client, `${origin.origin}/echo`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(await response.json()).toMatchObject({ method: 'PUT', body: 'one two three' });
  });

  it('rejects a body over the donor cap with BODY_TOO_LARGE', async () => {
    pair.close();
    pair = createExitPair({ ...deps, limits: { maxRequestBodyBytes: 64 * 1024 } });
    const error = await rejection(tunnelFetch(pair.client, `${origin.origin}/echo`, { method: 'POST', body: new Uint8Array(1024 * 1024) }));
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: ErrorCode.BODY_TOO_LARGE, linkFailed: false });
    expect((error as Error).message).toMatch(/larger than the 64 KiB this donor accepts/);
  });
});

describe('tunnelFetch: refusals and failures', () => {
  it.each([
    ['a private address', 'http://10.0.0.1/', 'address-not-public'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data', 'address-not-public'],
  ])('rejects %s with a policy TunnelFetchError', async (_, url, reason) => {
    const error = await rejection(tunnelFetch(pair.client, url));
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toMatchObject({ code: ErrorCode.POLICY_DENIED, reason, linkFailed: false });
    expect((error as Error).message).toMatch(/^The donor refused this address: The donor only fetches public internet addresses/);
  });

  it('rejects a redirect to a private address with POLICY_DENIED', async () => {
    const error = await rejection(tunnelFetch(pair.client, `${origin.origin}/redirect?to=${encodeURIComponent('http://10.0.0.1/')}`));
    expect(error).toMatchObject({ code: ErrorCode.POLICY_DENIED, reason: 'address-not-public' });
  });

  it('rejects with UPSTREAM_FAILED when the site cannot be reached', async () => {
    // A port that was just free: the policy allows it as the test origin, the connect is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo; // TCP listener
    await new Promise((resolve) => closed.close(resolve));
    pair.close();
    const unreachable = testExitDeps(`http://127.0.0.1:${port}`);
    pair = createExitPair(unreachable);
    try {
      const error = await rejection(tunnelFetch(pair.client, `http://127.0.0.1:${port}/`));
      expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_FAILED, linkFailed: false });
      expect((error as Error).message).toBe('The site could not be reached from the donor: the site refused the connection.');
    } finally {
      await unreachable.fetch.close();
    }
  });

  it('rejects with linkFailed when the tunnel is already closed', async () => {
    pair.donor.close();
    await pair.client.closed;
    const error = await rejection(tunnelFetch(pair.client, `${origin.origin}/page`));
    expect(error).toMatchObject({ linkFailed: true });
    expect((error as Error).message).toMatch(/Retry to use another donor/);
  });

  it('errors the body with a linkFailed TunnelFetchError when the donor goes offline mid-body', async () => {
    const response = await tunnelFetch(pair.client, `${origin.origin}/hang`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    pair.donor.close();
    const error = await readUntilError(reader);
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toMatchObject({ linkFailed: true });
    expect((error as Error).message).toMatch(/^The donor went offline during the transfer \(64 KiB received\)\. Retry to use another donor\.$/);
  });
});

describe('tunnelFetch: aborts', () => {
  it('rejects at once with the AbortError of an already aborted signal, sending nothing', async () => {
    const before = origin.seen.length;
    const error = await rejection(tunnelFetch(pair.client, `${origin.origin}/page`, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(pair.client.stats().framesSent).toBe(0);
    expect(origin.seen.length).toBe(before);
  });

  it('rejects with the AbortError when aborted before the response head', async () => {
    const controller = new AbortController();
    const pending = tunnelFetch(pair.client, `${origin.origin}/silent`, { signal: controller.signal });
    await expect.poll(() => origin.seen.at(-1)?.path).toBe('/silent');
    controller.abort();
    const error = await rejection(pending);
    expect((error as DOMException).name).toBe('AbortError');
    await expect.poll(() => pair.exit.stats().cancelled).toBe(1);
  });

  it('aborting mid-body errors the body with the AbortError and aborts the site request', async () => {
    const controller = new AbortController();
    const closedAtOrigin = origin.hangClosed();
    const response = await tunnelFetch(pair.client, new Request(`${origin.origin}/hang`, { signal: controller.signal }));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    const error = await rejection(reader.read());
    expect((error as DOMException).name).toBe('AbortError');
    await closedAtOrigin;
    await expect.poll(() => pair.exit.stats().cancelled).toBe(1);
    expect(pair.exit.stats().failed).toBe(0);
  });
});
