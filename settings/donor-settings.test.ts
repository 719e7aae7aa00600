import { describe, expect, it } from 'vitest';
import {
  defaultDonorSettings,
  DonorSettingsError,
  maxCapBytes,
  maxPeopleAtOnce,
  maxRateBytesPerSecond,
  parseDonorSettings,
  restoreDonorSettings,
  updateDonorSettings,
  type DonorSettings,
} from './donor-settings.ts';

const defaults = defaultDonorSettings('wss://signal.example/ws');

/** The problems `parseDonorSettings` reports for `value`, or [] when it parses. */
function problemsOf(value: unknown): string[] {
  try {
    parseDonorSettings(value);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(DonorSettingsError);
    return (error as DonorSettingsError).problems.map((p) => p.field);
  }
}

const withPatch = (patch: Record<string, unknown>): unknown => ({ ...defaults, ...patch });
const withHours = (patch: Record<string, unknown>): unknown => ({ ...defaults, hours: { ...defaults.hours, ...patch } });

describe('parseDonorSettings', () => {
  it('accepts the defaults a fresh install starts with: sharing off, plain http off, no caps, no notifications', () => {
    expect(parseDonorSettings(defaults)).toEqual(defaults);
    expect(defaults).toMatchObject({ sharing: false, allowPlainHttp: false, dailyCapBytes: null, monthlyCapBytes: null, notifications: false });
  });

  const accepted: ReadonlyArray<readonly [string, unknown]> = [
    ['smallest daily cap', withPatch({ dailyCapBytes: 1 })],
    ['largest daily cap', withPatch({ dailyCapBytes: maxCapBytes })],
    ['no daily cap', withPatch({ dailyCapBytes: null })],
    ['largest monthly cap', withPatch({ monthlyCapBytes: maxCapBytes })],
    ['slowest rate limit (16 KiB/s)', withPatch({ perPersonBytesPerSecond: 16 * 1024 })],
    ['fastest rate limit', withPatch({ perPersonBytesPerSecond: maxRateBytesPerSecond })],
    ['one person at once', withPatch({ maxPeopleAtOnce: 1 })],
    ['most people at once', withPatch({ maxPeopleAtOnce })],
    ['hours from midnight', withHours({ startMinute: 0 })],
    ['hours to 23:59', withHours({ endMinute: 24 * 60 - 1 })],
    ['a sponsor code of 64 characters', withPatch({ sponsorCode: 'a'.repeat(64) })],
    ['a sponsor code with - and _', withPatch({ sponsorCode: 'Partner_2-x' })],
    ['a plain ws:// server', withPatch({ signalingUrl: 'ws://127.0.0.1:8080/ws' })],
  ];
  it.each(accepted)('accepts %s', (_name, value) => {
    expect(problemsOf(value)).toEqual([]);
  });

  const refused: ReadonlyArray<readonly [string, unknown, string]> = [
    ['sharing as a string', withPatch({ sharing: 'true' }), 'sharing'],
    ['a zero daily cap', withPatch({ dailyCapBytes: 0 }), 'dailyCapBytes'],
    ['a negative daily cap', withPatch({ dailyCapBytes: -1 }), 'dailyCapBytes'],
    ['a fractional daily cap', withPatch({ dailyCapBytes: 1.5 }), 'dailyCapBytes'],
    ['a daily cap past 1 TiB', withPatch({ dailyCapBytes: maxCapBytes + 1 }), 'dailyCapBytes'],
    ['a monthly cap past 1 TiB', withPatch({ monthlyCapBytes: maxCapBytes + 1 }), 'monthlyCapBytes'],
    ['a zero monthly cap', withPatch({ monthlyCapBytes: 0 }), 'monthlyCapBytes'],
    ['a rate limit under 16 KiB/s', withPatch({ perPersonBytesPerSecond: 16 * 1024 - 1 }), 'perPersonBytesPerSecond'],
    ['a rate limit past 1 GiB/s', withPatch({ perPersonBytesPerSecond: maxRateBytesPerSecond + 1 }), 'perPersonBytesPerSecond'],
    ['nobody at once', withPatch({ maxPeopleAtOnce: 0 }), 'maxPeopleAtOnce'],
    ['too many people at once', withPatch({ maxPeopleAtOnce: maxPeopleAtOnce + 1 }), 'maxPeopleAtOnce'],
    ['half a person', withPatch({ maxPeopleAtOnce: 1.5 }), 'maxPeopleAtOnce'],
    ['onlyWhenIdle as a number', withPatch({ onlyWhenIdle: 1 }), 'onlyWhenIdle'],
    ['hours.enabled as a string', withHours({ enabled: 'yes' }), 'hours.enabled'],
    ['a negative start minute', withHours({ startMinute: -1 }), 'hours.startMinute'],
    ['a start minute of 24:00', withHours({ startMinute: 24 * 60 }), 'hours.startMinute'],
    ['an end minute of 24:00', withHours({ endMinute: 24 * 60 }), 'hours.endMinute'],
    ['a fractional end minute', withHours({ endMinute: 60.5 }), 'hours.endMinute'],
    ['pauseOnBattery missing', withPatch({ pauseOnBattery: undefined }), 'pauseOnBattery'],
    ['allowPlainHttp as a string', withPatch({ allowPlainHttp: 'false' }), 'allowPlainHttp'],
    ['notifications as a string', withPatch({ notifications: 'yes' }), 'notifications'],
    ['a sponsor code with a space', withPatch({ sponsorCode: 'two words' }), 'sponsorCode'],
    ['a sponsor code of 65 characters', withPatch({ sponsorCode: 'a'.repeat(65) }), 'sponsorCode'],
    ['an https:// server', withPatch({ signalingUrl: 'https://signal.example/ws' }), 'signalingUrl'],
    ['a server that is not a URL', withPatch({ signalingUrl: 'signal.example' }), 'signalingUrl'],
  ];
  it.each(refused)('refuses %s, naming the field', (_name, value, field) => {
    const fields = problemsOf(value);
    expect(fields.length).toBeGreaterThan(0);
    expect(new Set(fields)).toEqual(new Set([field]));
  });

  it('names every bad field at once, in the message too', () => {
    let error: unknown;
    try {
      parseDonorSettings({ ...defaults, dailyCapBytes: -1, hours: { ...defaults.hours, startMinute: 9999 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DonorSettingsError);
    expect((error as DonorSettingsError).problems.map((p) => p.field)).toEqual(['dailyCapBytes', 'hours.startMinute']);
    expect((error as Error).message).toMatch(/dailyCapBytes: .*; hours\.startMinute: /);
  });

  it('refuses an unknown key, naming it', () => {
    let error: unknown;
    try {
      parseDonorSettings({ ...defaults, turbo: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DonorSettingsError);
    expect((error as Error).message).toContain('turbo');
  });

  it.each([null, undefined, 'settings', 42, []])('refuses %j as a whole', (value) => {
    expect(problemsOf(value)).toEqual(['(settings)']);
  });
});

describe('restoreDonorSettings', () => {
  it.each([undefined, null, 'garbage', 42, true])('falls back to the defaults for %j', (stored) => {
    expect(restoreDonorSettings(stored, defaults)).toEqual(defaults);
  });

  it('restores a complete record as it was', () => {
    const saved: DonorSettings = { ...defaults, sharing: true, dailyCapBytes: 5_000_000, maxPeopleAtOnce: 8, sponsorCode: 'coop' };
    expect(restoreDonorSettings(saved, defaults)).toEqual(saved);
  });

  it('fills keys an older record lacks from the defaults', () => {
    expect(restoreDonorSettings({ sharing: true, dailyCapBytes: 1_000_000 }, defaults)).toEqual({
      ...defaults,
      sharing: true,
      dailyCapBytes: 1_000_000,
    });
  });

  it('drops a damaged key alone and keeps the others', () => {
    const restored = restoreDonorSettings(
      { ...defaults, monthlyCapBytes: -7, maxPeopleAtOnce: 9, hours: { enabled: true, startMinute: 60, endMinute: 99999 }, onlyWhenIdle: true },
      defaults,
    );
    expect(restored).toEqual({ ...defaults, maxPeopleAtOnce: 9, onlyWhenIdle: true });
  });

  it('ignores keys it does not know', () => {
    expect(restoreDonorSettings({ ...defaults, turbo: true, dailyCapBytes: 2048 }, defaults)).toEqual({ ...defaults, dailyCapBytes: 2048 });
  });

  it.each(['true', 1, 'on', {}, null])('never switches sharing on from a damaged value (%j)', (sharing) => {
    expect(restoreDonorSettings({ ...defaults, sharing }, defaults).sharing).toBe(false);
  });

  it('never switches sharing on for a record that is damaged throughout', () => {
    const restored = restoreDonorSettings({ sharing: 'yes', dailyCapBytes: 'lots', hours: 'night', signalingUrl: 'http://evil' }, defaults);
    expect(restored).toEqual(defaults);
  });

  it('keeps the build default server when the stored one is not a WebSocket address', () => {
    expect(restoreDonorSettings({ signalingUrl: 'https://elsewhere.example' }, defaults).signalingUrl).toBe(defaults.signalingUrl);
  });
});

describe('updateDonorSettings', () => {
  it('applies a valid change and leaves the current settings untouched', () => {
    const current = { ...defaults };
    const next = updateDonorSettings(current, { sharing: true, dailyCapBytes: 10_000_000 });
    expect(next).toEqual({ ...defaults, sharing: true, dailyCapBytes: 10_000_000 });
    expect(current).toEqual(defaults);
  });

  it('refuses an invalid change, naming the field, and changes nothing', () => {
    const current = { ...defaults, sharing: true };
    const snapshot = structuredClone(current);
    expect(() => updateDonorSettings(current, { sharing: false, maxPeopleAtOnce: 0 })).toThrow(DonorSettingsError);
    try {
      updateDonorSettings(current, { sharing: false, maxPeopleAtOnce: 0 });
    } catch (error) {
      expect((error as DonorSettingsError).problems.map((p) => p.field)).toEqual(['maxPeopleAtOnce']);
    }
    expect(current).toEqual(snapshot);
  });

  it('replaces hours as a whole', () => {
    const next = updateDonorSettings(defaults, { hours: { enabled: true, startMinute: 9 * 60, endMinute: 17 * 60 } });
    expect(next.hours).toEqual({ enabled: true, startMinute: 540, endMinute: 1020 });
  });
});
