// The oracle's half of uptime challenges: in rounds at random times, it pages through the signaling
// server's donor directory and sends each listed donor a signed, single-use challenge; answers
// that verify in time count as valid, others as refused, silence past the deadline as a miss —
// all into the oracle's own UptimeRecord, per reward epoch. The challenge format and its checks are
// protocol/uptime-challenge.ts; the donor's side is offscreen/peers/uptime-responder.ts.
import type { Identity } from '../../protocol/identity.ts';
import { UptimeChallengeError, createPendingUptimeChallenges, createUptimeChallenge, uptimeAnswerDeadlineMs } from '../../protocol/uptime-challenge.ts';
import { newSignalSession, type SignalingClient } from '../../offscreen/peers/signaling-client.ts';
import type { UptimeRecord } from './uptime-record.ts';

/** Mean time between rounds: a few challenges an hour, under the donors' answer rate. */
export const defaultRoundIntervalMs = 15 * 60_000;
/** Most directory pages one round reads (a page is the server's page size). */
const maxPagesPerRound = 1_000;

export interface UptimeChallengerOptions {
  readonly identity: Identity;
  readonly signaling: Pick<SignalingClient, 'listDonors' | 'sendSignal' | 'onSignal'>;
  readonly record: UptimeRecord;
  /** The reward epoch a wall-clock time (ms) falls in, by the chain's clock. */
  epochAt(ms: number): number;
  /** Mean ms between rounds; each wait is uniform in [0.5, 1.5] × the mean, so donors cannot predict it. */
  readonly roundIntervalMs?: number;
  readonly deadlineMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface UptimeChallenger {
  /** Challenges every listed donor once now; resolves with how many were sent. */
  round(): Promise<number>;
  /** Runs rounds at random times until closed. */
  start(): void;
  /** Counts as missed every challenge past its deadline (also done on a timer once started). */
  expire(): void;
  close(): void;
}

export function createUptimeChallenger(options: UptimeChallengerOptions): UptimeChallenger {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadlineMs = options.deadlineMs ?? uptimeAnswerDeadlineMs;
  const interval = options.roundIntervalMs ?? defaultRoundIntervalMs;
  const pending = createPendingUptimeChallenges({ deadlineMs });
  const { record } = options;
  let roundTimer: ReturnType<typeof setTimeout> | undefined;
  let expireTimer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const unsubscribe = options.signaling.onSignal((from, body) => {
    if (closed || body.kind !== 'uptime-response') return;
    const at = now();
    try {
      const answer = pending.accept(body.data, from, at);
      record.answered(answer.challenge.body.epoch, from, answer.latencyMs, answer.paymentAddress);
    } catch (error) {
      if (!(error instanceof UptimeChallengeError)) throw error;
      // Refusals count against the peer that sent them, in the epoch of the moment.
      record.refused(options.epochAt(at), from, error.code);
    }
  });

  function expire(): void {
    for (const challenge of pending.expire(now())) record.missed(challenge.body.epoch, challenge.body.donor);
  }

  async function round(): Promise<number> {
    let sent = 0;
    let after: string | undefined;
    for (let page = 0; page < maxPagesPerRound && !closed; page++) {
      const { donors, next } = await options.signaling.listDonors(after);
      for (const donor of donors) {
        const issuedAt = now();
        const epoch = options.epochAt(issuedAt);
        const challenge = createUptimeChallenge(options.identity, { donor: donor.peerId, epoch, issuedAt });
        pending.add(challenge);
        record.sent(epoch, donor.peerId);
        options.signaling.sendSignal(donor.peerId, { session: newSignalSession(), kind: 'uptime-challenge', data: challenge.envelope });
        sent++;
      }
      if (next === undefined) break;
      after = next;
    }
    return sent;
  }

  function schedule(): void {
    if (closed) return;
    roundTimer = setTimeout(() => {
      round().catch((error: unknown) => console.error(`oracle: uptime round failed: ${(error as Error).message}`)).finally(schedule);
    }, interval * (0.5 + random()));
  }

  return {
    round,
    expire,
    start() {
      if (expireTimer) return;
      expireTimer = setInterval(expire, Math.max(250, Math.floor(deadlineMs / 4)));
      schedule();
    },
    close() {
      closed = true;
      clearTimeout(roundTimer);
      clearInterval(expireTimer);
      unsubscribe();
    },
  };
}
