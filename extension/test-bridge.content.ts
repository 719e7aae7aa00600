// TEST BUILDS ONLY (wxt.config.ts skips this entrypoint without a test origin): frames the test
// bridge's extension page into the test origin's /test-bridge page, so a suite can drive the
// extension from a page puppeteer can open. Wiring only; see content/test-bridge.ts.
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { testBridgeFrameAttribute, testBridgeFramePath, testBridgePath } from '../content/test-bridge.ts';

export default defineContentScript({
  // Match patterns cannot name a port; the script checks the exact test origin itself.
  matches: [`http://127.0.0.1${testBridgePath}*`],
  main() {
    if (!__PORCHLIGHT_TEST_ORIGIN__ || location.origin !== __PORCHLIGHT_TEST_ORIGIN__) return;
    const frame = document.createElement('iframe');
    frame.setAttribute(testBridgeFrameAttribute, '');
    frame.hidden = true;
    frame.src = browser.runtime.getURL(testBridgeFramePath);
    document.body.append(frame);
  },
});
