// Uptime challenges: an oracle asks a donor "are you there?" at a random time, and the donor
// answers with a signature over exactly that question, the payment address its binding proves
// and what it reports about itself. Both travel as signed envelopes inside ordinary `signal`
// messages (kinds 'uptime-challenge' and 'uptime-response'), so the signaling server routes them
// like any other signal and can forge neither. Each side refuses what it did not ask for:
// the donor answers only oracles it is configured to trust and only challenges addressed to it;
// the oracle counts an answer only for a challenge it sent, from the donor it sent it to, once,
// before the deadline. Spec: docs/signaling.md, "Uptime challenges".
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { bytesToHex, randomBytes, utf8ToBytes } from './bytes.ts';
import { isPeerId, signatureTags, type Identity, type SignatureTag } from './identity.ts';
import { PaymentBindingError, parsePaymentBinding, verifyPaymentBinding, type PaymentBindingJson } from './payment-key.ts';
import { describeSchemaError } from './schema-error.ts';
import { EnvelopeError, envelopeSchema, openEnvelope, readEnvelopeUnverified, sealEnvelope, type Envelope } from './signed-envelope.ts';

/** Version of both bodies. */
export const uptimeProtocolVersion = 1;
/** Random bytes in a challenge nonce (sent as 64 hex characters). */
export const uptimeNonceBytes = 32;
/** Largest challenge or response envelope body, in characters (a response with its binding is about 700). */
export const maxUptimeBodyChars = 2_048;
/** Time a donor has to answer, from the challenge's `issuedAt` by the oracle's clock, in milliseconds. */
export const uptimeAnswerDeadlineMs = 15_000;
/** Largest distance between a challenge's `issuedAt` and the donor's clock for the donor to answer it, in milliseconds. */
export const uptimeChallengeMaxSkewMs = 5 * 60_000;

/** What a donor reports about itself in its answer. */
export const uptimeSharingStates = ['on', 'paused'] as const;
/** One of `uptimeSharingStates`. */
export type UptimeSharingState = (typeof uptimeSharingStates)[number];

const peerIdSchema = z.string().refine(isPeerId, 'expected a peer id (64 lowercase hex characters)');
const nonceSchema = z.string().regex(new RegExp(`^[0-9a-f]{${uptimeNonceBytes * 2}}$`), `expected ${uptimeNonceBytes * 2} lowercase hex characters`);

/** The body of a challenge, signed by the oracle under `signatureTags.uptimeChallenge`. */
export const uptimeChallengeBodySchema = z.strictObject({
  v: z.literal(uptimeProtocolVersion),
  oracle: peerIdSchema,
  donor: peerIdSchema,
  nonce: nonceSchema,
  /** Milliseconds since the Unix epoch, by the oracle's clock. */
  issuedAt: z.int().min(0),
  /** The reward epoch the answer counts toward. */
  epoch: z.int().min(0),
});
/** A challenge as the oracle signed it. */
export type UptimeChallengeBody = z.infer<typeof uptimeChallengeBodySchema>;

/** The body of an answer, signed by the donor under `signatureTags.uptimeResponse`. */
export const uptimeResponseBodySchema = z.strictObject({
  v: z.literal(uptimeProtocolVersion),
  donor: peerIdSchema,
  oracle: peerIdSchema,
  nonce: nonceSchema,
  epoch: z.int().min(0),
  /** SHA-256 of the challenge envelope's body text: the donor signs the exact question it was asked. */
  challengeDigest: z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-character hex digest'),
  /** The donor's payment key binding (protocol/payment-key.ts), checked by the oracle. */
  payment: z.strictObject({ address: z.string().max(42), identitySignature: z.string().max(128), paymentSignature: z.string().max(132) }),
  sharing: z.enum(uptimeSharingStates),
  /** Clients the donor is serving now, as it reports it (not proven). */
  activeSessions: z.int().min(0).max(10_000),
  /** Milliseconds since the Unix epoch, by the donor's clock. */
  answeredAt: z.int().min(0),
});
/** An answer as the donor signed it. */
export type UptimeResponseBody = z.infer<typeof uptimeResponseBodySchema>;

