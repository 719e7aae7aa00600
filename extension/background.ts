// Background: Chrome's service worker runs the engine in an offscreen document; Firefox's
// background page runs it right here. Wiring only; the logic is in background/ and offscreen/.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { closeOffscreenDocument, ensureOffscreenDocument } from '../background/offscreen-document.ts';
import type { EngineLink } from '../background/orchestrator.ts';
import { startBackground } from '../background/start-background.ts';
import { createAddressGate } from '../offscreen/address-gate.ts';
import type { DonorEngine } from '../offscreen/donor-engine.ts';
import { handleEngineMessage, startBrowserEngine } from '../offscreen/engine-host.ts';
import { browserDnsResolver } from '../offscreen/firefox-dns-check.ts';

/** Chrome: the engine lives in the offscreen document and is reached by runtime messages. */
function offscreenEngine(): EngineLink {
  return {
    ensure: ensureOffscreenDocument,
    async configure(config) {
      // A document still loading has no listener yet; it says 'engine-ready' and is configured then.
      await browser.runtime.sendMessage({ type: 'engine-configure', config }).catch(() => {});
    },
    shutdown: closeOffscreenDocument,
  };
}

/** Firefox: the engine lives in this background page. */
function localEngine(onStatus: Parameters<typeof startBrowserEngine>[0], gate: ReturnType<typeof createAddressGate>): { link: EngineLink; engine: () => Promise<DonorEngine> } {
  let engine: Promise<DonorEngine> | undefined;
  // Firefox resolves each exit request's host first (DESIGN: DNS rebinding); the gate checks what was connected to.
  const get = (): Promise<DonorEngine> => (engine ??= startBrowserEngine(onStatus, { gate, beforeFetch: async () => {} }, browserDnsResolver(browser)));
  return {
    engine: get,
    link: {
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
  };
}

export default defineBackground({
  // Firefox MV2: a persistent background page holds the donor's data channels.
  persistent: true,
  main() {
    if (import.meta.env.FIREFOX) {
      let report: (status: Parameters<Parameters<typeof startBrowserEngine>[0]>[0]) => void = () => {};
      const gate = createAddressGate();
      const local = localEngine((status) => report(status), gate);
      const orchestrator = startBackground({
        engine: local.link,
        reportAddress: (url, ips) => gate.report(url, ips),
        localEngineMessage: (message) => local.engine().then((engine) => handleEngineMessage(engine, message)),
      });
      report = (status) => void orchestrator.onStatus(status);
    } else {
      startBackground({
        engine: offscreenEngine(),
        reportAddress: (url, ips) => void browser.runtime.sendMessage({ type: 'exit-address', url, ips }).catch(() => {}),
      });
    }
  },
});
