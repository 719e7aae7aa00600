import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialDonorStatus, type DonorStatus, type EngineConfig } from '../protocol/runtime-messages.ts';
import { defaultDonorSettings, type DonorSettings } from '../settings/donor-settings.ts';
import type { IdleState } from '../settings/share-gate.ts';
import { storageKeys, type SettingsStore, type StorageAreaLike } from '../settings/settings-store.ts';
import { createOrchestrator, type Badge, type EngineLink } from './orchestrator.ts';

const now = new Date('2024-05-10T12:00:00Z').getTime();
const base = defaultDonorSettings('wss://signal.example/ws');

/** A promise and its resolver, for holding a step of a sync open. */
function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void; // assigned by the Promise executor
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The orchestrator over fakes; `log` records every outside effect in order. */
function setup(initial: Partial<DonorSettings> = {}) {
  const log: string[] = [];
  let settings: DonorSettings = { ...base, ...initial };
  let idle: IdleState = 'idle';
  const saved: DonorStatus[] = [];
  const shown: DonorStatus[] = [];
  const configured: EngineConfig[] = [];
  const store: SettingsStore = {
    load: vi.fn(async () => {
      log.push('load');
      return settings;
    }),
    update: vi.fn(),
    watch: vi.fn(),
  };
  const statusArea: StorageAreaLike = {
    get: vi.fn(async () => ({})),
    set: vi.fn(async (items: Record<string, unknown>) => {
      const status = items[storageKeys.status] as DonorStatus;
      log.push(`save:${status.state}`);
      saved.push(status);
    }),
  };
  const engine = {
    created: false,
    ensure: vi.fn(async () => {
      log.push('ensure');
      return false;
    }),
    configure: vi.fn(async (config: EngineConfig) => {
      log.push(`configure:${config.settings.sharing ? 'on' : 'off'}`);
      configured.push(config);
    }),
    shutdown: vi.fn(async () => {
      log.push('shutdown');
    }),
  } satisfies EngineLink & { created: boolean };
  const badge: Badge = {
    show: vi.fn(async (status: DonorStatus) => {
      log.push(`badge:${status.state}`);
      shown.push(status);
    }),
  };
  const orchestrator = createOrchestrator({
    settings: store,
    statusArea,
    engine,
    queryIdle: async () => idle,
    badge,
  });
  return {
    orchestrator,
    log,
    saved,
    shown,
    configured,
    engine,
    store,
    setSettings: (patch: Partial<DonorSettings>) => (settings = { ...settings, ...patch }),
    setIdle: (state: IdleState) => (idle = state),
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createOrchestrator', () => {
  it('does nothing until the first sync', () => {
    const t = setup({ sharing: true });
    expect(t.log).toEqual([]);
  });

  it('with sharing on, makes sure the engine exists, saves "starting" when it had to create it, then configures it', async () => {
    const t = setup({ sharing: true, dailyCapBytes: 5000 });
    t.engine.ensure.mockImplementation(async () => {
      t.log.push('ensure');
      return true;
    });
    t.setIdle('locked');
    await t.orchestrator.sync();
    expect(t.log).toEqual(['load', 'ensure', 'save:starting', 'badge:starting', 'configure:on']);
    expect(t.saved).toEqual([{ ...initialDonorStatus(now), state: 'starting' }]);
    expect(t.configured).toEqual([{ settings: { ...base, sharing: true, dailyCapBytes: 5000 }, idleState: 'locked' }]);
  });

  it('with sharing on and the engine already there, only configures it (its own status stands)', async () => {
    const t = setup({ sharing: true });
    await t.orchestrator.sync();
    expect(t.log).toEqual(['load', 'ensure', 'configure:on']);
    expect(t.saved).toEqual([]);
    expect(t.engine.shutdown).not.toHaveBeenCalled();
  });

  it('with sharing off, tells the engine, shuts it down and saves "off"', async () => {
    const t = setup({ sharing: false });
    await t.orchestrator.sync();
    expect(t.log).toEqual(['load', 'configure:off', 'shutdown', 'save:off', 'badge:off']);
    expect(t.engine.ensure).not.toHaveBeenCalled();
    expect(t.saved).toEqual([initialDonorStatus(now)]);
  });

  it('with sharing off, still shuts down and saves "off" when the engine cannot be told', async () => {
    const t = setup({ sharing: false });
    t.engine.configure.mockRejectedValueOnce(new Error('no receiving end'));
    await t.orchestrator.sync();
    expect(t.engine.shutdown).toHaveBeenCalledTimes(1);
    expect(t.saved.map((s) => s.state)).toEqual(['off']);
  });

  it('follows the settings as they change from one sync to the next', async () => {
    const t = setup({ sharing: false });
    await t.orchestrator.sync();
    t.setSettings({ sharing: true });
    await t.orchestrator.sync();
    t.setSettings({ sharing: false });
    await t.orchestrator.sync();
    expect(t.configured.map((c) => c.settings.sharing)).toEqual([false, true, false]);
    expect(t.engine.shutdown).toHaveBeenCalledTimes(2);
  });

  it('runs concurrent syncs one at a time, in order', async () => {
    const t = setup({ sharing: true });
    const firstEnsure = deferred<boolean>();
    t.engine.ensure.mockImplementationOnce(async () => {
      t.log.push('ensure(held)');
      return firstEnsure.promise;
    });
    const first = t.orchestrator.sync();
    const second = t.orchestrator.sync();
    await vi.advanceTimersByTimeAsync(0);
    // The second sync has not even read the settings while the first is held.
    expect(t.log).toEqual(['load', 'ensure(held)']);
    t.setSettings({ sharing: false });
    firstEnsure.resolve(false);
    await Promise.all([first, second]);
    expect(t.log).toEqual(['load', 'ensure(held)', 'configure:on', 'load', 'configure:off', 'shutdown', 'save:off', 'badge:off']);
  });

  it('runs the next sync after one that failed', async () => {
    const t = setup({ sharing: true });
    t.engine.ensure.mockRejectedValueOnce(new Error('offscreen document failed'));
    const failed = t.orchestrator.sync();
    const next = t.orchestrator.sync();
    await expect(failed).rejects.toThrow('offscreen document failed');
    await expect(next).resolves.toBeUndefined();
    expect(t.configured).toHaveLength(1);
  });

  it('saves and shows every status the engine reports', async () => {
    const t = setup();
    const connected: DonorStatus = { ...initialDonorStatus(now), state: 'connected', helpingNow: 3, peerId: 'p' };
    const paused: DonorStatus = { ...initialDonorStatus(now), state: 'paused', reason: 'daily-cap' };
    await t.orchestrator.onStatus(connected);
    await t.orchestrator.onStatus(paused);
    expect(t.saved).toEqual([connected, paused]);
    expect(t.shown).toEqual([connected, paused]);
    expect(t.log).toEqual(['save:connected', 'badge:connected', 'save:paused', 'badge:paused']);
  });
});
