import { describe, expect, it } from 'vitest';
import { grownWindow, initialCreditWindowBytes, makeCreditWindow, maxCreditWindowBytes, type CreditWindow } from './credit-window.ts';
import { makeExposureAccount, type ChannelExposure, type ExposureParties } from './exposure-account.ts';

const W = initialCreditWindowBytes;

/** A channel as a donor link holds it: its window, its place in the account, and how often it was woken. */
function channel(account: ReturnType<typeof makeExposureAccount>, id: string, parties: ExposureParties, window: CreditWindow = makeCreditWindow({ now: () => 0 })) {
  let woken = 0;
  const exposure: ChannelExposure = account.open(id, parties, window, () => woken++);
  return {
    exposure,
    /** How often another channel's payment woke this one. */
    woken: () => woken,
    /** Sends as much as both the window and the account allow (at most `bytes`), as the tunnel does. */
    send(bytes: number): number {
      const n = Math.min(bytes, window.windowBytes() - window.unpaidBytes(), exposure.room());
      window.onSent(n);
      exposure.sync();
      return n;
    },
    pay(): void {
      window.onReceipt(window.sentBytes());
      exposure.sync();
    },
  };
}

describe('exposure account', () => {
  const cases: Array<[string, (i: number) => ExposureParties]> = [
    ['one identity and one payment key', () => ({ identity: 'alice', paymentKey: '0xA' })],
    ['one payment key under many identities', (i) => ({ identity: `tab-${i}`, paymentKey: '0xA' })],
    ['one identity with many payment keys', (i) => ({ identity: 'alice', paymentKey: `0x${i}` })],
  ];
  it.each(cases)('bounds the unpaid bytes of all channels of %s by one W', (_name, partiesOf) => {
    const account = makeExposureAccount();
    const channels = Array.from({ length: 5 }, (_, i) => channel(account, `c${i}`, partiesOf(i)));
    const sent = channels.reduce((sum, c) => sum + c.send(W), 0);
    expect(sent).toBe(W);
    expect(channels.map((c) => c.exposure.room())).toEqual(Array(5).fill(0));
  });

  it('gives other clients their own bound', () => {
    const account = makeExposureAccount();
    expect(channel(account, 'a', { identity: 'alice', paymentKey: '0xA' }).send(W)).toBe(W);
    expect(channel(account, 'b', { identity: 'bob', paymentKey: '0xB' }).send(W)).toBe(W);
  });

  it('frees room for the other channels when one is paid, and wakes them', () => {
    const account = makeExposureAccount();
    const parties = { identity: 'alice', paymentKey: '0xA' };
    const a = channel(account, 'a', parties);
    const b = channel(account, 'b', parties);
    a.send(W);
    expect(b.exposure.room()).toBe(0);
    a.pay();
    expect(b.woken()).toBe(1);
    // a's W grew with the receipt: the bound is the largest W earned.
    expect(b.exposure.room()).toBe(grownWindow(W));
    expect(b.send(W)).toBe(W);
  });

  it('keeps counting what an ended link left unpaid, until the channel resumes and is paid', () => {
    const account = makeExposureAccount();
    const parties = { identity: 'alice', paymentKey: '0xA' };
    const first = channel(account, 'a', parties);
    first.send(W);
    first.exposure.release();
    const fresh = channel(account, 'b', parties);
    expect(fresh.exposure.room()).toBe(0);

    // The channel resumes on a new link, which owes what the old one sent, and pays it.
    const resumed = channel(account, 'a', parties, makeCreditWindow({ now: () => 0, sentBytes: W }));
    expect(fresh.exposure.room()).toBe(0);
    resumed.pay();
    expect(fresh.woken()).toBe(1);
    expect(fresh.send(W)).toBe(W);
  });

  it('forgets a paid-up channel when its link ends, and a client with no channels left', () => {
    const account = makeExposureAccount();
    const parties = { identity: 'alice', paymentKey: '0xA' };
    const big = channel(account, 'a', parties, makeCreditWindow({ now: () => 0, windowBytes: maxCreditWindowBytes }));
    big.send(W);
    big.pay();
    big.exposure.release();
    // The earned W went with the channel: a new one starts from the initial bound.
    const next = channel(account, 'b', parties);
    expect(next.exposure.room()).toBe(W);
  });

  it('gives a superseded link of a channel no room', () => {
    const account = makeExposureAccount();
    const parties = { identity: 'alice', paymentKey: '0xA' };
    const stale = channel(account, 'a', parties);
    channel(account, 'a', parties);
    expect(stale.exposure.room()).toBe(0);
  });
});
