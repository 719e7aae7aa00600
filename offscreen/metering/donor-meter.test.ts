import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultDonorSettings, type DonorSettings } from '../../settings/donor-settings.ts';
import { createDonorMeter } from './donor-meter.ts';
import { ErrorCode, maxDataPayloadBytes } from '../../protocol/frame-types.ts';
import { readAll } from '../../tests/support/streams.ts';
import { createExit } from '../exit/exit.ts';
import { type ExitFetch } from '../exit/exit-fetch.ts';
import { ExitCapReached } from '../exit/exit-meter.ts';
import { createExitPolicy } from '../exit/policy/exit-policy.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { createTunnel, type Tunnel } from '../tunnel/tunnel.ts';
import { TunnelError } from '../tunnel/tunnel-error.ts';
import type { UsageLedger, UsageSnapshot } from './usage-ledger.ts';

/** A ledger in memory: one day, one month, and every call it received. */
function fakeLedger(initial: Partial<UsageSnapshot> = {}) {
  const usage: UsageSnapshot = { todayBytes: 0, monthBytes: 0, countriesToday: [], ...initial };
  const added: Array<[number, string | undefined]> = [];
  const helped = new Set<string>();
  const ledger: UsageLedger = {
    add(bytes, country) {
      added.push([bytes, country]);
      usage.todayBytes += bytes;
      usage.monthBytes += bytes;
      if (country !== undefined && !usage.countriesToday.includes(country)) usage.countriesToday.push(country);
    },
    addCountry(country) {
      if (!usage.countriesToday.includes(country)) usage.countriesToday.push(country);
    },
    noteHelped(client) {
      helped.add(client);
    },
    addSharedTime() {},
    snapshot: () => ({ ...usage, countriesToday: [...usage.countriesToday] }),
    totals: () => ({ today: { people: helped.size, bytes: usage.todayBytes, seconds: 0 }, lifetime: { people: helped.size, bytes: usage.todayBytes, seconds: 0 } }),
    flush: async () => {},
    close: async () => {},
  };
  return { ledger, usage, added, helped };
}

const base = defaultDonorSettings('wss://signal.example/ws');
const settings = (patch: Partial<DonorSettings> = {}): DonorSettings => ({ ...base, sharing: true, ...patch });
const live = (): AbortSignal => new AbortController().signal;
const kib = 1024;

