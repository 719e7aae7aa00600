import { describe, expect, it } from 'vitest';
import { capProgress } from './cap-progress.ts';
import { formatSharedTime } from './shared-time.ts';

const gib = 1024 ** 3;

describe('formatSharedTime', () => {
  it.each<[number, string, string]>([
    [0, 'en', '0 minutes'],
    [59, 'en', '0 minutes'],
    [45 * 60, 'en', '45 minutes'],
    [3600, 'en', '1 hour'],
    [3.36 * 3600, 'en', '3.3 hours'],
    [212 * 3600 + 1800, 'en', '212 hours'],
    [3 * 3600, 'fa', '۳ ساعت'],
    [2.5 * 3600, 'ru', '2,5 часа'],
  ])('%d s in %s is %s', (seconds, language, expected) => {
    expect(formatSharedTime(seconds, language)).toBe(expected);
  });
});

describe('capProgress', () => {
  it('shows no bar without caps', () => {
    expect(capProgress({ dailyCapBytes: null, monthlyCapBytes: null }, { bytesToday: 5, bytesThisMonth: 5 })).toEqual([]);
  });

  it('shows today first, then the month, each against its cap', () => {
    expect(capProgress({ dailyCapBytes: 5 * gib, monthlyCapBytes: 50 * gib }, { bytesToday: 1.25 * gib, bytesThisMonth: 10 * gib })).toEqual([
      { period: 'day', usedBytes: 1.25 * gib, capBytes: 5 * gib, fraction: 0.25 },
      { period: 'month', usedBytes: 10 * gib, capBytes: 50 * gib, fraction: 0.2 },
    ]);
  });

  it('fills the bar no further than the cap, even when a transfer in flight went past it', () => {
    expect(capProgress({ dailyCapBytes: gib, monthlyCapBytes: null }, { bytesToday: 1.1 * gib, bytesThisMonth: 1.1 * gib })[0]?.fraction).toBe(1);
  });
});
