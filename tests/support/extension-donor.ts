// Reading and steering a donor extension from a test: its settings and status live in extension
// storage, reached through the service worker (a real user's popup writes the same keys).
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import type { ExtensionBrowser } from './extension-browser.ts';

// The extension's own `chrome` global, as seen inside its service worker (code passed to evaluate).
interface StorageArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}
declare const chrome: { storage: { local: StorageArea; session: StorageArea } };

/** Merges `patch` into the stored settings (the engine applies them live). */
export async function patchDonorSettings(ext: ExtensionBrowser, patch: Partial<DonorSettings>): Promise<void> {
  const worker = await ext.serviceWorker();
  await worker.evaluate(async (change) => {
    const stored = ((await chrome.storage.local.get('settings')) as { settings?: object }).settings ?? {};
    await chrome.storage.local.set({ settings: { ...stored, ...change } });
  }, patch);
}

/** The donor status the engine last reported, if any. */
export async function readDonorStatus(ext: ExtensionBrowser): Promise<DonorStatus | undefined> {
  const worker = await ext.serviceWorker();
  return worker.evaluate(async () => ((await chrome.storage.session.get('donorStatus')) as { donorStatus?: DonorStatus }).donorStatus);
}

/**
 * Polls the status until `accept` returns true.
 * @throws {Error} with the last status seen after `timeoutMs`.
 */
export async function waitForDonorStatus(ext: ExtensionBrowser, accept: (status: DonorStatus) => boolean, timeoutMs = 20_000): Promise<DonorStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: DonorStatus | undefined;
  for (;;) {
    last = await readDonorStatus(ext).catch(() => last);
    if (last && accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`donor status not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