/** Whether `promise` has settled, observed without awaiting it. */
function track(promise: Promise<void> | void): { done: boolean; error?: unknown } {
  const record: { done: boolean; error?: unknown } = { done: false };
  Promise.resolve(promise).then(
    () => (record.done = true),
    (error: unknown) => Object.assign(record, { done: true, error }),
  );
  return record;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createDonorMeter', () => {
  it("counts every byte under the client's noted country", async () => {
    const { ledger, added, usage } = fakeLedger();
    const meter = createDonorMeter(ledger, settings());
    meter.noteClient('peer-de', 'DE');
    meter.noteClient('peer-br', 'BR');
    await meter.take('peer-de', 100, live());
    await meter.take('peer-br', 50, live());
    await meter.take('peer-unknown', 25, live());
    expect(added).toEqual([
      [100, 'DE'],
      [50, 'BR'],
      [25, undefined],
    ]);
    expect(usage.countriesToday).toEqual(['DE', 'BR']);
  });

  it('counts a client as a person helped once bytes are served to them, not for connecting alone', async () => {
    const { ledger, helped } = fakeLedger();
    const meter = createDonorMeter(ledger, settings());
    meter.noteClient('peer-de', 'DE');
    meter.noteClient('peer-br', 'BR');
    expect([...helped]).toEqual([]);
    await meter.take('peer-de', 100, live());
    await meter.take('peer-de', 100, live());
    expect([...helped]).toEqual(['peer-de']);
  });

  it('does not count a person helped when the cap refuses their bytes', async () => {
    const { ledger, helped } = fakeLedger({ todayBytes: 10 * kib, monthBytes: 10 * kib });
    const meter = createDonorMeter(ledger, settings({ dailyCapBytes: 10 * kib }));
    await expect(meter.take('peer-late', 1, live())).rejects.toBeInstanceOf(ExitCapReached);
    expect([...helped]).toEqual([]);
  });

  it('notes the country as helped as soon as the client connects, before any bytes', () => {
    const { ledger, usage } = fakeLedger();
    createDonorMeter(ledger, settings()).noteClient('peer-jp', 'JP');
    expect(usage.countriesToday).toEqual(['JP']);
  });

  it('stops attributing bytes to a country once the client is forgotten', async () => {
    const { ledger, added } = fakeLedger();
    const meter = createDonorMeter(ledger, settings());
    meter.noteClient('peer', 'DE');
    meter.forgetClient('peer');
    await meter.take('peer', 10, live());
    expect(added).toEqual([[10, undefined]]);
  });

  const caps: ReadonlyArray<readonly [string, Partial<DonorSettings>, Partial<UsageSnapshot>, boolean]> = [
    ['under the daily cap', { dailyCapBytes: 1000 }, { todayBytes: 999, monthBytes: 999 }, false],
    ['at the daily cap', { dailyCapBytes: 1000 }, { todayBytes: 1000, monthBytes: 1000 }, true],
    ['under the monthly cap', { monthlyCapBytes: 5000 }, { todayBytes: 0, monthBytes: 4999 }, false],
    ['at the monthly cap', { monthlyCapBytes: 5000 }, { todayBytes: 0, monthBytes: 5000 }, true],
    ['past the monthly cap with today under the daily cap', { dailyCapBytes: 1000, monthlyCapBytes: 5000 }, { todayBytes: 10, monthBytes: 6000 }, true],
    ['no caps', {}, { todayBytes: 1e12, monthBytes: 1e13 }, false],
  ];
  it.each(caps)('%s: refuses with ExitCapReached = %s', async (_name, patch, usage, refused) => {
    const { ledger, added } = fakeLedger(usage);
    const meter = createDonorMeter(ledger, settings(patch));
    const onCap = vi.fn();
    meter.onCapReached(onCap);
    const result = await Promise.resolve(meter.take('peer', 100, live())).then(
      () => 'sent',
      (error: unknown) => error,
    );
    if (refused) {
      expect(result).toBeInstanceOf(ExitCapReached);
      expect(onCap).toHaveBeenCalledTimes(1);
      expect(added).toEqual([]);
    } else {
      expect(result).toBe('sent');
      expect(onCap).not.toHaveBeenCalled();
    }
  });

  it('tells its listeners once when the cap is reached, not on every refused chunk', async () => {
    const { ledger } = fakeLedger();
    const meter = createDonorMeter(ledger, settings({ dailyCapBytes: 1000 }));
    const onCap = vi.fn();
    meter.onCapReached(onCap);
    await meter.take('a', 600, live());
    await meter.take('b', 600, live()); // at most one chunk past the cap
    for (const client of ['a', 'b', 'c']) await expect(meter.take(client, 10, live())).rejects.toBeInstanceOf(ExitCapReached);
    expect(onCap).toHaveBeenCalledTimes(1);
  });

  it('applies changed caps at once, and tells its listeners again after a raised cap is reached', async () => {
    const { ledger } = fakeLedger({ todayBytes: 600, monthBytes: 600 });
    const meter = createDonorMeter(ledger, settings());
    const onCap = vi.fn();
    meter.onCapReached(onCap);
    await meter.take('peer', 100, live());
    meter.update(settings({ dailyCapBytes: 500 }));
    await expect(meter.take('peer', 100, live())).rejects.toBeInstanceOf(ExitCapReached);
    expect(onCap).toHaveBeenCalledTimes(1);
    meter.update(settings({ dailyCapBytes: 1000 }));
    await meter.take('peer', 400, live());
    await expect(meter.take('peer', 1, live())).rejects.toBeInstanceOf(ExitCapReached);
    expect(onCap).toHaveBeenCalledTimes(2);
    meter.update(settings({ dailyCapBytes: null }));
    await expect(meter.take('peer', 1, live())).resolves.toBeUndefined();
  });

  it('holds each person to the rate limit with a bucket of their own', async () => {
    const { ledger, added } = fakeLedger();
    const meter = createDonorMeter(ledger, settings({ perPersonBytesPerSecond: 16 * kib }));
    await meter.take('alice', 16 * kib, live()); // one second's burst
    const aliceMore = track(meter.take('alice', 16 * kib, live()));
    const bob = track(meter.take('bob', 16 * kib, live()));
    await vi.advanceTimersByTimeAsync(0);
    expect(bob.done).toBe(true);
    expect(aliceMore.done).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(aliceMore.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(aliceMore.done).toBe(true);
    // Bytes are counted when they go, not when they are asked for.
    expect(added.map(([bytes]) => bytes)).toEqual([16 * kib, 16 * kib, 16 * kib]);
  });

  it('does not count bytes whose wait was aborted', async () => {
    const { ledger, added } = fakeLedger();
    const meter = createDonorMeter(ledger, settings({ perPersonBytesPerSecond: 16 * kib }));
    await meter.take('alice', 16 * kib, live());
    const controller = new AbortController();
    const waiting = track(meter.take('alice', 16 * kib, controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('tunnel closed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting.error).toEqual(new Error('tunnel closed'));
    expect(added).toHaveLength(1);
  });

  it('applies a changed rate limit at once', async () => {
    const { ledger } = fakeLedger();
    const meter = createDonorMeter(ledger, settings({ perPersonBytesPerSecond: 16 * kib }));
    await meter.take('alice', 16 * kib, live());
    meter.update(settings({ perPersonBytesPerSecond: 64 * kib }));
    const faster = track(meter.take('alice', 64 * kib, live()));
    await vi.advanceTimersByTimeAsync(0);
    expect(faster.done).toBe(true);
    meter.update(settings({ perPersonBytesPerSecond: null }));
    const unlimited = track(meter.take('alice', 10 * 1024 * kib, live()));
    await vi.advanceTimersByTimeAsync(0);
    expect(unlimited.done).toBe(true);
  });

  it('sends without waiting when there is no rate limit', async () => {
    const { ledger } = fakeLedger();
    const meter = createDonorMeter(ledger, settings({ perPersonBytesPerSecond: null }));
    const all = Array.from({ length: 10 }, () => track(meter.take('alice', 1024 * kib, live())));
    await vi.advanceTimersByTimeAsync(0);
    expect(all.every((t) => t.done && t.error === undefined)).toBe(true);
  });
});

describe('createDonorMeter behind the exit: uploads are served bytes too', () => {
  beforeEach(() => {
    vi.useRealTimers();
  });

  /** A client tunnel to an exit metered by `meter`, whose site answers every request with "ok" and records it. */
  function exitOver(meter: ReturnType<typeof createDonorMeter>) {
    const fetched: string[] = [];
    const fetch: ExitFetch = async (url) => {
      fetched.push(String(url));
      return new Response('ok');
    };
    const exit = createExit({ fetch, policy: createExitPolicy({ testOrigin: siteOrigin }), meter });
    const [a, b] = createMemoryTransportPair();
    createTunnel({ transport: b, role: 'donor', onRequest: (stream, head) => exit.handleRequest(stream, head, 'peer-de') });
    const client = createTunnel({ transport: a, role: 'client' });
    return { client, fetched, exit };
  }
  const siteOrigin = 'http://127.0.0.1:8079';

  async function post(client: Tunnel, body: Uint8Array): Promise<{ status: number; body: Uint8Array } | TunnelError> {
    const stream = client.open({ method: 'POST', url: `${siteOrigin}/upload`, headers: [] });
    try {
      await stream.write(body);
      stream.end();
      const head = await stream.response;
      return { status: head.status, body: await readAll(stream.readable) };
    } catch (error) {
      if (error instanceof TunnelError) return error;
      throw error;
    }
  }

  it("counts a client's upload into the donor's usage, with the response", async () => {
    const { ledger, added } = fakeLedger();
    const meter = createDonorMeter(ledger, settings());
    meter.noteClient('peer-de', 'DE');
    const { client } = exitOver(meter);
    const result = await post(client, new Uint8Array(300 * kib));
    expect(result).toMatchObject({ status: 200 });
    expect(added.reduce((sum, [bytes]) => sum + bytes, 0)).toBe(300 * kib + 'ok'.length);
    expect(added.every(([, country]) => country === 'DE')).toBe(true);
    client.close();
  });

  it('reaches the daily cap by uploads: the request is refused and the site never sees it', async () => {
    const { ledger, usage } = fakeLedger();
    const capBytes = 1024 * kib;
    const meter = createDonorMeter(ledger, settings({ dailyCapBytes: capBytes }));
    const onCap = vi.fn();
    meter.onCapReached(onCap);
    const { client, fetched } = exitOver(meter);
    // 3 MiB up for a 2-byte answer: under the exit's body cap, over the donor's daily one.
    const result = await post(client, new Uint8Array(3 * capBytes));
    expect(result).toBeInstanceOf(TunnelError);
    expect(result).toMatchObject({ code: ErrorCode.RATE_LIMITED, reason: 'donor-cap-reached' });
    expect(fetched).toEqual([]);
    expect(onCap).toHaveBeenCalledTimes(1);
    // Counted up to the cap, and at most one frame's payload past it.
    expect(usage.todayBytes).toBeGreaterThanOrEqual(capBytes);
    expect(usage.todayBytes).toBeLessThanOrEqual(capBytes + maxDataPayloadBytes);
    client.close();
  });
});
