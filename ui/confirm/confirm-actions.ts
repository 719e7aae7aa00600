// The confirmation page's one action: answer the partner's request, then close.
import type { PartnerRequest, RuntimeMessage } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';

/** How an answer ended, for the sentence the page shows. */
export type AnswerOutcome = 'allowed' | 'denied' | 'expired' | 'failed';

/** Wait this long after a settled answer before closing, so the result can be seen and heard. */
export const closeAfterAnswerMs = 1500;

/** What the confirmation page can do. */
export interface ConfirmActions {
  /** Sends the donor's answer to the service worker and reports what came of it. */
  answer(request: PartnerRequest, accept: boolean): Promise<AnswerOutcome>;
  /** Closes the confirmation window or tab. */
  close(): void;
}

/** What the confirmation actions need from the browser. */
export interface ConfirmActionDeps {
  send: (message: RuntimeMessage) => Promise<unknown>;
  loadSettings: () => Promise<DonorSettings>;
  closeWindow: () => void;
}

/** The confirmation page's actions over runtime messages and the settings store. */
export function makeConfirmActions(deps: ConfirmActionDeps): ConfirmActions {
  return {
    async answer(request, accept) {
      try {
        await deps.send({ type: 'partner-answer', requestId: request.requestId, accept });
      } catch (error) {
        console.error('porchlight: the answer did not reach the service worker', error);
        return 'failed';
      }
      if (!accept) return 'denied';
      // The service worker drops requests left too long; only the settings tell whether it applied this one.
      const settings = await deps.loadSettings();
      return settings.sharing && settings.sponsorCode === request.sponsorCode ? 'allowed' : 'expired';
    },
    close: () => deps.closeWindow(),
  };
}
