// Chrome: the engine lives in the offscreen document and is reached by runtime messages.
import { browser } from 'wxt/browser';
import type { BackgroundOptions } from './start-background.ts';
import { closeOffscreenDocument, ensureOffscreenDocument } from './offscreen-document.ts';

/** What the service worker needs to drive the offscreen document's engine. */
export function offscreenEngineOptions(): BackgroundOptions {
  return {
    engine: {
      ensure: ensureOffscreenDocument,
      async configure(config) {
        // A document still loading has no listener yet; it says 'engine-ready' and is configured then.
        await browser.runtime.sendMessage({ type: 'engine-configure', config }).catch(() => {});
      },
      shutdown: closeOffscreenDocument,
    },
    // The webRequest listener is here, the address gate in the document.
    reportAddress: (url, ips, redirect, failure) => void browser.runtime.sendMessage({ type: 'exit-address', url, ips, redirect, failure }).catch(() => {}),
  };
}
