// The engine with its network parts faked: `startDonor` hands out fake donors whose signaling can
// be dropped at will, the ledger is in memory and time is the fake clock.
import { Wallet } from 'ethers';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { localReceiptDomain } from '../../chain/local-domain.ts';
import { initialCreditWindowBytes } from '../payments/credit-window.ts';
import { makeMemoryPaymentLedger } from '../payments/payment-ledger.ts';
import type { Identity } from '../../protocol/identity.ts';
import type { DonorStatus, EngineConfig } from '../../protocol/runtime-messages.ts';
import { defaultDonorSettings, type DonorSettings } from '../../settings/donor-settings.ts';
import type { Donor, DonorOptions } from './donor.ts';
import {
  createDonorEngine,
  reconnectInitialDelayMs,
  reconnectMaxDelayMs,
  scheduleCheckIntervalMs,
  stopGraceMs,
  type BatteryMonitor,
  type DonorEngine,
} from './donor-engine.ts';
import type { Exit } from '../exit/exit.ts';
import type { ExitFetch } from '../exit/exit-fetch.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { createTunnel } from '../tunnel/tunnel.ts';
import type { EstablishedSession } from './peer-session.ts';
import { SignalingError, type SignalingCloseInfo } from './signaling-client.ts';
import type { UsageLedger, UsageSnapshot } from '../metering/usage-ledger.ts';

const serverUrl = 'wss://signal.example/ws';
const base = defaultDonorSettings(serverUrl);
const sharingOn = (patch: Partial<DonorSettings> = {}): DonorSettings => ({ ...base, sharing: true, ...patch });
const config = (settings: DonorSettings, idleState: EngineConfig['idleState'] = 'idle'): EngineConfig => ({ settings, idleState });

interface FakeDonor {
  donor: Donor;
  options: DonorOptions;
  exitClose: MockInstance<() => void>;
  close: ReturnType<typeof vi.fn>;
  withdraw: ReturnType<typeof vi.fn>;
  sessions: number;
  /** The signaling connection drops, as the real client reports it. */
  drop(info?: Partial<SignalingCloseInfo>): void;
}

type Outcome = 'connect' | Error | 'hang';

/** Everything an engine test needs: the engine, its fakes and what it reported. */
function setup(options: { usage?: Partial<UsageSnapshot>; battery?: BatteryMonitor; fetch?: ExitFetch } = {}) {
  const statuses: DonorStatus[] = [];
  const donors: FakeDonor[] = [];
  const attempts: number[] = [];
  const hanging: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  const outcomes: Outcome[] = [];
  const usage: UsageSnapshot = { todayBytes: 0, monthBytes: 0, countriesToday: [], ...options.usage };
  const ledger = {
    add: vi.fn(),
    addCountry: vi.fn(),
    noteHelped: vi.fn(),
    addSharedTime: vi.fn(),
    snapshot: () => ({ ...usage, countriesToday: [...usage.countriesToday] }),
    totals: () => ({ today: { people: 0, bytes: usage.todayBytes, seconds: 0 }, lifetime: { people: 0, bytes: usage.todayBytes, seconds: 0 } }),
    flush: vi.fn(async () => {}),
    close: vi.fn(async () => {}),
  } satisfies UsageLedger;
  const random = { value: 0.5 };

  function makeDonor(donorOptions: DonorOptions): Donor {
    const closeHandlers = new Set<(info: SignalingCloseInfo) => void>();
    const fake: FakeDonor = {
      options: donorOptions,
      exitClose: vi.spyOn(donorOptions.exit as Exit, 'close'),
      close: vi.fn(),
      withdraw: vi.fn(),
      sessions: 0,
      drop: (info = {}) => {
        for (const handler of [...closeHandlers]) handler({ code: 1006, reason: '', ...info });
      },
      donor: undefined as unknown as Donor, // set just below
    };
    fake.donor = {
      peerId: `peer-${donors.length}`,
      country: 'DE',
      get activeSessions() {
        return fake.sessions;
      },
      signaling: {
        withdraw: fake.withdraw,
        onClose: (handler: (info: SignalingCloseInfo) => void) => {
          closeHandlers.add(handler);
          return () => closeHandlers.delete(handler);
        },
      },
      close: fake.close,
    } as unknown as Donor;
    donors.push(fake);
    return fake.donor;
  }

  const startDonor = vi.fn((donorOptions: DonorOptions): Promise<Donor> => {
    attempts.push(Date.now());
    const outcome = outcomes.shift() ?? 'connect';
    if (outcome === 'connect') return Promise.resolve(makeDonor(donorOptions));
    if (outcome === 'hang') {
      return new Promise<Donor>((resolve, reject) => {
        hanging.push({ resolve: () => resolve(makeDonor(donorOptions)), reject });
      });
    }
    return Promise.reject(outcome);
  });

  const engine: DonorEngine = createDonorEngine({
    loadIdentity: async () => ({}) as Identity,
    payment: { loadPaymentKey: async () => Wallet.createRandom(), domain: localReceiptDomain, ledger: makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }) },
    createFetch: () => options.fetch ?? (vi.fn() as unknown as ExitFetch),
    ledger,
    ...(options.battery ? { battery: options.battery } : {}),
    onStatus: (status) => statuses.push(status),
    startDonor,
    now: () => Date.now(),
    random: () => random.value,
  });
  engines.push(engine);
  return {
    engine,
    statuses,
    donors,
    attempts,
    hanging,
    outcomes,
    usage,
    ledger,
    random,
    startDonor,
    last: (): DonorStatus => statuses.at(-1)!, // tests read it after at least one status
    states: (): string[] => statuses.map((s) => (s.reason ? `${s.state}:${s.reason}` : s.state)),
  };
}

