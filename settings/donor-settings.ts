// What a donor controls: whether to share, how much, when, and for whom. One schema
// (protocol/donor-settings-schema.ts) parses every read from storage and every change from the
// options page, so a bad value is refused with a message naming the field instead of reaching the
// relay engine; this module holds the defaults and how stored and changed settings are merged.
import { donorSettingsSchema, type DonorSettings } from '../protocol/donor-settings-schema.ts';

export { donorSettingsSchema, maxCapBytes, maxPeopleAtOnce, maxRateBytesPerSecond, shareHoursSchema, type DonorSettings } from '../protocol/donor-settings-schema.ts';

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

/** The settings a fresh install starts with: sharing off, plain http off, no caps, no notifications. */
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
    notifications: false,
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
