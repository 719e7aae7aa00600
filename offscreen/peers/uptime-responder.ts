// The donor's half of uptime challenges: while it shares, it answers the oracles' signed "are
// you there?" with its own signature, its payment binding and what it is doing. It answers
// only the oracle keys it is configured with, only challenges addressed to it, each nonce once,
// and at most a few per oracle per minute, so neither a stranger nor a runaway oracle can make it
// spend work or bandwidth. The challenge format is protocol/uptime-challenge.ts.
import type { Identity } from '../../protocol/identity.ts';
import type { PaymentBindingJson } from '../../protocol/payment-key.ts';
import {
  UptimeChallengeError,
  answerUptimeChallenge,
  openUptimeChallenge,
  uptimeChallengeMaxSkewMs,
  type UptimeSharingState,
} from '../../protocol/uptime-challenge.ts';
import type { Envelope } from '../../protocol/signed-envelope.ts';
import type { SignalingClient } from './signaling-client.ts';

/** Answers one oracle may draw at once before the per-minute rate applies. */
export const uptimeAnswerBurst = 4;
/** Answers per oracle per minute, sustained (an honest oracle asks a few times an hour). */
export const uptimeAnswersPerMinute = 6;

export interface UptimeResponderOptions {
  readonly identity: Identity;
  readonly signaling: Pick<SignalingClient, 'onSignal' | 'sendSignal'>;
  /** Oracle peer ids this donor answers (configuration); an empty list answers nobody. */
  readonly oracles: readonly string[];
  /** The donor's payment key binding, as sent in HELLO. */
  binding(): Promise<PaymentBindingJson>;
  /** What the donor reports about itself at the moment it answers. */
  report(): { sharing: UptimeSharingState; activeSessions: number };
  readonly now?: () => number;
  /** Aborting stops answering (same as `close()`). */
  readonly signal?: AbortSignal;
}

export interface UptimeResponder {
  /** Challenges answered, and those ignored (a stranger's, malformed, replayed, or over the rate). */
  stats(): { readonly answered: number; readonly ignored: number };
  close(): void;
}

/** Starts answering uptime challenges that arrive over `signaling`. */
export function createUptimeResponder(options: UptimeResponderOptions): UptimeResponder {
  const now = options.now ?? Date.now;
  const oracles = new Set(options.oracles);
  /** Answered nonce → when it can no longer be replayed (its challenge is too old to open). */
  const seen = new Map<string, number>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  let answered = 0;
  let ignored = 0;
  let closed = false;

  function takeToken(oracle: string, at: number): boolean {
    const bucket = buckets.get(oracle) ?? { tokens: uptimeAnswerBurst, at };
    bucket.tokens = Math.min(uptimeAnswerBurst, bucket.tokens + ((at - bucket.at) / 60_000) * uptimeAnswersPerMinute);
    bucket.at = at;
    buckets.set(oracle, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  const unsubscribe = options.signaling.onSignal((from, body) => {
    if (closed || body.kind !== 'uptime-challenge') return;
    const at = now();
    // The sender is checked first: a stranger's challenge costs no signature check and no token.
    if (!oracles.has(from) || !takeToken(from, at)) return void ignored++;
    for (const [nonce, until] of seen) if (until <= at) seen.delete(nonce);
    let challenge;
    try {
      challenge = openUptimeChallenge(body.data, { me: options.identity.peerId, from, oracles, now: at, seen });
    } catch (error) {
      if (!(error instanceof UptimeChallengeError)) throw error;
      return void ignored++;
    }
    seen.set(challenge.nonce, challenge.issuedAt + 2 * uptimeChallengeMaxSkewMs);
    const envelope = body.data as Envelope; // openUptimeChallenge proved it is an envelope
    void options.binding().then(
      (payment) => {
        if (closed) return;
        const answer = answerUptimeChallenge(options.identity, { envelope, body: challenge }, { payment, ...options.report(), answeredAt: now() });
        try {
          options.signaling.sendSignal(from, { session: body.session, kind: 'uptime-response', data: answer });
          answered++;
        } catch {
          // Signaling closed between the challenge and the answer: the oracle counts a miss, which is true.
        }
      },
      () => void ignored++,
    );
  });

  function close(): void {
    closed = true;
    unsubscribe();
  }
  options.signal?.addEventListener('abort', close, { once: true });

  return { stats: () => ({ answered, ignored }), close };
}
