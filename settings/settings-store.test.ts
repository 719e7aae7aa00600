import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialDonorStatus, type DonorStatus } from '../protocol/runtime-messages.ts';
import { defaultDonorSettings, DonorSettingsError, type DonorSettings } from './donor-settings.ts';
import {
  createSettingsStore,
  loadDonorStatus,
  storageKeys,
  watchDonorStatus,
  type StorageAreaLike,
  type StorageChangedEvent,
} from './settings-store.ts';

type Changes = Record<string, { newValue?: unknown }>;
type Listener = (changes: Changes, areaName: string) => void;

/** `browser.storage.onChanged`: one event for every area, like the browser's. */
function fakeOnChanged(): StorageChangedEvent & { emit(changes: Changes, areaName: string): void; readonly size: number } {
  const listeners = new Set<Listener>();
  return {
    addListener: (listener) => void listeners.add(listener),
    removeListener: (listener) => void listeners.delete(listener),
    emit: (changes, areaName) => {
      for (const listener of [...listeners]) listener(changes, areaName);
    },
    get size() {
      return listeners.size;
    },
  };
}

/** An in-memory storage area that reports its changes under `name`, values cloned like the browser's. */
function fakeArea(name: string, onChanged: ReturnType<typeof fakeOnChanged>, initial: Record<string, unknown> = {}): StorageAreaLike & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = structuredClone(initial);
  return {
    data,
    async get(key) {
      return key in data ? { [key]: structuredClone(data[key]) } : {};
    },
    async set(items) {
      const changes: Changes = {};
      for (const [key, value] of Object.entries(items)) {
        data[key] = structuredClone(value);
        changes[key] = { newValue: structuredClone(value) };
      }
      onChanged.emit(changes, name);
    },
  };
}

const serverUrl = 'wss://signal.example/ws';
const defaults = defaultDonorSettings(serverUrl);

function setup(initial: Record<string, unknown> = {}) {
  const onChanged = fakeOnChanged();
  const local = fakeArea('local', onChanged, initial);
  const store = createSettingsStore(local, onChanged, serverUrl);
  return { onChanged, local, store };
}

describe('createSettingsStore', () => {
  it('loads the defaults on a fresh install, with the build server', async () => {
    const { store } = setup();
    await expect(store.load()).resolves.toEqual(defaults);
  });

  it('loads what was saved, falling back key by key for damaged values', async () => {
    const { store } = setup({ [storageKeys.settings]: { sharing: true, dailyCapBytes: -3, maxPeopleAtOnce: 6 } });
    await expect(store.load()).resolves.toEqual({ ...defaults, sharing: true, maxPeopleAtOnce: 6 });
  });

  it('saves a valid change and resolves with the settings as saved', async () => {
    const { store, local } = setup();
    const saved = await store.update({ sharing: true, dailyCapBytes: 1_000_000 });
    expect(saved).toEqual({ ...defaults, sharing: true, dailyCapBytes: 1_000_000 });
    expect(local.data[storageKeys.settings]).toEqual(saved);
    await expect(store.load()).resolves.toEqual(saved);
  });

  it('builds on what is stored, not on the defaults', async () => {
    const { store } = setup({ [storageKeys.settings]: { ...defaults, maxPeopleAtOnce: 7 } });
    await expect(store.update({ onlyWhenIdle: true })).resolves.toEqual({ ...defaults, maxPeopleAtOnce: 7, onlyWhenIdle: true });
  });

  it('refuses an invalid change and saves nothing', async () => {
    const before = { ...defaults, dailyCapBytes: 5000 };
    const { store, local } = setup({ [storageKeys.settings]: before });
    const set = vi.spyOn(local, 'set');
    await expect(store.update({ sharing: true, maxPeopleAtOnce: 1000 })).rejects.toBeInstanceOf(DonorSettingsError);
    expect(set).not.toHaveBeenCalled();
    await expect(store.load()).resolves.toEqual(before);
  });

  it('tells a watcher about every saved change, as parsed settings', async () => {
    const { store } = setup();
    const seen: DonorSettings[] = [];
    store.watch((s) => seen.push(s), new AbortController().signal);
    await store.update({ sharing: true });
    await store.update({ dailyCapBytes: 2048 });
    expect(seen).toEqual([
      { ...defaults, sharing: true },
      { ...defaults, sharing: true, dailyCapBytes: 2048 },
    ]);
  });

  it('restores a damaged change key by key before the watcher sees it', () => {
    const { store, onChanged } = setup();
    const listener = vi.fn();
    store.watch(listener, new AbortController().signal);
    onChanged.emit({ [storageKeys.settings]: { newValue: { sharing: 'yes', maxPeopleAtOnce: 3 } } }, 'local');
    expect(listener).toHaveBeenCalledWith({ ...defaults, maxPeopleAtOnce: 3 });
  });

  const ignored: ReadonlyArray<readonly [string, Changes, string]> = [
    ['the settings key in another area', { [storageKeys.settings]: { newValue: { ...defaults, sharing: true } } }, 'sync'],
    ['the settings key in session storage', { [storageKeys.settings]: { newValue: { ...defaults, sharing: true } } }, 'session'],
    ['another key in local storage', { [storageKeys.status]: { newValue: initialDonorStatus(0) } }, 'local'],
    ['an unrelated key', { identity: { newValue: 'x' } }, 'local'],
  ];
  it.each(ignored)('does not wake a watcher for %s', (_name, changes, areaName) => {
    const { store, onChanged } = setup();
    const listener = vi.fn();
    store.watch(listener, new AbortController().signal);
    onChanged.emit(changes, areaName);
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops telling a watcher once its signal aborts', async () => {
    const { store, onChanged } = setup();
    const listener = vi.fn();
    const lifetime = new AbortController();
    store.watch(listener, lifetime.signal);
    await store.update({ sharing: true });
    lifetime.abort();
    await store.update({ sharing: false });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(onChanged.size).toBe(0);
  });

  it('never starts watching with a signal that already aborted', async () => {
    const { store, onChanged } = setup();
    const listener = vi.fn();
    store.watch(listener, AbortSignal.abort());
    await store.update({ sharing: true });
    expect(listener).not.toHaveBeenCalled();
    expect(onChanged.size).toBe(0);
  });
});