const engines: DonorEngine[] = [];
/** Lets promise chains settle without moving the clock. */
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};
const start = new Date(2024, 4, 10, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  vi.useRealTimers();
});

describe('createDonorEngine: starting and stopping', () => {
  it('says nothing and starts nothing before it is configured', async () => {
    const t = setup();
    await settle();
    expect(t.statuses).toEqual([]);
    expect(t.engine.status().state).toBe('off');
    expect(t.startDonor).not.toHaveBeenCalled();
  });

  it('goes from off to starting to connected when sharing is switched on', async () => {
    const t = setup();
    t.engine.configure(config(base));
    expect(t.states()).toEqual(['off']);
    t.engine.configure(config(sharingOn({ maxPeopleAtOnce: 6, sponsorCode: 'coop' })));
    expect(t.states()).toEqual(['off', 'starting']);
    await settle();
    expect(t.states()).toEqual(['off', 'starting', 'connected']);
    expect(t.last()).toMatchObject({ state: 'connected', peerId: 'peer-0', country: 'DE', helpingNow: 0 });
    expect(t.engine.status()).toMatchObject({ state: 'connected' });
    expect(t.startDonor).toHaveBeenCalledTimes(1);
    expect(t.donors[0]!.options).toMatchObject({
      signalingUrl: serverUrl,
      listing: { maxSessions: 6, sponsor: 'coop' },
      policyDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('lists no sponsor when the donor has none', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.donors[0]!.options.listing).not.toHaveProperty('sponsor');
  });

  it('stops when sharing is switched off: off at once, withdrawn, closed after the grace period', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const [first] = t.donors;
    t.engine.configure(config(base));
    expect(t.last().state).toBe('off');
    expect(t.last()).not.toHaveProperty('peerId');
    expect(first!.withdraw).toHaveBeenCalledTimes(1);
    expect(first!.exitClose).toHaveBeenCalled();
    expect(first!.close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(stopGraceMs);
    expect(first!.close).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10 * reconnectMaxDelayMs);
    expect(t.startDonor).toHaveBeenCalledTimes(1);
  });

  it('does not connect when sharing is off', async () => {
    const t = setup();
    t.engine.configure(config(base));
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs * 3);
    expect(t.startDonor).not.toHaveBeenCalled();
    expect(t.states()).toEqual(['off']);
  });

  it('drops a donor that finishes connecting after sharing was switched off', async () => {
    const t = setup();
    t.outcomes.push('hang');
    t.engine.configure(config(sharingOn()));
    await settle();
    t.engine.configure(config(base));
    t.hanging[0]!.resolve();
    await settle();
    expect(t.donors[0]!.close).toHaveBeenCalled();
    expect(t.donors[0]!.exitClose).toHaveBeenCalled();
    expect(t.last().state).toBe('off');
  });

  it('shows the people being helped and notes their countries', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const fake = t.donors[0]!;
    let closeTunnel!: () => void; // assigned by the Promise executor
    const closed = new Promise<void>((resolve) => (closeTunnel = resolve));
    fake.sessions = 1;
    fake.options.onSession!({ peerId: 'client-1', country: 'BR', paymentAddress: '', tunnel: { closed } } as unknown as EstablishedSession);
    expect(t.ledger.addCountry).toHaveBeenCalledWith('BR');
    expect(t.last()).toMatchObject({ state: 'connected', helpingNow: 1 });
    fake.sessions = 0;
    closeTunnel();
    await settle();
    expect(t.last()).toMatchObject({ state: 'connected', helpingNow: 0 });
  });
});

