import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { createIdentity, signatureTags } from './identity.ts';
import { createPaymentBinding, paymentBindingToJson, type PaymentBindingJson } from './payment-key.ts';
import { sealEnvelope, type Envelope } from './signed-envelope.ts';
import {
  UptimeChallengeError,
  answerUptimeChallenge,
  createPendingUptimeChallenges,
  createUptimeChallenge,
  maxUptimeBodyChars,
  openUptimeChallenge,
  uptimeAnswerDeadlineMs,
  uptimeChallengeMaxSkewMs,
  type UptimeErrorCode,
} from './uptime-challenge.ts';

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const oracle = createIdentity(seed(1));
const donor = createIdentity(seed(2));
const stranger = createIdentity(seed(3));
const wallet = new Wallet('0x' + '42'.repeat(32));
const t0 = 1_800_000_000_000;
const binding: PaymentBindingJson = paymentBindingToJson(await createPaymentBinding(donor, wallet));
const report = { payment: binding, sharing: 'on' as const, activeSessions: 2, answeredAt: t0 + 40 };

function code(fn: () => unknown): UptimeErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    if (error instanceof UptimeChallengeError) return error.code;
    throw error;
  }
}

function donorCheck(overrides: Partial<Parameters<typeof openUptimeChallenge>[1]> = {}) {
  return { me: donor.peerId, from: oracle.peerId, oracles: [oracle.peerId], now: t0 + 30, ...overrides };
}

describe('uptime challenge, the donor side', () => {
  const issued = createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 7, issuedAt: t0 });

  it('opens a challenge from a configured oracle addressed to this donor', () => {
    const body = openUptimeChallenge(issued.envelope, donorCheck());
    expect(body).toMatchObject({ oracle: oracle.peerId, donor: donor.peerId, epoch: 7, issuedAt: t0 });
    expect(body.nonce).toMatch(/^[0-9a-f]{64}$/);
  });

  it('draws a fresh nonce for every challenge', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 7, issuedAt: t0 }).body.nonce));
    expect(nonces.size).toBe(50);
  });

  const strangerChallenge = createUptimeChallenge(stranger, { donor: donor.peerId, epoch: 7, issuedAt: t0 });
  const forOther = createUptimeChallenge(oracle, { donor: stranger.peerId, epoch: 7, issuedAt: t0 });
  // A body naming the oracle, signed by someone else.
  const forged: Envelope = { body: issued.envelope.body, sig: sealEnvelope(stranger, signatureTags.uptimeChallenge, JSON.parse(issued.envelope.body)).sig };
  const asResponseTag = sealEnvelope(oracle, signatureTags.uptimeResponse, JSON.parse(issued.envelope.body));
  const asSignalTag = sealEnvelope(oracle, signatureTags.signal, JSON.parse(issued.envelope.body));
  const huge = sealEnvelope(oracle, signatureTags.uptimeChallenge, { ...JSON.parse(issued.envelope.body), pad: 'x'.repeat(maxUptimeBodyChars) });
  const extraField = sealEnvelope(oracle, signatureTags.uptimeChallenge, { ...JSON.parse(issued.envelope.body), extra: 1 });

  it.each<[string, unknown, Partial<Parameters<typeof openUptimeChallenge>[1]>, UptimeErrorCode]>([
    ['not an envelope', { body: 1 }, {}, 'malformed'],
    ['a body that is not JSON', { body: 'not json', sig: issued.envelope.sig }, {}, 'malformed'],
    ['an unknown field', extraField, {}, 'malformed'],
    ['an oversized body', huge, {}, 'oversized'],
    ['an oracle that is not configured (a hostile oracle)', strangerChallenge.envelope, { from: stranger.peerId }, 'wrong-signer'],
    ['a configured oracle named by another sender', issued.envelope, { from: stranger.peerId }, 'wrong-signer'],
    ['a forged signature', forged, {}, 'bad-signature'],
    ['the response tag', asResponseTag, {}, 'wrong-tag'],
    ['the signal tag', asSignalTag, {}, 'bad-signature'],
    ['another donor', forOther.envelope, {}, 'not-for-me'],
    ['a challenge from long ago', issued.envelope, { now: t0 + uptimeChallengeMaxSkewMs + 1 }, 'late'],
    ['an already answered nonce', issued.envelope, { seen: new Set([issued.body.nonce]) }, 'replayed'],
  ])('refuses %s', (_name, envelope, overrides, expected) => {
    expect(code(() => openUptimeChallenge(envelope, donorCheck(overrides)))).toBe(expected);
  });

  it('refuses to build a challenge for something that is not a peer id', () => {
    expect(() => createUptimeChallenge(oracle, { donor: 'nope', epoch: 1, issuedAt: t0 })).toThrow(TypeError);
  });
});

