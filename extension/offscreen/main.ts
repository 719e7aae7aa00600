// Chrome's offscreen document: runs the donor engine (WebRTC needs a document) and talks to the
// service worker by runtime messages. Wiring only.
import { browser } from 'wxt/browser';
import { parseRuntimeMessage } from '../../protocol/runtime-messages.ts';
import { createAddressGate } from '../../offscreen/exit/guarded-fetch/address-gate.ts';
import { handleEngineMessage, startBrowserEngine } from '../../offscreen/engine-host.ts';

// The service worker's webRequest listener reports where each exit request connected.
const addressGate = createAddressGate();
const engine = await startBrowserEngine((status) => {
  // Wakes the service worker if it sleeps; it stores the status and updates the badge.
  void browser.runtime.sendMessage({ type: 'engine-status', status }).catch(() => {});
}, {
  gate: addressGate,
  // Chrome does not start a sleeping worker for webRequest events; a message does.
  beforeFetch: async () => {
    await browser.runtime.sendMessage({ type: 'exit-fetch-starting' });
  },
});
browser.runtime.onMessage.addListener((raw: unknown, sender: { id?: string }) => {
  if (sender.id !== browser.runtime.id) return undefined;
  const message = parseRuntimeMessage(raw);
  return message ? handleEngineMessage(engine, message, addressGate) : undefined;
});
void browser.runtime.sendMessage({ type: 'engine-ready' }).catch(() => {});
