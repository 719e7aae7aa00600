// The question a partner site's request puts to the donor, in plain words, with Allow / Don't allow.
import { Show, type JSX } from 'solid-js';
import type { PartnerRequest } from '../../protocol/runtime-messages.ts';
import { t, tParts } from '../common/i18n.ts';

/** Who asks, for which sponsor code, what sharing means, and the two answers. */
export function PartnerQuestion(props: { request: PartnerRequest; busy: boolean; onAnswer: (accept: boolean) => void }): JSX.Element {
  const origin = () => <bdi class="ltr-token">{props.request.origin}</bdi>;
  return (
    <>
      <p id="confirm-request" class="confirm-request">
        <Show when={props.request.sponsorCode} fallback={tParts('confirm_request', [origin()])}>
          {(code) => tParts('confirm_request_with_code', [origin(), <bdi class="ltr-token">{code()}</bdi>])}
        </Show>
      </p>
      <p>{t('confirm_explain')}</p>
      <p class="muted">{t('confirm_switch_off')}</p>
      <div class="confirm-buttons">
        <button type="button" id="confirm-allow" disabled={props.busy} onClick={() => props.onAnswer(true)}>
          {t('confirm_allow')}
        </button>
        <button type="button" id="confirm-deny" class="secondary" disabled={props.busy} onClick={() => props.onAnswer(false)}>
          {t('confirm_deny')}
        </button>
      </div>
    </>
  );
}
