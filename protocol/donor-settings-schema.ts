// The donor's settings as a format: the one schema that parses every settings record crossing a
// boundary (storage read back, the options page's changes, runtime messages to the engine). The
// defaults and the rules for merging and updating live in settings/donor-settings.ts.
import { z } from 'zod';
import { sponsorCodePattern, sponsorCodeRule } from './sponsor-code.ts';

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
  /** Browser notifications when sharing stops by itself (a cap, the server out of reach); off until the donor opts in. */
  notifications: z.boolean(),
  /** The signaling server to use; the build's default unless the donor changes it. */
  signalingUrl: z
    .string()
    .url()
    .refine((url) => /^wss?:/.test(url), 'expected a ws:// or wss:// address'),
});

/** Every donor setting, parsed. */
export type DonorSettings = z.infer<typeof donorSettingsSchema>;
