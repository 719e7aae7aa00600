// Fairness between a donor's clients, attacked the cheap way: one client opens every stream it may
// to endless responses and never reads them. Its neighbours on the same donor must still be served
// at once, and its stalled streams must be reset and their fetches aborted after the idle timeout.
// The site is a fake fetch (no sockets at all) and time is the fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { createExit, type Exit } from './exit.ts';
import { type ExitFetch, type ExitFetchInit } from './exit-fetch.ts';
import { defaultExitLimits, type ExitLimits } from './exit-limits.ts';
import { exitResetReasons } from './exit-refusal.ts';
import { clientFetchShare, clientQueueShare } from './exit-slots.ts';
import { createExitPolicy } from './policy/exit-policy.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { createTunnel, type OutgoingStream, type Tunnel } from '../tunnel/tunnel.ts';
import { TunnelError } from '../tunnel/tunnel-error.ts';

const endlessUrl = 'https://files.example.com/endless';
const pageUrl = 'https://news.example.com/page';
const pageText = 'the victim’s page';
const chunkBytes = 64 * 1024;

interface SiteFetch {
  init: ExitFetchInit;
  url: string;
}

/** A site whose `/endless` never ends and whose `/page` is a short page; it records every fetch. */
function fakeSite() {
  const fetches: SiteFetch[] = [];
  const fetch: ExitFetch = async (url, init) => {
    fetches.push({ url, init });
    init.signal.throwIfAborted();
    if (url === pageUrl) return new Response(pageText, { status: 200, headers: { 'content-type': 'text/plain' } });
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(chunkBytes).fill(7)),
      cancel: () => {},
    });
    init.signal.addEventListener('abort', () => void body.cancel().catch(() => {}), { once: true });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/octet-stream' } });
  };
  return { fetch, fetches, endless: () => fetches.filter((f) => f.url === endlessUrl) };
}

interface Donor {
  exit: Exit;
  site: ReturnType<typeof fakeSite>;
  /** A new link for `client` (its peer id from HELLO): the client's end of the tunnel. */
  link(client: string): Tunnel;
  close(): void;
}

/** One exit serving several clients, each over its own in-memory tunnels, as donor.ts wires it. */
function donorWithClients(limits: Partial<ExitLimits> = {}): Donor {
  const site = fakeSite();
  const policy = createExitPolicy({});
  const exit = createExit({ fetch: site.fetch, policy, limits });
  const tunnels: Tunnel[] = [];
  return {
    exit,
    site,
    link(client) {
      const [clientEnd, donorEnd] = createMemoryTransportPair();
      tunnels.push(createTunnel({ transport: donorEnd, role: 'donor', onRequest: (stream, head) => exit.handleRequest(stream, head, client) }));
      const tunnel = createTunnel({ transport: clientEnd, role: 'client' });
      tunnels.push(tunnel);
      return tunnel;
    },
    close() {
      exit.close();
      for (const tunnel of tunnels) tunnel.close();
    },
  };
}

/** Opens a GET and ends it; the caller decides whether anyone ever reads the body. */
function get(link: Tunnel, url: string): OutgoingStream {
  const stream = link.open({ method: 'GET', url, headers: [] });
  stream.end();
  // An attacker's streams are refused or reset on purpose: nobody awaits them all.
  stream.response.catch(() => {});
  return stream;
}

/** What became of a stream, kept up to date: 'open' while it lives, else its RESET's `code/reason`. */
function track(stream: OutgoingStream): { state: string; error?: TunnelError } {
  const seen: { state: string; error?: TunnelError } = { state: 'open' };
  const note = (error: unknown): void => {
    if (!(error instanceof TunnelError)) return void (seen.state = String(error));
    seen.state = `${error.code}/${error.reason}`;
    seen.error = error;
  };
  if (stream.signal.aborted) note(stream.signal.reason);
  else stream.signal.addEventListener('abort', () => note(stream.signal.reason), { once: true });
  return seen;
}

/** Moves the fake clock in small steps until `promise` settles or `ms` have passed; returns it if settled. */
async function within<T>(ms: number, promise: Promise<T>): Promise<{ settled: true; value: T } | { settled: false }> {
  let result: { settled: true; value: T } | undefined;
  void promise.then((value) => (result = { settled: true, value }), () => {});
  for (let spent = 0; spent <= ms && !result; spent += 10) await vi.advanceTimersByTimeAsync(10);
  return result ?? { settled: false };
}

