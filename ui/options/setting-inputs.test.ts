import { describe, expect, it } from 'vitest';
import { amountText, capUnits, minuteToTime, parseAmount, parseWholeNumber, preferredUnit, rateUnits, timeToMinute } from './setting-inputs.ts';

const [mib, gib] = capUnits;
const [kibps, mibps] = rateUnits;

describe('setting inputs', () => {
  it.each([
    ['', mib, null],
    ['  ', gib, null],
    ['5', gib, 5 * 1024 ** 3],
    ['1.5', gib, 1.5 * 1024 ** 3],
    ['.5', mib, 512 * 1024],
    ['300', mib, 300 * 1024 ** 2],
    ['16', kibps, 16 * 1024],
    ['0', mib, 0],
  ] as const)('reads amount %j in %s as %s bytes', (text, unit, bytes) => {
    expect(parseAmount(text, unit)).toEqual({ ok: true, value: bytes });
  });

  it.each(['abc', '-1', '1e3', '1,5', '1.', 'Infinity'])('refuses amount %j', (text) => {
    expect(parseAmount(text, mib)).toEqual({ ok: false });
  });

  it('writes amounts back in the unit shown', () => {
    expect(amountText(null, gib)).toBe('');
    expect(amountText(5 * 1024 ** 3, gib)).toBe('5');
    expect(amountText(1.5 * 1024 ** 3, gib)).toBe('1.5');
    expect(amountText(1024 ** 3, mib)).toBe('1024');
    expect(amountText(1000, mib)).toBe('0');
  });

  it.each([
    [null, capUnits, 'mib'],
    [5 * 1024 ** 3, capUnits, 'gib'],
    [1.5 * 1024 ** 3, capUnits, 'gib'],
    [1000 * 1024 ** 2, capUnits, 'mib'],
    [300 * 1024 ** 2, capUnits, 'mib'],
    [2 * 1024 ** 2, rateUnits, 'mibps'],
    [16 * 1024, rateUnits, 'kibps'],
  ] as const)('shows %s bytes in %s as %s', (bytes, units, key) => {
    expect(preferredUnit(bytes, units).key).toBe(key);
  });

  it('reads whole numbers only', () => {
    expect(parseWholeNumber(' 8 ')).toEqual({ ok: true, value: 8 });
    for (const text of ['', '8.5', '-1', 'eight', '1e2']) expect(parseWholeNumber(text)).toEqual({ ok: false });
  });

  it.each([
    [0, '00:00'],
    [7 * 60, '07:00'],
    [22 * 60 + 30, '22:30'],
    [1439, '23:59'],
  ])('minute %d is %s and back', (minute, text) => {
    expect(minuteToTime(minute)).toBe(text);
    expect(timeToMinute(text)).toEqual({ ok: true, value: minute });
  });

  it('reads times with seconds and refuses non-times', () => {
    expect(timeToMinute('06:15:30')).toEqual({ ok: true, value: 6 * 60 + 15 });
    for (const text of ['', '24:00', '12:60', '7:00', 'noon']) expect(timeToMinute(text)).toEqual({ ok: false });
  });

  it('keeps the rate units consistent with the schema floor', () => {
    expect(parseAmount('16', kibps)).toEqual({ ok: true, value: 16 * 1024 });
    expect(parseAmount('1024', mibps)).toEqual({ ok: true, value: 1024 ** 3 });
  });
});
