// The status line under the switch: connected or not and why, with a retry when offline.
import { Show, type JSX } from 'solid-js';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import { t, tParts, uiLanguage } from '../common/i18n.ts';
import { createOnline } from '../common/online-signal.ts';
import { relativeDelay } from '../common/relative-delay.ts';
import { describeStatus } from './status-message.ts';

/** The sentence for the current state, the offline detail, the engine's own retry time and a Retry button. */
export function ShareStatus(props: { sharing: boolean; status: DonorStatus; signalingUrl: string; now: number; onRetry: () => void }): JSX.Element {
  const online = createOnline();
  const view = () => describeStatus(props.sharing, props.status, { online: online(), signalingUrl: props.signalingUrl });
  // A host name reads left to right inside a right-to-left sentence.
  const sentence = () => {
    const current = view();
    return current.server === undefined ? t(current.sentence) : tParts(current.sentence, [<bdi class="ltr-token">{current.server}</bdi>]);
  };
  const retryAt = () => {
    const at = view().retryAt;
    return at !== undefined && at > props.now ? at : undefined;
  };
  return (
    <div class="share-status" data-tone={view().tone}>
      {/* Only the sentence is live: a ticking countdown must not be read out every second. */}
      <p id="share-status" role="status">
        {sentence()}
      </p>
      <Show when={view().detail}>{(detail) => <p class="status-detail">{t('status_detail', [detail()])}</p>}</Show>
      <Show when={retryAt()}>{(at) => <p id="retry-at">{t('status_retry_at', [relativeDelay(at(), props.now, uiLanguage())])}</p>}</Show>
      <Show when={view().canRetry}>
        <button type="button" id="retry-now" onClick={() => props.onRetry()}>
          {t('popup_retry')}
        </button>
      </Show>
    </div>
  );
}