describe('createDonorEngine: one client on several links', () => {
  it('keeps counting a client under its country while one of its two links is still open', async () => {
    const page = 'served through the second link';
    const t = setup({ fetch: async () => new Response(page, { status: 200 }) });
    t.engine.configure(config(sharingOn()));
    await settle();
    const fake = t.donors[0]!;
    const links = [0, 1].map(() => {
      let closeTunnel!: () => void; // assigned by the Promise executor
      const closed = new Promise<void>((resolve) => (closeTunnel = resolve));
      fake.options.onSession!({ peerId: 'client-1', country: 'BR', paymentAddress: '', tunnel: { closed } } as unknown as EstablishedSession);
      return closeTunnel;
    });
    links[0]!();
    await settle();
    // The second link of the same identity serves a request after the first one closed.
    const [clientEnd, donorEnd] = createMemoryTransportPair();
    const donorTunnel = createTunnel({ transport: donorEnd, role: 'donor', onRequest: (stream, head) => fake.options.exit.handleRequest(stream, head, 'client-1') });
    const clientTunnel = createTunnel({ transport: clientEnd, role: 'client' });
    const stream = clientTunnel.open({ method: 'GET', url: 'https://news.example.com/', headers: [] });
    stream.end();
    const body = new Response(stream.readable).text();
    await vi.advanceTimersByTimeAsync(100);
    expect(await body).toBe(page);
    expect(t.ledger.add).toHaveBeenCalledWith(page.length, 'BR');
    clientTunnel.close();
    donorTunnel.close();
  });
});

describe('createDonorEngine: pausing', () => {
  it('pauses at the daily cap from the ledger without connecting', async () => {
    const t = setup({ usage: { todayBytes: 1000, monthBytes: 1000 } });
    t.engine.configure(config(sharingOn({ dailyCapBytes: 1000 })));
    await settle();
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'daily-cap', bytesToday: 1000 });
    expect(t.startDonor).not.toHaveBeenCalled();
  });

  it('pauses a connected donor once the day reaches its cap, withdrawing it', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn({ dailyCapBytes: 5000 })));
    await settle();
    const [fake] = t.donors;
    t.usage.todayBytes = 5000;
    t.usage.monthBytes = 5000;
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs);
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'daily-cap' });
    expect(fake!.withdraw).toHaveBeenCalled();
    // The exit refuses capped requests with "cap reached" itself; it closes with the donor.
    await vi.advanceTimersByTimeAsync(stopGraceMs);
    expect(fake!.close).toHaveBeenCalled();
  });

  it('pauses at once when the donor lowers the cap below what was shared, and resumes when it is raised', async () => {
    const t = setup({ usage: { todayBytes: 3000, monthBytes: 3000 } });
    t.engine.configure(config(sharingOn()));
    await settle();
    t.engine.configure(config(sharingOn({ monthlyCapBytes: 2000 })));
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'monthly-cap' });
    expect(t.donors[0]!.withdraw).toHaveBeenCalled();
    t.engine.configure(config(sharingOn({ monthlyCapBytes: 10_000 })));
    await settle();
    expect(t.last().state).toBe('connected');
    expect(t.startDonor).toHaveBeenCalledTimes(2);
  });

  it('waits outside its hours and connects when they begin', async () => {
    vi.setSystemTime(new Date(2024, 4, 10, 21, 59, 45));
    const t = setup();
    t.engine.configure(config(sharingOn({ hours: { enabled: true, startMinute: 22 * 60, endMinute: 7 * 60 } })));
    await settle();
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'outside-hours' });
    expect(t.startDonor).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs);
    expect(t.last().state).toBe('connected');
  });

  it('pauses while the person is at the computer when asked to share only when idle', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn({ onlyWhenIdle: true }), 'active'));
    await settle();
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'not-idle' });
    t.engine.configure(config(sharingOn({ onlyWhenIdle: true }), 'idle'));
    await settle();
    expect(t.last().state).toBe('connected');
    t.engine.configure(config(sharingOn({ onlyWhenIdle: true }), 'active'));
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'not-idle' });
    expect(t.donors[0]!.withdraw).toHaveBeenCalled();
    expect(t.donors[0]!.exitClose).toHaveBeenCalled();
  });

  it('pauses on battery and resumes when the charger is plugged in', async () => {
    let onBattery: boolean | undefined = true;
    const listeners: Array<() => void> = [];
    const t = setup({ battery: { onBattery: () => onBattery, onChange: (listener) => listeners.push(listener) } });
    t.engine.configure(config(sharingOn({ pauseOnBattery: true })));
    await settle();
    expect(t.last()).toMatchObject({ state: 'paused', reason: 'on-battery' });
    onBattery = false;
    for (const listener of listeners) listener();
    await settle();
    expect(t.last().state).toBe('connected');
    onBattery = undefined; // the browser stops telling: unknown never pauses
    for (const listener of listeners) listener();
    expect(t.last().state).toBe('connected');
  });
});

