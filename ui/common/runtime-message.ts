// Messages from the UI pages to the service worker, typed by protocol/runtime-messages.ts.
import { browser } from 'wxt/browser';
import type { RuntimeMessage } from '../../protocol/runtime-messages.ts';

/**
 * Sends `message` to the extension's other contexts; resolves with the answer, if any.
 * @throws {Error} when no context listens (e.g. the service worker failed to start).
 */
export function sendRuntimeMessage(message: RuntimeMessage): Promise<unknown> {
  return browser.runtime.sendMessage(message);
}
