// TEST BUILDS ONLY (wxt.config.ts skips this entrypoint without a test origin): the extension page
// the test bridge frames into the test origin's /test-bridge page. It acts on the page's requests
// with the extension's own storage — settings as the options page saves them, the status the
// background stores. Wiring only; see content/test-bridge.ts.
import { browser } from 'wxt/browser';
import { serveTestBridge } from '../../content/test-bridge.ts';
import { sessionArea } from '../../settings/session-area.ts';
import { createSettingsStore, loadDonorStatus } from '../../settings/settings-store.ts';

if (__PORCHLIGHT_TEST_ORIGIN__) {
  const settings = createSettingsStore(browser.storage.local, browser.storage.onChanged, __PORCHLIGHT_SIGNALING_URL__);
  serveTestBridge(
    window,
    __PORCHLIGHT_TEST_ORIGIN__,
    {
      updateSettings: (patch) => settings.update(patch),
      readSettings: () => settings.load(),
      readStatus: () => loadDonorStatus(sessionArea().area),
    },
    new AbortController().signal,
  );
}