describe('createDonorEngine: reconnecting', () => {
  it('goes offline when signaling drops, closes the dropped donor, and reconnects after 1 s', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const [first] = t.donors;
    first!.drop({ code: 1006 });
    expect(t.last()).toMatchObject({
      state: 'offline',
      reason: 'signaling-unreachable',
      retryAt: Date.now() + reconnectInitialDelayMs,
    });
    expect(t.last().detail).toContain('1006');
    expect(first!.exitClose).toHaveBeenCalled();
    expect(first!.close).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(reconnectInitialDelayMs - 1);
    expect(t.startDonor).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.startDonor).toHaveBeenCalledTimes(2);
    expect(t.last()).toMatchObject({ state: 'connected', peerId: 'peer-1' });
    expect(t.last()).not.toHaveProperty('retryAt');
  });

  it('backs off exponentially up to a minute while the server stays unreachable', async () => {
    const t = setup();
    for (let i = 0; i < 9; i++) t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn()));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const delays = t.attempts.slice(1).map((at, i) => at - t.attempts[i]!);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(t.last().state).toBe('connected');
  });

  const jitter: ReadonlyArray<readonly [string, number, number[]]> = [
    ['no jitter at the middle', 0.5, [1_000, 2_000, 4_000]],
    ['-20% at the low end', 0, [800, 1_600, 3_200]],
    ['+20% at the high end', 0.999_999, [1_200, 2_400, 4_800]],
  ];
  it.each(jitter)('spreads retries by ±20%%: %s', async (_name, random, expected) => {
    const t = setup();
    t.random.value = random;
    for (let i = 0; i < 3; i++) t.outcomes.push(new SignalingError('timeout'));
    t.engine.configure(config(sharingOn()));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.attempts.slice(1).map((at, i) => at - t.attempts[i]!)).toEqual(expected);
  });

  it('never waits longer than the longest retry delay, jitter included', async () => {
    const t = setup();
    t.random.value = 0.999_999;
    for (let i = 0; i < 8; i++) t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn()));
    await vi.advanceTimersByTimeAsync(20 * 60_000);
    const delays = t.attempts.slice(1).map((at, i) => at - t.attempts[i]!);
    expect(Math.max(...delays)).toBe(reconnectMaxDelayMs);
  });

  it('starts the backoff over after a successful connection', async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn()));
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000);
    expect(t.last().state).toBe('connected');
    t.donors[0]!.drop();
    expect(t.last().retryAt).toBe(Date.now() + reconnectInitialDelayMs);
  });

  it("shows the server's own words when it refuses the login, and keeps retrying", async () => {
    const t = setup();
    t.outcomes.push(new SignalingError('login-failed', 'This identity key is not allowed here.'));
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last()).toMatchObject({
      state: 'offline',
      reason: 'signaling-refused',
      detail: 'This identity key is not allowed here.',
      retryAt: Date.now() + reconnectInitialDelayMs,
    });
    await vi.advanceTimersByTimeAsync(reconnectInitialDelayMs);
    expect(t.last().state).toBe('connected');
  });

  const failures: ReadonlyArray<readonly [string, Error, string]> = [
    ['connect-failed', new SignalingError('connect-failed'), 'signaling-unreachable'],
    ['timeout', new SignalingError('timeout'), 'signaling-unreachable'],
    ['closed', new SignalingError('closed'), 'signaling-unreachable'],
    ['overloaded', new SignalingError('overloaded'), 'signaling-refused'],
    ['bad-listing', new SignalingError('bad-listing'), 'signaling-refused'],
    ['a plain error', new Error('socket hang up'), 'signaling-unreachable'],
  ];
  it.each(failures)('reports a failure to start (%s) as %s, with its message', async (_name, error, reason) => {
    const t = setup();
    t.outcomes.push(error);
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last()).toMatchObject({ state: 'offline', reason, detail: error.message });
  });

  it('reports a drop the server explained (e.g. replaced) as refused, in its words', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const error = new SignalingError('replaced', 'Logged in from another browser.');
    t.donors[0]!.drop({ code: 4000, reason: 'replaced', error });
    expect(t.last()).toMatchObject({ state: 'offline', reason: 'signaling-refused', detail: 'Logged in from another browser.' });
  });

  it('reconnects at once on retry(), with the backoff started over', async () => {
    const t = setup();
    for (let i = 0; i < 7; i++) t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn()));
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000 + 16_000 + 32_000);
    expect(t.attempts).toHaveLength(7);
    expect(t.last().retryAt! - Date.now()).toBe(reconnectMaxDelayMs);
    t.engine.retry();
    await settle();
    expect(t.attempts).toHaveLength(8);
    expect(t.last().state).toBe('connected');
  });

  it('retry() during a hung attempt starts a new one, and the old one failing later changes nothing', async () => {
    const t = setup();
    t.outcomes.push('hang');
    t.engine.configure(config(sharingOn()));
    await settle();
    t.engine.retry();
    await settle();
    expect(t.last().state).toBe('connected');
    t.hanging[0]!.reject(new SignalingError('timeout'));
    await settle();
    expect(t.last().state).toBe('connected');
    await vi.advanceTimersByTimeAsync(reconnectMaxDelayMs * 2);
    expect(t.startDonor).toHaveBeenCalledTimes(2);
    // A later drop starts from the first step, not one the stale failure added.
    t.donors[0]!.drop();
    expect(t.last().retryAt).toBe(Date.now() + reconnectInitialDelayMs);
  });

  it('ignores a drop of a donor it already stopped', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    t.engine.configure(config(sharingOn({ maxPeopleAtOnce: 2 })));
    await settle();
    const before = t.statuses.length;
    t.donors[0]!.drop();
    expect(t.statuses.length).toBe(before);
    expect(t.last().state).toBe('connected');
  });
});

