// What the popup says about sharing, from the switch and the engine's last status: one sentence
// per state and reason, whether a retry makes sense, and when the engine retries by itself. When
// the server cannot be reached, the browser's own word on whether this computer has a network at
// all (navigator.onLine) says which it is; when the computer is online the WebSocket error cannot
// tell a server that is down from an internet link that is, so the sentence names both.
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
  /** The signaling server's host, which `sentence` names as its $SERVER$. */
  server?: string;
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

/** What the popup knows about the connection besides the engine's status. */
export interface NetworkView {
  /** `navigator.onLine`: false means this computer has no network at all; true proves nothing more. */
  online: boolean;
  /** The signaling server the engine uses (the settings' `signalingUrl`). */
  signalingUrl: string;
}

/** The host of a signaling URL as a person reads it ("signal.porchlight.network"), or the text as given. */
export function serverName(signalingUrl: string): string {
  try {
    return new URL(signalingUrl).host || signalingUrl;
  } catch {
    return signalingUrl;
  }
}

/** The sentence for `reason` (or `fallback` without one); an unreachable server reads as this computer offline, or as the server at its host down or out of reach. */
function sentenceFor(reason: StatusReason | undefined, fallback: MessageKey, network: NetworkView): Pick<StatusView, 'sentence' | 'server'> {
  if (reason !== 'signaling-unreachable') return { sentence: reason ? reasonSentences[reason] : fallback };
  return network.online ? { sentence: 'status_reason_signaling_unreachable', server: serverName(network.signalingUrl) } : { sentence: 'status_reason_computer_offline' };
}

/** The status line for a donor whose switch is `sharing`, given the engine's last `status` and the `network` as the popup sees it. */
export function describeStatus(sharing: boolean, status: DonorStatus, network: NetworkView): StatusView {
  // The switch is the donor's word; a status from before they flipped it must not contradict it.
  if (!sharing) return { sentence: 'status_off', tone: 'off', canRetry: false };
  switch (status.state) {
    case 'off':
    case 'starting':
      return { sentence: 'status_starting', tone: 'busy', canRetry: false };
    case 'connected':
      return { sentence: 'status_connected', tone: 'ok', canRetry: false };
    case 'paused':
      return { ...sentenceFor(status.reason, 'status_paused', network), tone: 'paused', canRetry: false };
    case 'offline':
      return {
        ...sentenceFor(status.reason, 'status_offline', network),
        tone: 'problem',
        canRetry: true,
        ...(status.detail ? { detail: status.detail } : {}),
        ...(status.retryAt !== undefined ? { retryAt: status.retryAt } : {}),
      };
  }
}
