import { describe, expect, it } from 'vitest';
import { makeCreditFormat, microCreditsToDecimal } from './credit-format.ts';

describe('microCreditsToDecimal', () => {
  it.each([
    [0, '0'],
    [1, '0.000001'],
    [42_100, '0.0421'],
    [1_000_000, '1'],
    [1_234_567, '1.234567'],
    [10n ** 30n + 1n, '1000000000000000000000000.000001'],
  ])('%s micro-credits are %s credits', (micro, decimal) => {
    expect(microCreditsToDecimal(micro)).toBe(decimal);
  });

  it.each([-1, 0.5, Number.NaN, -1n])('refuses %s', (micro) => {
    expect(() => microCreditsToDecimal(micro)).toThrow(RangeError);
  });
});

describe('makeCreditFormat', () => {
  it.each([
    ['en', 42_100, '0.0421'],
    ['en', 1_234_567_891, '1,234.567891'],
    ['es', 42_100, '0,0421'],
    ['en', 0, '0'],
  ])('in %s, %s micro-credits read %s', (language, micro, text) => {
    expect(makeCreditFormat(language)(micro)).toBe(text);
  });
});
