import { Wallet } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditsForBytes, minReceiptLifetimeSeconds, settlementLagSeconds, signReceipt, type Receipt, type SignedReceipt } from '../../protocol/receipt.ts';
import { receiptLifetimeSeconds } from './client-payments.ts';
import { WindowDecision, makeCreditWindow, maxCreditWindowBytes } from './credit-window.ts';
import { bytesPerReceiptAllowance, makeReceiptVerifier, maxReceiptsPerSecond, receiptBurst, receiptRefusals, verifyReceipt, type ChannelTerms } from './receipt-verifier.ts';

const clientWallet = new Wallet('0x' + '01'.repeat(32));
const otherWallet = new Wallet('0x' + '02'.repeat(32));
const exitAddress = new Wallet('0x' + '03'.repeat(32)).address;
const otherExit = new Wallet('0x' + '04'.repeat(32)).address;
const nowMs = 1_800_000_000_000;
const nowS = BigInt(nowMs / 1000);
const terms: ChannelTerms = {
  domain: { chainId: 8453, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  channelId: '0x' + 'ab'.repeat(32),
  client: clientWallet.address,
  exit: exitAddress,
  price: 2_500_000n, // 2.5 credits per MiB
};
const MiB = 1n << 20n;
/** The expiry an honest client signs now (client-payments.ts). */
const honestExpiry = nowS + BigInt(receiptLifetimeSeconds);
const minLifetime = BigInt(minReceiptLifetimeSeconds);

function receiptFor(cumBytes: bigint, overrides: Partial<Receipt> = {}): Receipt {
  const base = { channelId: terms.channelId, client: terms.client, exit: terms.exit, price: terms.price, expiry: honestExpiry, cumBytes, ...overrides };
  return { ...base, cumCredits: overrides.cumCredits ?? creditsForBytes(base.cumBytes, base.price) };
}
const sign = (receipt: Receipt, wallet: Wallet = clientWallet): Promise<SignedReceipt> => signReceipt(wallet, terms.domain, receipt);

describe('receipt verifier', () => {
  const sentBytes = 2n * MiB;
  const lastAccepted = receiptFor(MiB);

  it('accepts an honest receipt for new bytes within what was sent', async () => {
    const signed = await sign(receiptFor(sentBytes));
    expect(verifyReceipt(terms, { sentBytes, lastAccepted }, signed, nowMs)).toEqual({ ok: true, receipt: signed.receipt });
  });

  const cases: Array<[string, () => Promise<SignedReceipt>, (typeof receiptRefusals)[number]]> = [
    ['signed with another key', () => sign(receiptFor(sentBytes), otherWallet), 'wrong-signer'],
    ['a replay of the last accepted receipt', () => sign(lastAccepted), 'replay'],
    ['a lower cumulative count', () => sign(receiptFor(MiB - 1n)), 'rollback'],
    ['more bytes than were sent', () => sign(receiptFor(sentBytes + 1n)), 'over-claim'],
    ['for another donor', () => sign(receiptFor(sentBytes, { exit: otherExit })), 'wrong-exit'],
    ['for another channel', () => sign(receiptFor(sentBytes, { channelId: '0x' + 'cd'.repeat(32) })), 'wrong-channel'],
    ['naming another client (signed by it)', () => sign(receiptFor(sentBytes, { client: otherWallet.address }), otherWallet), 'wrong-client'],
    ['with a changed price', () => sign(receiptFor(sentBytes, { price: terms.price - 1n })), 'price-changed'],
    ['expired a second ago', () => sign(receiptFor(sentBytes, { expiry: nowS - 1n })), 'expired'],
    ['expiring right now', () => sign(receiptFor(sentBytes, { expiry: nowS })), 'expired'],
    // Settleable for a moment only: stored as the newest, it would replace the one the donor can settle.
    ['expiring in one second', () => sign(receiptFor(sentBytes, { expiry: nowS + 1n })), 'short-lived'],
    ['one second short of the minimum lifetime', () => sign(receiptFor(sentBytes, { expiry: nowS + minLifetime - 1n })), 'short-lived'],
    ['for more bytes but expiring a second before the last accepted one', () => sign(receiptFor(sentBytes, { expiry: lastAccepted.expiry - 1n })), 'expiry-rollback'],
    ['for more bytes but owing fewer credits than the last accepted one', () => sign(receiptFor(sentBytes, { cumCredits: lastAccepted.cumCredits - 1n })), 'credits-rollback'],
    ['owing one micro-credit too few', () => sign(receiptFor(sentBytes, { cumCredits: creditsForBytes(sentBytes, terms.price) - 1n })), 'credits-mismatch'],
    ['owing one micro-credit too many', () => sign(receiptFor(sentBytes, { cumCredits: creditsForBytes(sentBytes, terms.price) + 1n })), 'credits-mismatch'],
    ['credits rounded down instead of up', () => sign(receiptFor(MiB + 1n, { cumCredits: ((MiB + 1n) * terms.price) / MiB })), 'credits-mismatch'],
    // The bytes were changed after signing: the signature recovers some other key.
    ['tampered after signing', async () => ({ ...(await sign(receiptFor(sentBytes - 1n))), receipt: receiptFor(sentBytes) }), 'wrong-signer'],
    ['with a signature that recovers no key', async () => ({ receipt: receiptFor(sentBytes), signature: '0x' + '00'.repeat(64) + '1b' }), 'bad-signature'],
  ];
  it.each(cases)('refuses a receipt %s', async (_, make, code) => {
    const verdict = verifyReceipt(terms, { sentBytes, lastAccepted }, await make(), nowMs);
    expect(verdict).toMatchObject({ ok: false, code });
  });

  it('accepts a receipt with exactly the minimum lifetime left, or expiring as late as the last accepted one', async () => {
    const atMinimum = await sign(receiptFor(sentBytes, { expiry: nowS + minLifetime }));
    expect(verifyReceipt(terms, { sentBytes }, atMinimum, nowMs)).toEqual({ ok: true, receipt: atMinimum.receipt });
    const sameExpiry = await sign(receiptFor(sentBytes, { expiry: lastAccepted.expiry }));
    expect(verifyReceipt(terms, { sentBytes, lastAccepted }, sameExpiry, nowMs)).toEqual({ ok: true, receipt: sameExpiry.receipt });
  });

  it('holds receipts settleable for longer than settlement takes, and an honest client signs for longer still', () => {
    expect(minReceiptLifetimeSeconds).toBeGreaterThan(settlementLagSeconds);
    // The margin covers a client clock that is a day behind the donor's.
    expect(receiptLifetimeSeconds).toBeGreaterThanOrEqual(minReceiptLifetimeSeconds + 24 * 3600);
  });

  it('refuses a receipt for nothing on a fresh channel', async () => {
    expect(verifyReceipt(terms, { sentBytes: 0n }, await sign(receiptFor(0n)), nowMs)).toMatchObject({ ok: false, code: 'replay' });
  });

  it('refuses a flood beyond the burst, and admits again at the sustained rate', async () => {
    let t = 0;
    const verifier = makeReceiptVerifier({ terms, now: () => t, wallClock: () => nowMs });
    const signed = await sign(receiptFor(MiB));
    for (let i = 0; i < receiptBurst; i++) expect(verifier.verify(signed, sentBytes).ok).toBe(true);
    expect(verifier.verify(signed, sentBytes)).toMatchObject({ ok: false, code: 'flood' });
    t += 1000 / maxReceiptsPerSecond;
    expect(verifier.verify(signed, sentBytes).ok).toBe(true);
    expect(verifier.verify(signed, sentBytes)).toMatchObject({ ok: false, code: 'flood' });
  });

  it('keeps up with an honest client at any speed: each MiB sent allows one more receipt', async () => {
    // A fast link: a receipt per 2 MiB (W/2 at the 4 MiB cap), 200 of them within one second.
    let t = 0;
    const verifier = makeReceiptVerifier({ terms, now: () => t, wallClock: () => nowMs });
    const signed = await sign(receiptFor(MiB));
    for (let i = 1; i <= 200; i++) {
      t = i * 5;
      expect(verifier.verify(signed, BigInt(i * 2) * MiB).ok).toBe(true);
    }
    // Without more bytes sent, the per-second rate alone applies again.
    for (let i = 0; i < receiptBurst; i++) verifier.verify(signed, 400n * MiB);
    expect(verifier.verify(signed, 400n * MiB)).toMatchObject({ ok: false, code: 'flood' });
    expect(bytesPerReceiptAllowance).toBeLessThanOrEqual(2 * Number(MiB));
  });

  it('checks against the newest committed receipt', async () => {
    const verifier = makeReceiptVerifier({ terms, now: () => 0, wallClock: () => nowMs });
    const first = await sign(receiptFor(MiB));
    const verdict = verifier.verify(first, sentBytes);
    if (!verdict.ok) throw new Error(verdict.code);
    verifier.commit(verdict.receipt);
    expect(verifier.verify(first, sentBytes)).toMatchObject({ ok: false, code: 'replay' });
    expect(() => verifier.commit(first.receipt)).toThrow(RangeError);
  });

  it('every refusal code is distinct', () => {
    expect(new Set(receiptRefusals).size).toBe(receiptRefusals.length);
  });
});

// ---- property: the donor's unpaid exposure never exceeds W ------------------------------------

type Op =
  | { kind: 'send'; bytes: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'honest'; fraction: number }
  | { kind: 'hostile'; attack: 'over-claim' | 'other-key' | 'replay' | 'rollback' | 'other-exit' | 'price' | 'expired' | 'short-lived' | 'expiry-rollback' | 'credits'; extra: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), bytes: fc.integer({ min: 1, max: 512 * 1024 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('honest' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('hostile' as const),
      attack: fc.constantFrom('over-claim', 'other-key', 'replay', 'rollback', 'other-exit', 'price', 'expired', 'short-lived', 'expiry-rollback', 'credits'),
      extra: fc.integer({ min: 1, max: 8 * 1024 * 1024 }),
    }),
  },
);