async function readText(stream: OutgoingStream): Promise<string> {
  await stream.response;
  return new TextDecoder().decode(new Uint8Array(await new Response(stream.readable).arrayBuffer()));
}

const perClientFetches = Math.floor(defaultExitLimits.maxConcurrentFetches * clientFetchShare);
const perClientQueued = Math.floor(defaultExitLimits.maxQueuedRequests * clientQueueShare);
const stalled = `${ErrorCode.CANCEL}/${exitResetReasons.readerStalled}`;

let donor: Donor | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  donor?.close();
  donor = undefined;
  vi.useRealTimers();
});

describe('exit fairness: a client that opens every stream it may and never reads', () => {
  it('cannot keep a victim on the same donor from being served at once', async () => {
    donor = donorWithClients();
    const attacker = [donor.link('attacker'), donor.link('attacker')];
    // 2 links × 128 streams: everything the tunnels let one identity open.
    const streams = attacker.flatMap((link) => Array.from({ length: 128 }, () => get(link, endlessUrl)));
    const states = streams.map(track);
    await vi.advanceTimersByTimeAsync(500);
    const victim = get(donor.link('victim'), pageUrl);
    const served = await within(1_000, readText(victim));
    expect(served).toEqual({ settled: true, value: pageText });
    // The attacker got its share and no more: the rest of its requests wait or are refused.
    expect(donor.site.endless()).toHaveLength(perClientFetches);
    const refused = states.filter((t) => t.state === `${ErrorCode.RATE_LIMITED}/${exitResetReasons.clientBusy}`);
    expect(refused).toHaveLength(streams.length - perClientFetches - perClientQueued);
    expect(refused[0]?.error?.message).toMatch(/already have \d+ requests waiting/);
  });

  it('cannot fill the waiting room so that the victim is turned away as busy', async () => {
    donor = donorWithClients({ maxConcurrentFetches: 8, maxQueuedRequests: 16 });
    const attacker = donor.link('attacker');
    for (let i = 0; i < 64; i++) get(attacker, endlessUrl);
    await vi.advanceTimersByTimeAsync(500);
    // The victim's page asks for many resources at once.
    const victim = donor.link('victim');
    const pages = Array.from({ length: 4 }, () => readText(get(victim, pageUrl)));
    const served = await within(1_000, Promise.all(pages));
    expect(served).toEqual({ settled: true, value: Array(4).fill(pageText) });
  });

  it('has its stalled streams reset after the idle timeout, their fetches aborted, its slots handed on', async () => {
    donor = donorWithClients();
    const link = donor.link('attacker');
    const streams = Array.from({ length: perClientFetches + 2 }, () => get(link, endlessUrl));
    const states = streams.map(track);
    await vi.advanceTimersByTimeAsync(1_000);
    const first = donor.site.endless().slice(0, perClientFetches);
    expect(first).toHaveLength(perClientFetches);
    expect(first.every((f) => !f.init.signal.aborted)).toBe(true);

    await vi.advanceTimersByTimeAsync(defaultExitLimits.stalledReaderTimeoutMs);
    // Every stream that had a slot is reset with the enumerated code and reason, its fetch aborted…
    expect(states.map((t) => t.state)).toEqual([...Array(perClientFetches).fill(stalled), 'open', 'open']);
    expect(states[0]?.error?.message).toMatch(/not read for 30 s/);
    expect(first.every((f) => f.init.signal.aborted)).toBe(true);
    expect(donor.exit.stats().refused[exitResetReasons.readerStalled]).toBe(perClientFetches);
    // …and the freed slots went to the requests that waited.
    expect(donor.site.endless()).toHaveLength(perClientFetches + 2);
  });

  it('keeps serving an honest reader that is slow but moving', async () => {
    donor = donorWithClients();
    const stream = get(donor.link('slow reader'), endlessUrl);
    const reader = stream.readable.getReader();
    let bytes = 0;
    // 64 KiB every 10 s (6.4 KiB/s): a quarter window, the credit the tunnel returns at once, every 20 s.
    for (let elapsed = 0; elapsed < 4 * defaultExitLimits.stalledReaderTimeoutMs; elapsed += 10_000) {
      for (let step = 0; step < chunkBytes; ) {
        const read = await within(100, reader.read());
        if (!read.settled || read.value.done) break;
        step += read.value.value?.length ?? 0;
        bytes += read.value.value?.length ?? 0;
      }
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(bytes).toBeGreaterThanOrEqual(12 * chunkBytes);
    expect(stream.signal.aborted).toBe(false);
    expect(donor.site.endless()[0]!.init.signal.aborted).toBe(false);
  });
});
