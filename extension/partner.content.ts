// Partner sites: relays a page's "Donate bandwidth" request to the extension, which asks the donor
// in its own window (content/partner-bridge.ts). Wiring only.
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPartnerBridge } from '../content/partner-bridge.ts';

export default defineContentScript({
  // Partner pages are https; test builds add their loopback test origin (wxt.config.ts).
  matches: ['https://*/*'],
  runAt: 'document_idle',
  main(ctx) {
    startPartnerBridge({
      window,
      ask: (sponsorCode) => browser.runtime.sendMessage({ type: 'partner-donate', sponsorCode }),
      signal: ctx.signal,
    });
  },
});