describe('donor exposure (property)', () => {
  it('never exceeds W over random interleavings of data, honest and hostile receipts', async () => {
    let honored = 0; // so the property cannot pass by never extending the window
    await fc.assert(
      // Every run opens with data and an honest receipt for all of it, so each one honours at least one.
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }).map((ops): Op[] => [{ kind: 'send', bytes: 64 * 1024 }, { kind: 'honest', fraction: 1 }, ...ops]), async (ops) => {
        let t = 0;
        const window = makeCreditWindow({ now: () => t });
        const verifier = makeReceiptVerifier({ terms, now: () => t, wallClock: () => nowMs + t });
        let clientReceived = 0n; // the client acknowledges at most what reached it
        for (const op of ops) {
          let signed: SignedReceipt | undefined;
          let hostile = false;
          if (op.kind === 'send') {
            if (window.decide(op.bytes) === WindowDecision.SEND) {
              window.onSent(op.bytes);
              clientReceived += BigInt(op.bytes);
            }
          } else if (op.kind === 'tick') {
            t += op.ms;
          } else if (op.kind === 'honest') {
            const paid = BigInt(window.paidBytes());
            const cum = paid + BigInt(Math.floor(op.fraction * Number(clientReceived - paid)));
            signed = await sign(receiptFor(cum, { expiry: BigInt(Math.floor((nowMs + t) / 1000) + receiptLifetimeSeconds) }));
          } else {
            hostile = true;
            const paid = BigInt(window.paidBytes());
            const next = BigInt(window.sentBytes()) > paid ? paid + 1n : paid;
            const expiry = BigInt(Math.floor((nowMs + t) / 1000) + receiptLifetimeSeconds);
            const extra = BigInt(op.extra);
            const attacks = {
              'over-claim': () => sign(receiptFor(BigInt(window.sentBytes()) + extra, { expiry })),
              'other-key': () => sign(receiptFor(next, { expiry }), otherWallet),
              replay: () => sign(verifier.lastAccepted() ?? receiptFor(0n, { expiry })),
              rollback: () => sign(receiptFor(paid > extra ? paid - extra : 0n, { expiry })),
              'other-exit': () => sign(receiptFor(next, { expiry, exit: otherExit })),
              price: () => sign(receiptFor(next, { expiry, price: terms.price + extra })),
              expired: () => sign(receiptFor(next, { expiry: BigInt(Math.floor((nowMs + t) / 1000)) - 1n })),
              'short-lived': () => sign(receiptFor(next, { expiry: BigInt(Math.floor((nowMs + t) / 1000)) + (extra % minLifetime) })),
              // Without an accepted receipt to undercut, a short-lived one is the same attack.
              'expiry-rollback': () => sign(receiptFor(next, { expiry: (verifier.lastAccepted()?.expiry ?? BigInt(Math.floor((nowMs + t) / 1000)) + minLifetime) - 1n })),
              credits: () => sign(receiptFor(next, { expiry, cumCredits: creditsForBytes(next, terms.price) + extra })),
            };
            signed = await attacks[op.attack]();
          }
          if (signed) {
            const verdict = verifier.verify(signed, window.sentBytes());
            if (hostile) expect(verdict.ok).toBe(false);
            if (verdict.ok) {
              verifier.commit(verdict.receipt); // (the engine stores it durably here)
              honored++;
              window.onReceipt(Number(verdict.receipt.cumBytes));
            }
          }
          expect(window.unpaidBytes()).toBeLessThanOrEqual(window.windowBytes());
          expect(window.windowBytes()).toBeLessThanOrEqual(maxCreditWindowBytes);
          expect(BigInt(window.paidBytes())).toBeLessThanOrEqual(clientReceived);
        }
      }),
      { numRuns: 40 },
    );
    expect(honored).toBeGreaterThanOrEqual(40);
  });
});
