// Firefox: the engine lives in the background page itself (a persistent MV2 page can hold data
// channels), started on first use.
import { browser } from 'wxt/browser';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import { createAddressGate } from '../offscreen/exit/guarded-fetch/address-gate.ts';
import type { DonorEngine } from '../offscreen/peers/donor-engine.ts';
import { handleEngineMessage, startBrowserEngine } from '../offscreen/engine-host.ts';
import { browserDnsResolver } from '../offscreen/exit/guarded-fetch/firefox-dns-check.ts';
import type { BackgroundOptions } from './start-background.ts';

/** The background options for an engine in this page; `onStatus` receives its statuses. */
export function localEngineOptions(onStatus: (status: DonorStatus) => void): BackgroundOptions {
  const gate = createAddressGate();
  let engine: Promise<DonorEngine> | undefined;
  // Firefox resolves the host of each hop first (DESIGN: DNS rebinding); the gate checks what was connected to.
  const get = (): Promise<DonorEngine> => (engine ??= startBrowserEngine(onStatus, { gate, beforeFetch: async () => {} }, browserDnsResolver(browser)));
  return {
    engine: {
      async ensure() {
        const created = engine === undefined;
        await get();
        return created;
      },
      async configure(config) {
        (await get()).configure(config);
      },
      // The page stays; an engine told sharing is off holds no connections or timers.
      async shutdown() {},
    },
    reportAddress: (url, ips, redirect, failure) => gate.report(url, ips, redirect, failure),
    localEngineMessage: (message) => get().then((e) => handleEngineMessage(e, message)),
  };
}
