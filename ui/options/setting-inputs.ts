// Between what the options form shows (text in inputs, a unit beside an amount, "22:00") and what
// the settings hold (bytes, bytes per second, minutes since midnight). Pure, so it is unit-tested.

/** A unit the donor can pick beside an amount, and how many bytes (or bytes per second) it is. */
export interface AmountUnit<Key extends string = string> {
  key: Key;
  bytes: number;
}

/** One or more units to pick from. */
export type AmountUnits<Key extends string> = readonly [AmountUnit<Key>, ...Array<AmountUnit<Key>>];

/** Units for the daily and monthly caps. */
export const capUnits: readonly [AmountUnit<'mib' | 'gib'>, AmountUnit<'mib' | 'gib'>] = [
  { key: 'mib', bytes: 1024 ** 2 },
  { key: 'gib', bytes: 1024 ** 3 },
];

/** Units for the per-person speed limit. */
export const rateUnits: readonly [AmountUnit<'kibps' | 'mibps'>, AmountUnit<'kibps' | 'mibps'>] = [
  { key: 'kibps', bytes: 1024 },
  { key: 'mibps', bytes: 1024 ** 2 },
];

/** What an input's text says: a value, or something that is not one. */
export type ParsedInput<T> = { ok: true; value: T } | { ok: false };

// Decimal numbers as <input type="number"> reports them (always "." and ASCII digits).
const decimalPattern = /^\d+(?:\.\d+)?$|^\.\d+$/;

/** An amount typed in `unit` as whole bytes; empty text means no limit (null). */
export function parseAmount(text: string, unit: AmountUnit): ParsedInput<number | null> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!decimalPattern.test(trimmed)) return { ok: false };
  return { ok: true, value: Math.round(Number(trimmed) * unit.bytes) };
}

/** `bytes` as the text of an amount in `unit` (at most two decimals); '' for no limit. */
export function amountText(bytes: number | null, unit: AmountUnit): string {
  if (bytes === null) return '';
  return String(Number((bytes / unit.bytes).toFixed(2)));
}

/** The largest of `units` that shows `bytes` exactly with at most two decimals; the smallest otherwise. */
export function preferredUnit<Key extends string>(bytes: number | null, units: AmountUnits<Key>): AmountUnit<Key> {
  const sorted = [...units].sort((a, b) => b.bytes - a.bytes);
  for (const unit of sorted) {
    if (bytes !== null && bytes >= unit.bytes && Math.round(Number((bytes / unit.bytes).toFixed(2)) * unit.bytes) === bytes) return unit;
  }
  return units.reduce((smallest, unit) => (unit.bytes < smallest.bytes ? unit : smallest));
}

/** A whole number typed in an input, e.g. the most people at once. */
export function parseWholeNumber(text: string): ParsedInput<number> {
  const trimmed = text.trim();
  return /^\d{1,9}$/.test(trimmed) ? { ok: true, value: Number(trimmed) } : { ok: false };
}

/** Minutes since midnight as an <input type="time"> value, "HH:MM". */
export function minuteToTime(minute: number): string {
  const hours = Math.floor(minute / 60);
  return `${String(hours).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** An <input type="time"> value ("HH:MM", seconds ignored) as minutes since midnight. */
export function timeToMinute(text: string): ParsedInput<number> {
  const match = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  if (!match) return { ok: false };
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return { ok: false };
  return { ok: true, value: hours * 60 + minutes };
}
