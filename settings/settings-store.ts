// Settings and status kept in extension storage, read and written through one parser. Works over
// any StorageArea-shaped object, so unit tests use an in-memory one.
import { defaultDonorSettings, restoreDonorSettings, updateDonorSettings, type DonorSettings } from './donor-settings.ts';
import { initialDonorStatus, parseDonorStatus, type DonorStatus } from '../protocol/runtime-messages.ts';

/** Keys in extension storage; settings persist (local), status lives for the browser session. */
export const storageKeys = { settings: 'settings', status: 'donorStatus', partnerRequest: 'partnerRequest' } as const;

/** The part of `browser.storage.local` / `.session` this module uses. */
export interface StorageAreaLike {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** `browser.storage.onChanged`, reduced to what `watch` needs. */
export interface StorageChangedEvent {
  addListener(listener: (changes: Record<string, { newValue?: unknown }>, areaName: string) => void): void;
  removeListener(listener: (changes: Record<string, { newValue?: unknown }>, areaName: string) => void): void;
}

export interface SettingsStore {
  load(): Promise<DonorSettings>;
  /**
   * Validates and saves a change; resolves with the settings as saved.
   * @throws {DonorSettingsError} when the change is invalid (nothing is saved).
   */
  update(patch: Partial<DonorSettings>): Promise<DonorSettings>;
  /** Calls `listener` with the new settings after every saved change, until `signal` aborts. */
  watch(listener: (settings: DonorSettings) => void, signal: AbortSignal): void;
}

/** Settings in `area` (storage.local), defaulting to `defaultSignalingUrl` for the server. */
export function createSettingsStore(area: StorageAreaLike, onChanged: StorageChangedEvent, defaultSignalingUrl: string): SettingsStore {
  const defaults = defaultDonorSettings(defaultSignalingUrl);
  const load = async (): Promise<DonorSettings> => restoreDonorSettings((await area.get(storageKeys.settings))[storageKeys.settings], defaults);
  return {
    load,
    async update(patch) {
      const next = updateDonorSettings(await load(), patch);
      await area.set({ [storageKeys.settings]: next });
      return next;
    },
    watch(listener, signal) {
      const onChange = (changes: Record<string, { newValue?: unknown }>, areaName: string): void => {
        const change = changes[storageKeys.settings];
        if (areaName !== 'local' || !change) return;
        listener(restoreDonorSettings(change.newValue, defaults));
      };
      // An already-aborted signal never fires 'abort': adding the listener would leak it for good.
      if (signal.aborted) return;
      onChanged.addListener(onChange);
      signal.addEventListener('abort', () => onChanged.removeListener(onChange), { once: true });
    },
  };
}

/** The donor status as last reported by the engine, or the initial one if unreadable. */
export async function loadDonorStatus(area: StorageAreaLike): Promise<DonorStatus> {
  const stored = (await area.get(storageKeys.status))[storageKeys.status];
  if (stored === undefined) return initialDonorStatus(Date.now());
  try {
    return parseDonorStatus(stored);
  } catch {
    return initialDonorStatus(Date.now());
  }
}

/** Calls `listener` with each new status saved in `areaName` storage, until `signal` aborts. */
export function watchDonorStatus(onChanged: StorageChangedEvent, areaName: string, listener: (status: DonorStatus) => void, signal: AbortSignal): void {
  const onChange = (changes: Record<string, { newValue?: unknown }>, area: string): void => {
    const change = changes[storageKeys.status];
    if (area !== areaName || !change) return;
    try {
      listener(parseDonorStatus(change.newValue));
    } catch {
      // A status we cannot read is not shown; the next one will be.
    }
  };
  if (signal.aborted) return;
  onChanged.addListener(onChange);
  signal.addEventListener('abort', () => onChanged.removeListener(onChange), { once: true });
}