describe('uptime challenge, the oracle side', () => {
  function setup() {
    const pending = createPendingUptimeChallenges();
    const issued = createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 7, issuedAt: t0 });
    pending.add(issued);
    const body = openUptimeChallenge(issued.envelope, donorCheck());
    const answer = answerUptimeChallenge(donor, { envelope: issued.envelope, body }, report);
    return { pending, issued, answer };
  }

  it('accepts an honest answer once, with its latency and the bound payment address', () => {
    const { pending, answer } = setup();
    const verified = pending.accept(answer, donor.peerId, t0 + 120);
    expect(verified.latencyMs).toBe(120);
    expect(verified.paymentAddress).toBe(wallet.address);
    expect(verified.body).toMatchObject({ sharing: 'on', activeSessions: 2, epoch: 7 });
    expect(pending.size()).toBe(0);
    expect(code(() => pending.accept(answer, donor.peerId, t0 + 130))).toBe('replayed');
  });

  it('counts a donor that never answers as missed once the deadline passes', () => {
    const { pending, issued, answer } = setup();
    expect(pending.expire(t0 + uptimeAnswerDeadlineMs)).toEqual([]);
    expect(pending.expire(t0 + uptimeAnswerDeadlineMs + 1)).toEqual([issued]);
    expect(code(() => pending.accept(answer, donor.peerId, t0 + uptimeAnswerDeadlineMs + 2))).toBe('late');
  });

  it('refuses an answer after the deadline even before the sweep', () => {
    const { pending, answer } = setup();
    expect(code(() => pending.accept(answer, donor.peerId, t0 + uptimeAnswerDeadlineMs + 1))).toBe('late');
    expect(pending.size()).toBe(0);
  });

  it('refuses hostile answers and still takes the honest one after them', () => {
    const { pending, issued, answer } = setup();
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    const strangerAnswer = answerUptimeChallenge(stranger, { envelope: issued.envelope, body: issued.body }, report);
    const forged: Envelope = { body: answer.body, sig: sealEnvelope(stranger, signatureTags.uptimeResponse, body).sig };
    const otherQuestion = createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 7, issuedAt: t0 });
    const wrongDigest = sealEnvelope(donor, signatureTags.uptimeResponse, { ...body, challengeDigest: otherQuestion.digest });
    const wrongEpoch = sealEnvelope(donor, signatureTags.uptimeResponse, { ...body, epoch: 8 });
    const wrongTag = sealEnvelope(donor, signatureTags.uptimeChallenge, body);
    const otherOracle = sealEnvelope(donor, signatureTags.uptimeResponse, { ...body, oracle: stranger.peerId });
    const otherWallet = new Wallet('0x' + '43'.repeat(32));
    const stolenBinding = sealEnvelope(donor, signatureTags.uptimeResponse, { ...body, payment: { ...binding, address: otherWallet.address } });
    const unknownNonce = sealEnvelope(donor, signatureTags.uptimeResponse, { ...body, nonce: 'ab'.repeat(32) });
    const cases: [string, unknown, string, UptimeErrorCode][] = [
      ['an answer signed by another peer for this donor', forged, donor.peerId, 'bad-signature'],
      ['an answer for another donor (relayed by that other peer)', strangerAnswer, stranger.peerId, 'wrong-signer'],
      ['the real answer relayed by a third peer', answer, stranger.peerId, 'wrong-signer'],
      ['an answer signing another question', wrongDigest, donor.peerId, 'unknown-challenge'],
      ['an answer for another epoch', wrongEpoch, donor.peerId, 'unknown-challenge'],
      ['an answer under the challenge tag', wrongTag, donor.peerId, 'wrong-tag'],
      ['an answer to another oracle', otherOracle, donor.peerId, 'not-for-me'],
      ['a payment address the binding does not prove', stolenBinding, donor.peerId, 'bad-payment-binding'],
      ['a nonce nobody sent', unknownNonce, donor.peerId, 'unknown-challenge'],
      ['garbage', { body: '{}', sig: '00' }, donor.peerId, 'malformed'],
    ];
    for (const [name, envelope, from, expected] of cases) {
      expect(code(() => pending.accept(envelope, from, t0 + 50)), name).toBe(expected);
    }
    expect(pending.accept(answer, donor.peerId, t0 + 60).latencyMs).toBe(60);
  });
});