describe('createDonorEngine: settings that need a new donor', () => {
  const restarting: ReadonlyArray<readonly [string, Partial<DonorSettings>]> = [
    ['maxPeopleAtOnce', { maxPeopleAtOnce: 9 }],
    ['allowPlainHttp', { allowPlainHttp: true }],
    ['signalingUrl', { signalingUrl: 'wss://other.example/ws' }],
    ['sponsorCode', { sponsorCode: 'partner-1' }],
  ];
  it.each(restarting)('restarts the donor when %s changes', async (_name, patch) => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const [old] = t.donors;
    t.engine.configure(config(sharingOn(patch)));
    await settle();
    expect(old!.withdraw).toHaveBeenCalled();
    expect(old!.exitClose).toHaveBeenCalled();
    expect(t.startDonor).toHaveBeenCalledTimes(2);
    expect(t.last()).toMatchObject({ state: 'connected', peerId: 'peer-1' });
    await vi.advanceTimersByTimeAsync(stopGraceMs);
    expect(old!.close).toHaveBeenCalled();
    expect(t.donors[1]!.close).not.toHaveBeenCalled();
  });

  const notRestarting: ReadonlyArray<readonly [string, Partial<DonorSettings>]> = [
    ['dailyCapBytes', { dailyCapBytes: 10_000_000 }],
    ['monthlyCapBytes', { monthlyCapBytes: 100_000_000 }],
    ['perPersonBytesPerSecond', { perPersonBytesPerSecond: 64 * 1024 }],
    ['pauseOnBattery', { pauseOnBattery: false }],
    ['hours (disabled)', { hours: { enabled: false, startMinute: 60, endMinute: 120 } }],
  ];
  it.each(notRestarting)('keeps the donor when %s changes', async (_name, patch) => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    t.engine.configure(config(sharingOn(patch)));
    await vi.advanceTimersByTimeAsync(stopGraceMs);
    expect(t.startDonor).toHaveBeenCalledTimes(1);
    expect(t.donors[0]!.withdraw).not.toHaveBeenCalled();
    expect(t.donors[0]!.close).not.toHaveBeenCalled();
    expect(t.last().state).toBe('connected');
  });

  it('tries a new server at once instead of waiting out the backoff for the old one', async () => {
    const t = setup();
    for (let i = 0; i < 6; i++) t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn({ signalingUrl: 'wss://typo.example/ws' })));
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000 + 16_000);
    expect(t.last().retryAt! - Date.now()).toBe(32_000);
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.startDonor).toHaveBeenCalledTimes(7);
    expect(t.startDonor.mock.calls.at(-1)![0].signalingUrl).toBe(serverUrl);
  });

  it('gives up a hung attempt at the old server when the server changes', async () => {
    const t = setup();
    t.outcomes.push('hang');
    t.engine.configure(config(sharingOn({ signalingUrl: 'wss://slow.example/ws' })));
    await settle();
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last()).toMatchObject({ state: 'connected', peerId: 'peer-0' });
    expect(t.donors[0]!.options.signalingUrl).toBe(serverUrl);
    t.hanging[0]!.resolve();
    await settle();
    expect(t.donors[1]!.close).toHaveBeenCalled();
    expect(t.last()).toMatchObject({ state: 'connected', peerId: 'peer-0' });
  });
});

