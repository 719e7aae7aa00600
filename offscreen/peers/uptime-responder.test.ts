import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../protocol/identity.ts';
import { createPaymentBinding, paymentBindingToJson } from '../../protocol/payment-key.ts';
import { createPendingUptimeChallenges, createUptimeChallenge } from '../../protocol/uptime-challenge.ts';
import type { SignalBody } from '../../protocol/signaling-messages.ts';
import { createUptimeResponder, uptimeAnswerBurst } from './uptime-responder.ts';

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const oracle = createIdentity(seed(1));
const donor = createIdentity(seed(2));
const stranger = createIdentity(seed(3));
const wallet = new Wallet('0x' + '42'.repeat(32));
const t0 = 1_800_000_000_000;

/** A fake signaling link: `deliver` plays a signal arriving; `sent` records what the donor sent back. */
function harness(now: () => number) {
  let handler: ((from: string, body: SignalBody) => void) | undefined;
  const sent: { to: string; body: Omit<SignalBody, 'to'> }[] = [];
  const responder = createUptimeResponder({
    identity: donor,
    oracles: [oracle.peerId],
    signaling: {
      onSignal(h) {
        handler = h as typeof handler;
        return () => (handler = undefined);
      },
      sendSignal(to, body) {
        sent.push({ to, body: body as Omit<SignalBody, 'to'> });
      },
    },
    binding: async () => paymentBindingToJson(await createPaymentBinding(donor, wallet)),
    report: () => ({ sharing: 'on', activeSessions: 1 }),
    now,
  });
  const deliver = (from: string, data: unknown) => handler?.(from, { session: '00'.repeat(8), kind: 'uptime-challenge', data } as unknown as SignalBody);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { responder, sent, deliver, settle, subscribed: () => handler !== undefined };
}

describe('uptime responder', () => {
  it('answers a configured oracle once per challenge, with an answer the oracle accepts', async () => {
    const h = harness(() => t0 + 10);
    const pending = createPendingUptimeChallenges();
    const challenge = createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 3, issuedAt: t0 });
    pending.add(challenge);
    h.deliver(oracle.peerId, challenge.envelope);
    await h.settle();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]!.to).toBe(oracle.peerId);
    const accepted = pending.accept(h.sent[0]!.body.data, donor.peerId, t0 + 50);
    expect(accepted.paymentAddress).toBe(wallet.address);
    // The same challenge again (a replay by anyone who saw it) is not answered twice.
    h.deliver(oracle.peerId, challenge.envelope);
    await h.settle();
    expect(h.sent).toHaveLength(1);
    expect(h.responder.stats()).toEqual({ answered: 1, ignored: 1 });
  });

  it('ignores strangers, challenges for another donor, forwarded challenges, stale ones and junk', async () => {
    const h = harness(() => t0 + 10);
    h.deliver(stranger.peerId, createUptimeChallenge(stranger, { donor: donor.peerId, epoch: 1, issuedAt: t0 }).envelope);
    h.deliver(oracle.peerId, createUptimeChallenge(oracle, { donor: stranger.peerId, epoch: 1, issuedAt: t0 }).envelope);
    // A stranger relaying the oracle's genuine challenge: the sender is not the oracle.
    h.deliver(stranger.peerId, createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 1, issuedAt: t0 }).envelope);
    h.deliver(oracle.peerId, createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 1, issuedAt: t0 - 3_600_000 }).envelope);
    h.deliver(oracle.peerId, { body: 'x'.repeat(10_000), signature: 'junk' });
    await h.settle();
    expect(h.sent).toHaveLength(0);
    expect(h.responder.stats().answered).toBe(0);
  });

  it('answers a flooding oracle only its burst, then a few a minute', async () => {
    let at = t0;
    const h = harness(() => at);
    for (let i = 0; i < 50; i++) h.deliver(oracle.peerId, createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 1, issuedAt: t0 }).envelope);
    await h.settle();
    expect(h.sent).toHaveLength(uptimeAnswerBurst);
    at += 60_000;
    for (let i = 0; i < 50; i++) h.deliver(oracle.peerId, createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 1, issuedAt: at }).envelope);
    await h.settle();
    expect(h.sent.length - uptimeAnswerBurst).toBeLessThanOrEqual(uptimeAnswerBurst);
    expect(h.sent.length - uptimeAnswerBurst).toBeGreaterThan(0);
  });

  it('stops answering once closed', async () => {
    const h = harness(() => t0 + 10);
    h.responder.close();
    expect(h.subscribed()).toBe(false);
    h.deliver(oracle.peerId, createUptimeChallenge(oracle, { donor: donor.peerId, epoch: 1, issuedAt: t0 }).envelope);
    await h.settle();
    expect(h.sent).toHaveLength(0);
  });
});
