// Durations as a person reads them, in their language: "850 ms", "1.4 s", "12 s".

/** `ms` milliseconds in `language`: whole milliseconds below a second, else seconds (one decimal under ten). */
export function formatDuration(ms: number, language: string): string {
  const value = Math.max(0, ms);
  if (value < 1000) return new Intl.NumberFormat([language], { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 }).format(value);
  const seconds = value / 1000;
  return new Intl.NumberFormat([language], { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: seconds < 10 ? 1 : 0 }).format(seconds);
}