describe('createDonorEngine: status and teardown', () => {
  it('reports a status only when it changes', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const count = t.statuses.length;
    t.engine.configure(config(sharingOn()));
    t.engine.configure(config(sharingOn({ dailyCapBytes: 1e9 })));
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs * 4);
    expect(t.statuses).toHaveLength(count);
    t.usage.todayBytes = 4096;
    t.usage.monthBytes = 4096;
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs);
    expect(t.statuses).toHaveLength(count + 1);
    expect(t.last()).toMatchObject({ state: 'connected', bytesToday: 4096, bytesThisMonth: 4096 });
  });

  it('counts the time connected into the ledger, and no time while off', async () => {
    const t = setup();
    const counted = (): number => t.ledger.addSharedTime.mock.calls.reduce((sum, [ms]) => sum + (ms as number), 0);
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last().state).toBe('connected');
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs * 4);
    expect(counted()).toBe(scheduleCheckIntervalMs * 4);
    t.engine.configure(config({ ...sharingOn(), sharing: false }));
    await vi.advanceTimersByTimeAsync(scheduleCheckIntervalMs * 10);
    expect(counted()).toBe(scheduleCheckIntervalMs * 4);
  });

  it('reports people, data and time today and in total from the ledger, time in whole minutes', async () => {
    const t = setup();
    t.ledger.totals = () => ({ today: { people: 2, bytes: 300, seconds: 119 }, lifetime: { people: 5, bytes: 9000, seconds: 7259 } });
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last()).toMatchObject({ peopleToday: 2, sharedSecondsToday: 60, lifetime: { people: 5, bytes: 9000, sharedSeconds: 7200 } });
  });

  it('persists the ledger on request', async () => {
    const t = setup();
    await t.engine.persist();
    expect(t.ledger.flush).toHaveBeenCalledTimes(1);
  });

  it('close() stops everything: the donor, the timers, the reports', async () => {
    const t = setup();
    t.engine.configure(config(sharingOn()));
    await settle();
    const [fake] = t.donors;
    const count = t.statuses.length;
    await t.engine.close();
    expect(fake!.withdraw).toHaveBeenCalled();
    expect(fake!.exitClose).toHaveBeenCalled();
    expect(t.ledger.flush).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(stopGraceMs);
    expect(fake!.close).toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    fake!.drop();
    t.engine.configure(config(sharingOn({ maxPeopleAtOnce: 3 })));
    t.engine.retry();
    await vi.advanceTimersByTimeAsync(10 * reconnectMaxDelayMs);
    expect(t.startDonor).toHaveBeenCalledTimes(1);
    expect(t.statuses).toHaveLength(count);
  });

  it('close() while offline cancels the pending retry', async () => {
    const t = setup();
    t.outcomes.push(new SignalingError('connect-failed'));
    t.engine.configure(config(sharingOn()));
    await settle();
    expect(t.last().state).toBe('offline');
    await t.engine.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(reconnectMaxDelayMs);
    expect(t.startDonor).toHaveBeenCalledTimes(1);
  });

  it('close() during an attempt closes the donor it brings', async () => {
    const t = setup();
    t.outcomes.push('hang');
    t.engine.configure(config(sharingOn()));
    await settle();
    await t.engine.close();
    t.hanging[0]!.resolve();
    await settle();
    expect(t.donors[0]!.close).toHaveBeenCalled();
  });
});
