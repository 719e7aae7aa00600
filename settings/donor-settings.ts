// What a donor controls: whether to share, how much, when, and for whom. One schema parses every
// read from storage and every change from the options page, so a bad value is refused with a
// message naming the field instead of reaching the relay engine.
import { z } from 'zod';
import { sponsorCodePattern, sponsorCodeRule } from '../protocol/sponsor-code.ts';

const mebibyte = 1024 * 1024;

/** Largest cap a donor may set, per day or per month (1 TiB): beyond it "no cap" is the honest setting. */
export const maxCapBytes = 1024 * 1024 * mebibyte;
/** Largest per-person rate limit, bytes per second (1 GiB/s). */
export const maxRateBytesPerSecond = 1024 * mebibyte;
/** Most people a donor may serve at once (the listing's `maxSessions` ceiling is higher; browsers are not servers). */
export const maxPeopleAtOnce = 32;

/** Minutes since local midnight, 0–1439. */
const minuteOfDaySchema = z.number().int().min(0).max(24 * 60 - 1);

/** Share only inside [startMinute, endMinute) local time; a window may wrap past midnight. */
export const shareHoursSchema = z.strictObject({
  enabled: z.boolean(),
  startMinute: minuteOfDaySchema,
  endMinute: minuteOfDaySchema,
});

/** A cap in bytes, or null for none. */
const capSchema = z.number().int().positive().max(maxCapBytes).nullable();

export const donorSettingsSchema = z.strictObject({
  /** The popup's switch. */
  sharing: z.boolean(),
  dailyCapBytes: capSchema,
  monthlyCapBytes: capSchema,
  /** Per-person (per tunnel) response bytes per second, or null for no limit. */
  perPersonBytesPerSecond: z.number().int().min(16 * 1024).max(maxRateBytesPerSecond).nullable(),
  maxPeopleAtOnce: z.number().int().min(1).max(maxPeopleAtOnce),
  /** Share only while the computer is idle (no keyboard or mouse input for a minute). */
  onlyWhenIdle: z.boolean(),
  hours: shareHoursSchema,
  /** Pause while the computer runs on battery, where the browser reports it. */
  pauseOnBattery: z.boolean(),
  /** Let clients fetch plain-http sites (GET/HEAD only). Off by default. */
  allowPlainHttp: z.boolean(),
  /** A partner's sponsor/compartment code, or '' for none. */
  sponsorCode: z.union([z.literal(''), z.string().regex(sponsorCodePattern, sponsorCodeRule)]),
  /** The signaling server to use; the build's default unless the donor changes it. */
  signalingUrl: z
    .string()
    .url()
    .refine((url) => /^wss?:/.test(url), 'expected a ws:// or wss:// address'),
});

/** Every donor setting, parsed. */
export type DonorSettings = z.infer<typeof donorSettingsSchema>;

/** A problem with one setting, for showing beside its input. */
export interface SettingsProblem {
  /** The setting's key, e.g. 'dailyCapBytes' or 'hours.startMinute'. */
  field: string;
  message: string;
}

/** Thrown by `parseDonorSettings` with one problem per bad field. */
export class DonorSettingsError extends TypeError {
  constructor(readonly problems: readonly SettingsProblem[]) {
    super(`invalid settings: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'DonorSettingsError';
  }
}

/** The settings a fresh install starts with: sharing off, plain http off, no caps. */
export function defaultDonorSettings(signalingUrl: string): DonorSettings {
  return {
    sharing: false,
    dailyCapBytes: null,
    monthlyCapBytes: null,
    perPersonBytesPerSecond: null,
    maxPeopleAtOnce: 4,
    onlyWhenIdle: false,
    hours: { enabled: false, startMinute: 22 * 60, endMinute: 7 * 60 },
    pauseOnBattery: true,
    allowPlainHttp: false,
    sponsorCode: '',
    signalingUrl,
  };
}

/**
 * Parses settings from storage or a form.
 * @throws {DonorSettingsError} naming every bad field.
 */
export function parseDonorSettings(value: unknown): DonorSettings {
  const result = donorSettingsSchema.safeParse(value);
  if (result.success) return result.data;
  throw new DonorSettingsError(result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(settings)', message: issue.message })));
}

/**
 * Settings read back from storage: missing or unknown keys fall back to defaults key by key, so an
 * older or damaged record never switches sharing on or loses the other settings.
 */
export function restoreDonorSettings(stored: unknown, defaults: DonorSettings): DonorSettings {
  if (typeof stored !== 'object' || stored === null) return defaults;
  const merged: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof DonorSettings>) {
    if (!(key in stored)) continue;
    const candidate = { ...defaults, [key]: (stored as Record<string, unknown>)[key] };
    if (donorSettingsSchema.safeParse(candidate).success) merged[key] = candidate[key];
  }
  return parseDonorSettings(merged);
}

/**
 * Applies a change from the options page.
 * @throws {DonorSettingsError} when the result is not valid; nothing is changed then.
 */
export function updateDonorSettings(current: DonorSettings, patch: Partial<DonorSettings>): DonorSettings {
  return parseDonorSettings({ ...current, ...patch });
}
