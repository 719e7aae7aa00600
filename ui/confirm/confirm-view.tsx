// The confirmation page a partner site's "donate" button opens: the pending request, the answer,
// and what came of it.
import { createSignal, Match, Switch, type Accessor, type JSX } from 'solid-js';
import type { PartnerRequest } from '../../protocol/runtime-messages.ts';
import { t, type MessageKey } from '../common/i18n.ts';
import { closeAfterAnswerMs, type AnswerOutcome, type ConfirmActions } from './confirm-actions.ts';
import { PartnerQuestion } from './partner-question.tsx';

const outcomeMessages: Record<AnswerOutcome, MessageKey> = {
  allowed: 'confirm_done_allowed',
  denied: 'confirm_done_denied',
  expired: 'confirm_expired',
  failed: 'confirm_failed',
};

/** The whole page; `request` is undefined while loading and null when nothing is pending. */
export function ConfirmView(props: { request: Accessor<PartnerRequest | null | undefined>; actions: ConfirmActions }): JSX.Element {
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<AnswerOutcome>();
  const answer = async (request: PartnerRequest, accept: boolean): Promise<void> => {
    setBusy(true);
    const result = await props.actions.answer(request, accept);
    setOutcome(result);
    setBusy(false);
    if (result === 'allowed' || result === 'denied') setTimeout(() => props.actions.close(), closeAfterAnswerMs);
  };
  const outcomeText = (): string => {
    const settled = outcome();
    if (settled) return t(outcomeMessages[settled]);
    return busy() ? t('confirm_working') : '';
  };
  return (
    <main class="confirm">
      <h1>{t('confirm_title')}</h1>
      <p id="confirm-outcome" role="status" class={outcome() === 'failed' ? 'error-text' : undefined}>
        {outcomeText()}
      </p>
      <Switch>
        {/* Once answered, the service worker clears the request; the outcome stays on screen. */}
        <Match when={outcome() && outcome() !== 'failed'}>{null}</Match>
        <Match when={props.request() === null}>
          <p id="confirm-none">{t('confirm_none')}</p>
        </Match>
        <Match when={props.request()}>
          {(request) => <PartnerQuestion request={request()} busy={busy()} onAnswer={(accept) => void answer(request(), accept)} />}
        </Match>
      </Switch>
    </main>
  );
}
