import { describe, expect, it } from 'vitest';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { makeCostFormat, pricePerGiB } from './session-cost.ts';

describe('pricePerGiB', () => {
  it.each([
    ['0.001', 1_024_000n],
    ['0.0001', 102_400n],
    ['0', 0n],
    ['0.000001', 1024n],
  ])('a listing at %s credits per MiB is %s micro-credits per GiB', (listed, micro) => {
    expect(pricePerGiB(microCreditsFromDecimal(listed))).toBe(micro);
  });

  it('refuses a negative price', () => {
    expect(() => pricePerGiB(-1n)).toThrow(RangeError);
  });
});

describe('makeCostFormat', () => {
  it.each([
    ['en', '0.001', '1.024'],
    ['en', '0.0001', '0.1024'],
    ['es', '0.001', '1,024'],
    ['fa', '0.001', '۱٫۰۲۴'],
    ['en', '2', '2,048'],
  ])('in %s, a listing at %s credits per MiB reads %s credits per GiB', (language, listed, text) => {
    expect(makeCostFormat(language).price(microCreditsFromDecimal(listed))).toBe(text);
  });

  it.each([
    ['en', 0, '0'],
    ['en', 1, '0.000001'],
    ['en', 1_234_567, '1.234567'],
    ['ru', 42_100, '0,0421'],
  ])('in %s, %s micro-credits used read %s', (language, microCredits, text) => {
    expect(makeCostFormat(language).credits({ bytes: 1, microCredits })).toBe(text);
  });
});
