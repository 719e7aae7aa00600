// The donor's settings and status as the UI pages read them: the settings store and status
// helpers from settings/, bound to this extension's storage areas.
import { browser } from 'wxt/browser';
import { sessionArea } from '../../settings/session-area.ts';
import { createSettingsStore, loadDonorStatus, watchDonorStatus, type SettingsStore } from '../../settings/settings-store.ts';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';

/** The settings store over `browser.storage.local`, with the build's signaling server as default. */
export function openSettingsStore(): SettingsStore {
  return createSettingsStore(browser.storage.local, browser.storage.onChanged, __PORCHLIGHT_SIGNALING_URL__);
}

/** The engine's last reported status (session storage; settings/session-area.ts). */
export function loadStatus(): Promise<DonorStatus> {
  return loadDonorStatus(sessionArea().area);
}

/** Calls `listener` with each status the engine reports until `signal` aborts. */
export function watchStatus(listener: (status: DonorStatus) => void, signal: AbortSignal): void {
  watchDonorStatus(browser.storage.onChanged, sessionArea().name, listener, signal);
}
