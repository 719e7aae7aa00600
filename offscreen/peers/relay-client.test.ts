// The relay client over several in-memory donors: live ones run an exit in front of a real loopback
// origin; dead ones lose their link the moment a request arrives, before any RESPONSE head.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { DonorLostError, createRelayClient, type DonorLink } from './relay-client.ts';
import { createTunnel, type Tunnel } from '../tunnel/tunnel.ts';
import { TunnelFetchError } from '../tunnel/tunnel-fetch.ts';
import { createExitPair, startTestOrigin, testExitDeps, type ExitPair, type TestOrigin } from '../../tests/support/exit-harness.ts';

let origin: TestOrigin;
let deps: ReturnType<typeof testExitDeps>;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  origin = await startTestOrigin();
  deps = testExitDeps(origin.origin);
});
afterAll(async () => {
  await deps.fetch.close();
  await origin.close();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface DonorSpec {
  readonly peerId: string;
  /** Requests that reached this donor, over all its connections. */
  readonly requests: number;
  /** The exit pairs made for this donor, newest last (live donors only). */
  readonly pairs: ExitPair[];
  link(): DonorLink;
}

/** A donor that serves requests through an exit. */
function liveDonor(peerId: string): DonorSpec {
  const pairs: ExitPair[] = [];
  return {
    peerId,
    pairs,
    get requests() {
      return pairs.reduce((sum, pair) => sum + pair.exit.stats().requests, 0);
    },
    link() {
      const pair = createExitPair(deps);
      pairs.push(pair);
      cleanups.push(() => pair.close());
      return { peerId, tunnel: pair.client };
    },
  };
}

/** A donor whose link dies (no GOAWAY, like a crashed browser) as soon as a request arrives. */
function deadDonor(peerId: string): DonorSpec {
  let requests = 0;
  return {
    peerId,
    pairs: [],
    get requests() {
      return requests;
    },
    link() {
      const [clientEnd, donorEnd] = createMemoryTransportPair();
      const donor = createTunnel({
        transport: donorEnd,
        role: 'donor',
        onRequest: () => {
          requests++;
          donorEnd.close();
        },
      });
      const client: Tunnel = createTunnel({ transport: clientEnd, role: 'client' });
      cleanups.push(() => (client.close(), donor.close()));
      return { peerId, tunnel: client };
    },
  };
}

/** A connect() over `donors` in order, recording each call's exclude list. */
function directory(...donors: DonorSpec[]) {
  const calls: string[][] = [];
  const connect = async (exclude: string[]): Promise<DonorLink> => {
    calls.push(exclude);
    const donor = donors.find((d) => !exclude.includes(d.peerId));
    if (!donor) throw new Error('no donor available');
    return donor.link();
  };
  return { calls, connect };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('relay client', () => {
  it('is sticky: requests reuse the current donor', async () => {
    const a = liveDonor('a');
    const b = liveDonor('b');
    const { calls, connect } = directory(a, b);
    const relay = createRelayClient({ connect });
    for (let i = 0; i < 3; i++) expect(await (await relay.fetch(`${origin.origin}/page`)).text()).toContain('Hello');
    expect(calls).toEqual([[]]);
    expect(a.requests).toBe(3);
    expect(b.requests).toBe(0);
    expect(relay.currentPeerId).toBe('a');
    relay.close();
  });

  it('shares one connection between requests that start together', async () => {
    const { calls, connect } = directory(liveDonor('a'));
    const relay = createRelayClient({ connect });
    const responses = await Promise.all([1, 2, 3].map(() => relay.fetch(`${origin.origin}/page`)));
    await Promise.all(responses.map((r) => r.text()));
    expect(calls).toEqual([[]]);
    relay.close();
  });

  it('connects anew when the current tunnel has closed', async () => {
    const a = liveDonor('a');
    const { calls, connect } = directory(a);
    const relay = createRelayClient({ connect });
    await (await relay.fetch(`${origin.origin}/page`)).text();
    a.pairs[0]?.client.close();
    await (await relay.fetch(`${origin.origin}/page`)).text();
    expect(calls).toEqual([[], []]);
    expect(a.pairs).toHaveLength(2);
    relay.close();
  });

  it('retries a GET on another donor when the link dies before the response head', async () => {
    const dead = deadDonor('dead');
    const live = liveDonor('live');
    const { calls, connect } = directory(dead, live);
    const relay = createRelayClient({ connect });
    const response = await relay.fetch(`${origin.origin}/page`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Hello');
    expect(calls).toEqual([[], ['dead']]);
    expect(dead.requests).toBe(1);
    expect(relay.currentPeerId).toBe('live');
    // Sticky on the donor that worked.
    await (await relay.fetch(`${origin.origin}/page`)).text();
    expect(calls).toHaveLength(2);
    relay.close();
  });

  it('gives up after maxAttempts donors, with the link failure', async () => {
    const { calls, connect } = directory(deadDonor('d1'), deadDonor('d2'), deadDonor('d3'), liveDonor('live'));
    const relay = createRelayClient({ connect, maxAttempts: 3 });
    const error = await rejection(relay.fetch(`${origin.origin}/page`));
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toMatchObject({ linkFailed: true });
    expect(calls).toEqual([[], ['d1'], ['d1', 'd2']]);
    relay.close();
  });

  it('does not retry a POST: it may already have been sent', async () => {
    const dead = deadDonor('dead');
    const live = liveDonor('live');
    const { calls, connect } = directory(dead, live);
    const relay = createRelayClient({ connect });
    const error = await rejection(relay.fetch(`${origin.origin}/echo`, { method: 'POST', body: 'once only' }));
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toMatchObject({ linkFailed: true });
    expect(calls).toEqual([[]]);
    expect(live.requests).toBe(0);
    relay.close();
  });

  it('does not retry a policy refusal, and keeps the donor', async () => {
    const a = liveDonor('a');
    const b = liveDonor('b');
    const { calls, connect } = directory(a, b);
    const relay = createRelayClient({ connect });
    const error = await rejection(relay.fetch('http://10.0.0.1/'));
    expect(error).toMatchObject({ code: ErrorCode.POLICY_DENIED, reason: 'address-not-public', linkFailed: false });
    expect(calls).toEqual([[]]);
    expect(b.requests).toBe(0);
    expect(relay.currentPeerId).toBe('a');
    relay.close();
  });

  it('surfaces a link failure after the response head to the body reader, without retrying', async () => {
    const a = liveDonor('a');
    const { calls, connect } = directory(a, liveDonor('b'));
    const relay = createRelayClient({ connect });
    const response = await relay.fetch(`${origin.origin}/hang`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader(); // a Uint8Array stream
    await reader.read();
    a.pairs[0]?.donor.close();
    const error = await rejection((async () => {
      for (;;) if ((await reader.read()).done) return;
    })());
    expect(error).toBeInstanceOf(TunnelFetchError);
    expect(error).toMatchObject({ linkFailed: true });
    expect(calls).toEqual([[]]);
    relay.close();
  });

  it('refuses requests after close()', async () => {
    const { connect } = directory(liveDonor('a'));
    const relay = createRelayClient({ connect });
    await (await relay.fetch(`${origin.origin}/page`)).text();
    relay.close();
    expect(relay.currentPeerId).toBeUndefined();
    await expect(relay.fetch(`${origin.origin}/page`)).rejects.toThrow(/closed/);
  });

  it('rejects a bad maxAttempts', () => {
    expect(() => createRelayClient({ connect: directory().connect, maxAttempts: 0 })).toThrow(RangeError);
  });
});

describe('sticky relay client', () => {
  it('reports a lost donor instead of moving to another one, until switchDonor()', async () => {
    const a = liveDonor('a');
    const b = liveDonor('b');
    const { calls, connect } = directory(a, b);
    const relay = createRelayClient({ connect, sticky: true });
    await (await relay.fetch(`${origin.origin}/page`)).text();
    a.pairs[0]?.donor.close();
    await a.pairs[0]?.client.closed;
    const lost = await rejection(relay.fetch(`${origin.origin}/page`));
    expect(lost).toBeInstanceOf(DonorLostError);
    expect(lost).toMatchObject({ peerId: 'a', linkFailed: true });
    // Still lost: the person decides when to continue elsewhere.
    await expect(relay.fetch(`${origin.origin}/page`)).rejects.toBeInstanceOf(DonorLostError);
    expect(b.requests).toBe(0);
    const next = await relay.switchDonor(['a']);
    expect(next.peerId).toBe('b');
    expect(await (await relay.fetch(`${origin.origin}/page`)).text()).toContain('Hello');
    expect(calls).toEqual([[], ['a']]);
    expect(b.requests).toBe(1);
    relay.close();
  });

  it('does not retry a GET whose donor died mid-request: the request fails as a lost donor', async () => {
    const dead = deadDonor('dead');
    const live = liveDonor('live');
    const { calls, connect } = directory(dead, live);
    const relay = createRelayClient({ connect, sticky: true });
    const error = await rejection(relay.fetch(`${origin.origin}/page`));
    expect(error).toBeInstanceOf(DonorLostError);
    expect(error).toMatchObject({ peerId: 'dead' });
    expect(calls).toEqual([[]]);
    expect(live.requests).toBe(0);
    relay.close();
  });

  it('switchDonor() leaves a working donor on request, and requests made meanwhile wait for the new one', async () => {
    const a = liveDonor('a');
    const b = liveDonor('b');
    const { connect } = directory(a, b);
    const relay = createRelayClient({ connect, sticky: true });
    await (await relay.fetch(`${origin.origin}/page`)).text();
    const switching = relay.switchDonor(['a']);
    const meanwhile = relay.fetch(`${origin.origin}/page`);
    expect((await switching).peerId).toBe('b');
    await (await meanwhile).text();
    expect(a.pairs[0]?.client.isClosed).toBe(true);
    expect(a.requests).toBe(1);
    expect(b.requests).toBe(1);
    expect(relay.currentPeerId).toBe('b');
    relay.close();
  });

  it('a failed switch leaves no donor, and the next request connects afresh', async () => {
    const a = liveDonor('a');
    const { calls, connect } = directory(a);
    const relay = createRelayClient({ connect, sticky: true });
    await (await relay.fetch(`${origin.origin}/page`)).text();
    await expect(relay.switchDonor(['a'])).rejects.toThrow(/no donor/);
    expect(relay.currentPeerId).toBeUndefined();
    await (await relay.fetch(`${origin.origin}/page`)).text();
    expect(calls).toEqual([[], ['a'], []]);
    relay.close();
  });
});
