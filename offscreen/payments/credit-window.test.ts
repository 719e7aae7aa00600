import { describe, expect, it } from 'vitest';
import { WindowDecision, grownWindow, initialCreditWindowBytes, makeCreditWindow, maxCreditWindowBytes, receiptStallTimeoutMs } from './credit-window.ts';

const KiB = 1024;

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('credit window', () => {
  it('starts at 256 KiB and serves exactly that much unpaid', () => {
    const w = makeCreditWindow(clock());
    expect(w.windowBytes()).toBe(256 * KiB);
    expect(w.canSend(256 * KiB)).toBe(true);
    expect(w.canSend(256 * KiB + 1)).toBe(false);
    w.onSent(200 * KiB);
    expect(w.unpaidBytes()).toBe(200 * KiB);
    expect(w.canSend(56 * KiB)).toBe(true);
    expect(w.canSend(56 * KiB + 1)).toBe(false);
    expect(() => w.onSent(57 * KiB)).toThrow(RangeError);
  });

  it('grows ×4/3 per honored receipt up to 16 MiB', () => {
    const sizes = [initialCreditWindowBytes];
    while (sizes.at(-1)! < maxCreditWindowBytes) sizes.push(grownWindow(sizes.at(-1)!));
    // 256 KiB × (4/3)^14 ≈ 14 MiB: the 15th growth hits the cap.
    expect(sizes).toHaveLength(16);
    expect(sizes[1]).toBe(349_525);
    expect(sizes.at(-1)).toBe(maxCreditWindowBytes);
    expect(grownWindow(maxCreditWindowBytes)).toBe(maxCreditWindowBytes);

    const w = makeCreditWindow(clock());
    for (let i = 1; i < sizes.length + 3; i++) {
      w.onSent(w.windowBytes() - w.unpaidBytes());
      w.onReceipt(w.sentBytes());
      expect(w.windowBytes()).toBe(sizes[Math.min(i, sizes.length - 1)]);
      expect(w.unpaidBytes()).toBe(0);
    }
  });

  it('a receipt for part of what was sent frees that part', () => {
    const w = makeCreditWindow(clock());
    w.onSent(256 * KiB);
    w.onReceipt(100 * KiB);
    expect(w.unpaidBytes()).toBe(156 * KiB);
    expect(w.canSend(w.windowBytes() - 156 * KiB)).toBe(true);
  });

  it.each([
    ['not above the last receipt', 100 * KiB],
    ['lower than the last receipt', 50 * KiB],
    ['more than was sent', 300 * KiB],
  ])('refuses a receipt %s', (_, cumBytes) => {
    const w = makeCreditWindow(clock());
    w.onSent(200 * KiB);
    w.onReceipt(100 * KiB);
    expect(() => w.onReceipt(cumBytes)).toThrow(RangeError);
    expect(w.paidBytes()).toBe(100 * KiB);
  });

  it('a client that stops signing: throttle at a full window, then close after the stall timeout', () => {
    const c = clock();
    const w = makeCreditWindow(c);
    expect(w.decide(256 * KiB)).toBe(WindowDecision.SEND);
    w.onSent(256 * KiB);
    expect(w.decide(1)).toBe(WindowDecision.THROTTLE);
    c.advance(receiptStallTimeoutMs - 1);
    expect(w.decide(1)).toBe(WindowDecision.THROTTLE);
    c.advance(1);
    expect(w.decide(1)).toBe(WindowDecision.CLOSE);
    expect(w.unpaidBytes()).toBe(256 * KiB);
  });

  it('a receipt while throttled resets the stall timer', () => {
    const c = clock();
    const w = makeCreditWindow(c);
    w.onSent(256 * KiB);
    expect(w.decide(KiB)).toBe(WindowDecision.THROTTLE);
    c.advance(receiptStallTimeoutMs - 1);
    w.onReceipt(KiB);
    expect(w.decide(80 * KiB)).toBe(WindowDecision.SEND);
    w.onSent(w.windowBytes() - w.unpaidBytes());
    c.advance(1);
    expect(w.decide(1)).toBe(WindowDecision.THROTTLE);
  });

  it('resumes from stored counters', () => {
    const w = makeCreditWindow({ ...clock(), sentBytes: 10 * KiB * KiB, paidBytes: 10 * KiB * KiB - 5, windowBytes: maxCreditWindowBytes });
    expect(w.unpaidBytes()).toBe(5);
    expect(w.canSend(maxCreditWindowBytes - 5)).toBe(true);
    expect(() => makeCreditWindow({ ...clock(), sentBytes: 1, paidBytes: 2 })).toThrow(RangeError);
    expect(() => makeCreditWindow({ ...clock(), windowBytes: maxCreditWindowBytes + 1 })).toThrow(RangeError);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s bytes', (bytes) => {
    const w = makeCreditWindow(clock());
    expect(() => w.canSend(bytes)).toThrow(RangeError);
    expect(() => w.onSent(bytes)).toThrow(RangeError);
  });
});
