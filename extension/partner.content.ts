// Partner sites: relays a page's "Donate bandwidth" request to the extension, which asks the donor
// in its own window (content/partner-bridge.ts). Wiring only.
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPartnerBridge } from '../content/partner-bridge.ts';
import { partnerMatchPatterns, partnerOrigins } from '../content/partner-origins.ts';

export default defineContentScript({
  // Only the partner sites listed in content/partner-origins.ts; test builds add their loopback
  // test origin, and a build with neither leaves this script out (wxt.config.ts).
  matches: partnerMatchPatterns(partnerOrigins),
  runAt: 'document_idle',
  main(ctx) {
    startPartnerBridge({
      window,
      ask: (sponsorCode) => browser.runtime.sendMessage({ type: 'partner-donate', sponsorCode }),
      signal: ctx.signal,
    });
  },
});