/** Why a challenge or an answer was refused. */
export const uptimeErrorCodes = [
  /** Not an envelope, not JSON, or not the schema. */
  'malformed',
  /** Body over `maxUptimeBodyChars`. */
  'oversized',
  /** Signed, but under the other uptime tag (an answer presented as a challenge, or the reverse). */
  'wrong-tag',
  /** The signature does not verify for the peer the body names. */
  'bad-signature',
  /** Signed by someone other than expected: an oracle this donor does not trust, or not the peer that relayed it. */
  'wrong-signer',
  /** Addressed to another donor, or answering another oracle. */
  'not-for-me',
  /** An answer to no challenge this oracle has pending: another nonce, epoch or question. */
  'unknown-challenge',
  /** The same nonce a second time. */
  'replayed',
  /** A challenge too far from this clock, or an answer after the deadline. */
  'late',
  /** The payment binding in an answer does not prove its address. */
  'bad-payment-binding',
] as const;
/** One of `uptimeErrorCodes`. */
export type UptimeErrorCode = (typeof uptimeErrorCodes)[number];

/** A refused challenge or answer. */
export class UptimeChallengeError extends Error {
  override readonly name = 'UptimeChallengeError';
  /** Creates an error with a machine-readable `code`. */
  constructor(
    readonly code: UptimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A challenge made by `createUptimeChallenge`: what goes on the wire, and what the oracle keeps. */
export interface IssuedUptimeChallenge {
  readonly envelope: Envelope;
  readonly body: UptimeChallengeBody;
  /** SHA-256 of `envelope.body`, which the answer must sign. */
  readonly digest: string;
}

/** SHA-256 of an envelope body's UTF-8, as hex: what an answer names its question by. */
export function uptimeChallengeDigest(envelopeBody: string): string {
  return bytesToHex(sha256(utf8ToBytes(envelopeBody)));
}

/**
 * Signs a fresh challenge for `donor` in `epoch`, with a nonce from the platform CSPRNG.
 * @throws {TypeError} when `donor` is not a peer id or `epoch`/`issuedAt` is not a non-negative integer.
 */
export function createUptimeChallenge(oracle: Identity, fields: { donor: string; epoch: number; issuedAt: number }): IssuedUptimeChallenge {
  const parsed = uptimeChallengeBodySchema.safeParse({
    v: uptimeProtocolVersion,
    oracle: oracle.peerId,
    donor: fields.donor,
    nonce: bytesToHex(randomBytes(uptimeNonceBytes)),
    issuedAt: Math.round(fields.issuedAt),
    epoch: fields.epoch,
  });
  if (!parsed.success) throw new TypeError(`uptime challenge: ${describeSchemaError(parsed.error)}`);
  const envelope = sealEnvelope(oracle, signatureTags.uptimeChallenge, parsed.data);
  return { envelope, body: parsed.data, digest: uptimeChallengeDigest(envelope.body) };
}

/** What the donor checks a challenge against. */
export interface ChallengeCheck {
  /** This donor's peer id. */
  readonly me: string;
  /** The peer the signal came from (verified by the signaling client). */
  readonly from: string;
  /** Oracle peer ids this donor answers (configuration). */
  readonly oracles: ReadonlySet<string> | readonly string[];
  readonly now: number;
  /** Nonces already answered; the check refuses these as 'replayed' but does not add to it. */
  readonly seen?: { has(nonce: string): boolean };
}

/**
 * Verifies a challenge before the donor answers it. The oracle key is checked against the
 * configured list before the signature, so a stranger's challenge costs the donor no verification.
 * @throws {UptimeChallengeError} 'malformed', 'oversized', 'wrong-signer', 'wrong-tag', 'bad-signature', 'not-for-me', 'late', 'replayed'.
 */
export function openUptimeChallenge(envelope: unknown, check: ChallengeCheck): UptimeChallengeBody {
  const claimed = readBody(envelope, uptimeChallengeBodySchema);
  const trusted = Array.isArray(check.oracles) ? check.oracles.includes(claimed.oracle) : (check.oracles as ReadonlySet<string>).has(claimed.oracle);
  if (!trusted) throw new UptimeChallengeError('wrong-signer', 'The challenge comes from a key that is not one of the configured oracles.');
  if (claimed.oracle !== check.from) throw new UptimeChallengeError('wrong-signer', 'The challenge names an oracle other than the peer that sent it.');
  const body = verified(envelope, signatureTags.uptimeChallenge, signatureTags.uptimeResponse, claimed.oracle, uptimeChallengeBodySchema);
  if (body.donor !== check.me) throw new UptimeChallengeError('not-for-me', 'The challenge is addressed to another donor.');
  if (Math.abs(body.issuedAt - check.now) > uptimeChallengeMaxSkewMs) throw new UptimeChallengeError('late', 'The challenge was issued too long ago (or this clock is wrong).');
  if (check.seen?.has(body.nonce)) throw new UptimeChallengeError('replayed', 'This challenge was already answered.');
  return body;
}

/** What the donor says about itself. */
export interface UptimeReport {
  readonly payment: PaymentBindingJson;
  readonly sharing: UptimeSharingState;
  readonly activeSessions: number;
  readonly answeredAt: number;
}

/**
 * Signs the donor's answer to a challenge it has opened with `openUptimeChallenge`.
 * @throws {TypeError} when the report does not fit the schema.
 */
export function answerUptimeChallenge(donor: Identity, challenge: { envelope: Envelope; body: UptimeChallengeBody }, report: UptimeReport): Envelope {
  const parsed = uptimeResponseBodySchema.safeParse({
    v: uptimeProtocolVersion,
    donor: donor.peerId,
    oracle: challenge.body.oracle,
    nonce: challenge.body.nonce,
    epoch: challenge.body.epoch,
    challengeDigest: uptimeChallengeDigest(challenge.envelope.body),
    payment: report.payment,
    sharing: report.sharing,
    activeSessions: report.activeSessions,
    answeredAt: Math.round(report.answeredAt),
  });
  if (!parsed.success) throw new TypeError(`uptime response: ${describeSchemaError(parsed.error)}`);
  return sealEnvelope(donor, signatureTags.uptimeResponse, parsed.data);
}

/** An answer the oracle accepted. */
export interface VerifiedUptimeResponse {
  readonly body: UptimeResponseBody;
  readonly challenge: IssuedUptimeChallenge;
  /** The checksummed payment address the donor's binding proves. */
  readonly paymentAddress: string;
  /** Oracle clock from issuing to receiving, in milliseconds. */
  readonly latencyMs: number;
}

/** The oracle's challenges awaiting an answer, by nonce. */
export interface PendingUptimeChallenges {
  /** Remembers a challenge just sent. */
  add(challenge: IssuedUptimeChallenge): void;
  /**
   * Checks an answer that arrived from peer `from` at `now` against the challenge it names, and
   * on success forgets that challenge (so a second copy is 'replayed').
   * @throws {UptimeChallengeError} 'malformed', 'oversized', 'unknown-challenge', 'replayed', 'wrong-signer',
   *   'not-for-me', 'wrong-tag', 'bad-signature', 'late', 'bad-payment-binding'.
   */
  accept(envelope: unknown, from: string, now: number): VerifiedUptimeResponse;
  /** Challenges past their deadline at `now`, removed from the pending set: the donors that missed. */
  expire(now: number): IssuedUptimeChallenge[];
  /** Challenges still waiting. */
  size(): number;
}

/**
 * An empty set of pending challenges. Answered nonces are remembered until their deadline has
 * long passed (twice it), so a copy arriving in time is 'replayed' rather than 'unknown-challenge'.
 */
export function createPendingUptimeChallenges(options: { deadlineMs?: number } = {}): PendingUptimeChallenges {
  const deadlineMs = options.deadlineMs ?? uptimeAnswerDeadlineMs;
  const pending = new Map<string, IssuedUptimeChallenge>();
  /** Nonces no longer pending → why, and when they may be forgotten. */
  const closed = new Map<string, { reason: 'answered' | 'expired'; until: number }>();

  function prune(now: number): void {
    for (const [nonce, entry] of closed) if (entry.until <= now) closed.delete(nonce);
  }

  function close(challenge: IssuedUptimeChallenge, reason: 'answered' | 'expired'): void {
    pending.delete(challenge.body.nonce);
    closed.set(challenge.body.nonce, { reason, until: challenge.body.issuedAt + 2 * deadlineMs });
  }

  return {
    add(challenge) {
      pending.set(challenge.body.nonce, challenge);
    },
    accept(envelope, from, now) {
      const claimed = readBody(envelope, uptimeResponseBodySchema);
      prune(now);
      const done = closed.get(claimed.nonce);
      if (done?.reason === 'answered') throw new UptimeChallengeError('replayed', 'This challenge was already answered.');
      if (done?.reason === 'expired') throw new UptimeChallengeError('late', 'The answer came after the deadline.');
      const challenge = pending.get(claimed.nonce);
      if (!challenge) throw new UptimeChallengeError('unknown-challenge', 'The answer names no challenge this oracle is waiting on.');
      if (claimed.donor !== challenge.body.donor || from !== challenge.body.donor) {
        throw new UptimeChallengeError('wrong-signer', 'The answer does not come from the donor the challenge was sent to.');
      }
      if (claimed.oracle !== challenge.body.oracle) throw new UptimeChallengeError('not-for-me', 'The answer is for another oracle.');
      // Checked against the donor the challenge went to, never a key the answer names for itself.
      const body = verified(envelope, signatureTags.uptimeResponse, signatureTags.uptimeChallenge, challenge.body.donor, uptimeResponseBodySchema);
      if (body.epoch !== challenge.body.epoch || body.challengeDigest !== challenge.digest) {
        throw new UptimeChallengeError('unknown-challenge', 'The answer signs another question than the one this oracle asked.');
      }
      const latencyMs = now - challenge.body.issuedAt;
      if (latencyMs > deadlineMs) {
        close(challenge, 'expired');
        throw new UptimeChallengeError('late', `The answer came ${latencyMs} ms after the challenge; the deadline is ${deadlineMs} ms.`);
      }
      let paymentAddress: string;
      try {
        paymentAddress = verifyPaymentBinding(body.donor, parsePaymentBinding(body.payment));
      } catch (error) {
        if (error instanceof PaymentBindingError) throw new UptimeChallengeError('bad-payment-binding', error.message);
        throw error;
      }
      close(challenge, 'answered');
      return { body, challenge, paymentAddress, latencyMs };
    },
    expire(now) {
      prune(now);
      const missed: IssuedUptimeChallenge[] = [];
      for (const [nonce, challenge] of pending) {
        if (now - challenge.body.issuedAt <= deadlineMs) continue;
        close(challenge, 'expired');
        missed.push(challenge);
      }
      return missed;
    },
    size: () => pending.size,
  };
}

function readBody<T>(envelope: unknown, schema: z.ZodType<T>): T {
  const shape = envelopeSchema.safeParse(envelope);
  if (!shape.success) throw new UptimeChallengeError('malformed', `uptime envelope: ${describeSchemaError(shape.error)}`);
  if (shape.data.body.length > maxUptimeBodyChars) {
    throw new UptimeChallengeError('oversized', `uptime envelope: body of ${shape.data.body.length} characters, at most ${maxUptimeBodyChars}`);
  }
  try {
    return readEnvelopeUnverified(shape.data, schema);
  } catch (error) {
    if (error instanceof EnvelopeError) throw new UptimeChallengeError('malformed', error.message);
    throw error;
  }
}

/** Opens under `tag`; a body that verifies under `otherTag` instead is 'wrong-tag', anything else 'bad-signature'. */
function verified<T>(envelope: unknown, tag: SignatureTag, otherTag: SignatureTag, signer: string, schema: z.ZodType<T>): T {
  try {
    return openEnvelope(envelope, tag, signer, schema);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    if (error.code === 'malformed') throw new UptimeChallengeError('malformed', error.message);
    try {
      openEnvelope(envelope, otherTag, signer, z.unknown());
    } catch {
      throw new UptimeChallengeError('bad-signature', 'The signature does not verify for the peer the message names.');
    }
    throw new UptimeChallengeError('wrong-tag', 'The message is signed for another purpose than this one.');
  }
}
