// Background: Chrome's service worker runs the engine in an offscreen document; Firefox's
// background page runs it right here. Wiring only; the logic is in background/ and offscreen/.
import { defineBackground } from 'wxt/utils/define-background';
import { localEngineOptions } from '../background/local-engine-link.ts';
import { offscreenEngineOptions } from '../background/offscreen-engine-link.ts';
import { startBackground } from '../background/start-background.ts';
import type { DonorStatus } from '../protocol/runtime-messages.ts';

export default defineBackground({
  // Firefox MV2: a persistent background page holds the donor's data channels.
  persistent: true,
  main() {
    if (import.meta.env.FIREFOX) {
      let report: (status: DonorStatus) => void = () => {};
      const orchestrator = startBackground(localEngineOptions((status) => report(status)));
      report = (status) => void orchestrator.onStatus(status);
    } else {
      startBackground(offscreenEngineOptions());
    }
  },
});