describe('donor status in storage', () => {
  const now = new Date('2024-05-10T12:00:00Z').getTime();
  beforeEach(() => {
    vi.useFakeTimers({ now });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const connected: DonorStatus = {
    state: 'connected',
    helpingNow: 2,
    bytesToday: 1234,
    bytesThisMonth: 99999,
    countriesToday: ['DE', 'BR'],
    peerId: 'peer-1',
    at: now - 500,
  };

  it('loads the status the engine last saved', async () => {
    const onChanged = fakeOnChanged();
    const session = fakeArea('session', onChanged, { [storageKeys.status]: connected });
    await expect(loadDonorStatus(session)).resolves.toEqual(connected);
  });

  const unreadable: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['nothing saved', {}],
    ['a string', { [storageKeys.status]: 'connected' }],
    ['an unknown state', { [storageKeys.status]: { ...connected, state: 'turbo' } }],
    ['negative bytes', { [storageKeys.status]: { ...connected, bytesToday: -1 } }],
    ['an extra field', { [storageKeys.status]: { ...connected, secret: 1 } }],
  ];
  it.each(unreadable)('shows "off" as of now for %s', async (_name, initial) => {
    const session = fakeArea('session', fakeOnChanged(), initial);
    await expect(loadDonorStatus(session)).resolves.toEqual(initialDonorStatus(now));
  });

  it('passes each new status saved in its area on to the watcher, skipping malformed ones', async () => {
    const onChanged = fakeOnChanged();
    const session = fakeArea('session', onChanged);
    const seen: DonorStatus[] = [];
    watchDonorStatus(onChanged, 'session', (s) => seen.push(s), new AbortController().signal);
    await session.set({ [storageKeys.status]: connected });
    await session.set({ [storageKeys.status]: { state: 'connected' } });
    await session.set({ [storageKeys.status]: { ...connected, helpingNow: 1.5 } });
    const paused: DonorStatus = { ...connected, state: 'paused', reason: 'daily-cap', helpingNow: 0 };
    await session.set({ [storageKeys.status]: paused });
    expect(seen).toEqual([connected, paused]);
  });

  it('ignores statuses in another area and other keys', () => {
    const onChanged = fakeOnChanged();
    const listener = vi.fn();
    watchDonorStatus(onChanged, 'session', listener, new AbortController().signal);
    onChanged.emit({ [storageKeys.status]: { newValue: connected } }, 'local');
    onChanged.emit({ [storageKeys.settings]: { newValue: connected } }, 'session');
    expect(listener).not.toHaveBeenCalled();
  });

  it('watches local storage where that is the session area (Firefox MV2)', () => {
    const onChanged = fakeOnChanged();
    const listener = vi.fn();
    watchDonorStatus(onChanged, 'local', listener, new AbortController().signal);
    onChanged.emit({ [storageKeys.status]: { newValue: connected } }, 'local');
    expect(listener).toHaveBeenCalledWith(connected);
  });

  it('stops after abort, and never starts with an aborted signal', () => {
    const onChanged = fakeOnChanged();
    const listener = vi.fn();
    const lifetime = new AbortController();
    watchDonorStatus(onChanged, 'session', listener, lifetime.signal);
    watchDonorStatus(onChanged, 'session', listener, AbortSignal.abort());
    lifetime.abort();
    onChanged.emit({ [storageKeys.status]: { newValue: connected } }, 'session');
    expect(listener).not.toHaveBeenCalled();
    expect(onChanged.size).toBe(0);
  });
});
