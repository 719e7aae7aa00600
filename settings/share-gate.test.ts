import { describe, expect, it } from 'vitest';
import { defaultDonorSettings, type DonorSettings } from './donor-settings.ts';
import { localDayKey, minuteOfDay, pauseReason, withinHours, type ShareConditions } from './share-gate.ts';

const hm = (hours: number, minutes = 0): number => hours * 60 + minutes;

describe('withinHours', () => {
  const cases: ReadonlyArray<readonly [string, number, number, number, boolean]> = [
    // name, minute, start, end, expected
    ['inside a daytime window', hm(12), hm(9), hm(17), true],
    ['at the start of a daytime window', hm(9), hm(9), hm(17), true],
    ['at the end of a daytime window (exclusive)', hm(17), hm(9), hm(17), false],
    ['one minute before the end', hm(16, 59), hm(9), hm(17), true],
    ['before a daytime window', hm(8, 59), hm(9), hm(17), false],
    ['late evening in a window wrapping midnight', hm(23), hm(22), hm(7), true],
    ['at midnight in a window wrapping midnight', 0, hm(22), hm(7), true],
    ['early morning in a window wrapping midnight', hm(6, 59), hm(22), hm(7), true],
    ['at the end of a window wrapping midnight', hm(7), hm(22), hm(7), false],
    ['midday outside a window wrapping midnight', hm(12), hm(22), hm(7), false],
    ['at the start of a window wrapping midnight', hm(22), hm(22), hm(7), true],
    ['a window from midnight', 0, 0, hm(1), true],
    ['a window to the last minute, at the last minute', hm(23, 59), hm(23), hm(23, 59), false],
    ['start = end is all day (midday)', hm(12), hm(8), hm(8), true],
    ['start = end is all day (at the edge)', hm(8), hm(8), hm(8), true],
    ['start = end is all day (a minute before)', hm(7, 59), hm(8), hm(8), true],
  ];
  it.each(cases)('%s', (_name, minute, start, end, expected) => {
    expect(withinHours(minute, start, end)).toBe(expected);
  });
});

describe('minuteOfDay', () => {
  it('counts minutes since local midnight', () => {
    expect(minuteOfDay(new Date(2024, 4, 10, 0, 0, 59))).toBe(0);
    expect(minuteOfDay(new Date(2024, 4, 10, 13, 37))).toBe(hm(13, 37));
    expect(minuteOfDay(new Date(2024, 4, 10, 23, 59, 59))).toBe(24 * 60 - 1);
  });
});

describe('pauseReason', () => {
  const base = defaultDonorSettings('wss://signal.example/ws');
  const conditions = (settings: Partial<DonorSettings>, rest: Partial<Omit<ShareConditions, 'settings'>> = {}): ShareConditions => ({
    settings: { ...base, sharing: true, ...settings },
    now: new Date(2024, 4, 10, 12, 0),
    idleState: 'idle',
    onBattery: false,
    usage: { todayBytes: 0, monthBytes: 0 },
    ...rest,
  });
  const nightOnly = { enabled: true, startMinute: hm(22), endMinute: hm(7) };
  const everything: Partial<DonorSettings> = { dailyCapBytes: 100, monthlyCapBytes: 1000, hours: nightOnly, onlyWhenIdle: true, pauseOnBattery: true };

  const cases: ReadonlyArray<readonly [string, ShareConditions, ReturnType<typeof pauseReason>]> = [
    ['nothing set: serve', conditions({}), null],
    ['under the daily cap', conditions({ dailyCapBytes: 100 }, { usage: { todayBytes: 99, monthBytes: 99 } }), null],
    ['at the daily cap', conditions({ dailyCapBytes: 100 }, { usage: { todayBytes: 100, monthBytes: 100 } }), 'daily-cap'],
    ['at the monthly cap', conditions({ monthlyCapBytes: 1000 }, { usage: { todayBytes: 0, monthBytes: 1000 } }), 'monthly-cap'],
    ['past both caps: the daily cap first', conditions({ dailyCapBytes: 100, monthlyCapBytes: 100 }, { usage: { todayBytes: 500, monthBytes: 500 } }), 'daily-cap'],
    ['no cap (null) with huge usage', conditions({}, { usage: { todayBytes: 1e15, monthBytes: 1e15 } }), null],
    ['outside the hours', conditions({ hours: nightOnly }), 'outside-hours'],
    ['inside the hours', conditions({ hours: nightOnly }, { now: new Date(2024, 4, 10, 23, 30) }), null],
    ['hours set but disabled', conditions({ hours: { ...nightOnly, enabled: false } }), null],
    ['only when idle, person active', conditions({ onlyWhenIdle: true }, { idleState: 'active' }), 'not-idle'],
    ['only when idle, computer idle', conditions({ onlyWhenIdle: true }, { idleState: 'idle' }), null],
    ['only when idle, screen locked', conditions({ onlyWhenIdle: true }, { idleState: 'locked' }), null],
    ['person active but idle not required', conditions({ onlyWhenIdle: false }, { idleState: 'active' }), null],
    ['on battery', conditions({ pauseOnBattery: true }, { onBattery: true }), 'on-battery'],
    ['on mains', conditions({ pauseOnBattery: true }, { onBattery: false }), null],
    ['battery unknown never pauses', conditions({ pauseOnBattery: true }, { onBattery: undefined }), null],
    ['on battery but the donor does not mind', conditions({ pauseOnBattery: false }, { onBattery: true }), null],
    // Order: caps, then hours, then idle, then battery.
    ['everything at once: the cap wins', conditions(everything, { idleState: 'active', onBattery: true, usage: { todayBytes: 100, monthBytes: 1000 } }), 'daily-cap'],
    ['monthly cap before hours', conditions(everything, { idleState: 'active', onBattery: true, usage: { todayBytes: 0, monthBytes: 1000 } }), 'monthly-cap'],
    ['hours before idle', conditions(everything, { idleState: 'active', onBattery: true }), 'outside-hours'],
    ['idle before battery', conditions(everything, { idleState: 'active', onBattery: true, now: new Date(2024, 4, 10, 23, 0) }), 'not-idle'],
    ['battery last', conditions(everything, { onBattery: true, now: new Date(2024, 4, 10, 23, 0) }), 'on-battery'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(pauseReason(input)).toBe(expected);
  });
});

describe('localDayKey', () => {
  const cases: ReadonlyArray<readonly [Date, string]> = [
    [new Date(2024, 0, 5, 12, 0), '2024-01-05'],
    [new Date(2024, 11, 31, 23, 59, 59, 999), '2024-12-31'],
    [new Date(2025, 0, 1, 0, 0, 0, 0), '2025-01-01'],
    [new Date(2024, 1, 29, 8, 0), '2024-02-29'],
    [new Date(2024, 9, 10, 0, 0), '2024-10-10'],
  ];
  it.each(cases)('%s is %s (local calendar day, zero-padded)', (date, key) => {
    expect(localDayKey(date)).toBe(key);
  });

  it('changes exactly at local midnight', () => {
    const lastMoment = new Date(2024, 4, 10, 23, 59, 59, 999);
    expect(localDayKey(lastMoment)).toBe('2024-05-10');
    expect(localDayKey(new Date(lastMoment.getTime() + 1))).toBe('2024-05-11');
  });
});
