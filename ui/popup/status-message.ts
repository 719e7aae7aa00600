// What the popup says about sharing, from the switch and the engine's last status: one sentence
// per state and reason, whether a retry makes sense, and when the engine retries by itself.
import type { DonorStatus, StatusReason } from '../../protocol/runtime-messages.ts';
import type { MessageKey } from '../common/i18n.ts';

/** How the status looks: a colour beside the sentence, never the only cue. */
export type StatusTone = 'off' | 'busy' | 'ok' | 'paused' | 'problem';

/** The popup's status line, ready to show. */
export interface StatusView {
  sentence: MessageKey;
  tone: StatusTone;
  /** The server's or network's own words, shown when offline. */
  detail?: string;
  /** Offer "Retry now". */
  canRetry: boolean;
  /** When the engine retries by itself, epoch ms. */
  retryAt?: number;
}

const reasonSentences: Record<StatusReason, MessageKey> = {
  'daily-cap': 'status_reason_daily_cap',
  'monthly-cap': 'status_reason_monthly_cap',
  'outside-hours': 'status_reason_outside_hours',
  'not-idle': 'status_reason_not_idle',
  'on-battery': 'status_reason_on_battery',
  'signaling-unreachable': 'status_reason_signaling_unreachable',
  'signaling-refused': 'status_reason_signaling_refused',
  'no-identity': 'status_reason_no_identity',
};

/** The status line for a donor whose switch is `sharing`, given the engine's last `status`. */
export function describeStatus(sharing: boolean, status: DonorStatus): StatusView {
  // The switch is the donor's word; a status from before they flipped it must not contradict it.
  if (!sharing) return { sentence: 'status_off', tone: 'off', canRetry: false };
  switch (status.state) {
    case 'off':
    case 'starting':
      return { sentence: 'status_starting', tone: 'busy', canRetry: false };
    case 'connected':
      return { sentence: 'status_connected', tone: 'ok', canRetry: false };
    case 'paused':
      return { sentence: status.reason ? reasonSentences[status.reason] : 'status_paused', tone: 'paused', canRetry: false };
    case 'offline':
      return {
        sentence: status.reason ? reasonSentences[status.reason] : 'status_offline',
        tone: 'problem',
        canRetry: true,
        ...(status.detail ? { detail: status.detail } : {}),
        ...(status.retryAt !== undefined ? { retryAt: status.retryAt } : {}),
      };
  }
}
