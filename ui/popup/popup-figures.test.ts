import { describe, expect, it } from 'vitest';
import { capProgress } from './cap-progress.ts';
import { donorFigures, isLive } from './donor-figures.ts';
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

describe('donorFigures', () => {
  const stored = { today: { people: 2, bytes: 500, seconds: 600 }, lifetime: { people: 9, bytes: 9000, seconds: 7200 }, monthBytes: 4000, countriesToday: ['DE'] };
  const base = { state: 'off' as const, helpingNow: 0, bytesToday: 0, bytesThisMonth: 0, countriesToday: [], at: 0 };

  it("shows what the ledger holds while the engine is not running: in total never drops to zero because sharing is off", () => {
    expect(donorFigures(base, stored)).toEqual(stored);
    expect(isLive(base)).toBe(false);
  });

  it('shows zeros before anything is stored', () => {
    expect(donorFigures(base, undefined).lifetime).toEqual({ people: 0, bytes: 0, seconds: 0 });
  });

  it("shows the running engine's own figures, which are newer than what it has written", () => {
    const live = { ...base, countriesToday: ['BR'], state: 'connected' as const, bytesToday: 700, bytesThisMonth: 4200, peopleToday: 3, sharedSecondsToday: 660, lifetime: { people: 10, bytes: 9200, sharedSeconds: 7260 } };
    expect(isLive(live)).toBe(true);
    expect(donorFigures(live, stored)).toEqual({ today: { people: 3, bytes: 700, seconds: 660 }, lifetime: { people: 10, bytes: 9200, seconds: 7260 }, monthBytes: 4200, countriesToday: ['BR'] });
  });
});
