// Time shared, in the donor's language: minutes under an hour, then hours with at most one decimal
// ("45 minutes", "2.5 hours", "۴۱ ساعت"). Intl writes the unit, so no locale file needs it.

const secondsPerHour = 3600;

/** `seconds` as a duration for the popup's figures. */
export function formatSharedTime(seconds: number, language: string): string {
  if (seconds < secondsPerHour) {
    return new Intl.NumberFormat([language], { style: 'unit', unit: 'minute', unitDisplay: 'long', maximumFractionDigits: 0 }).format(Math.floor(seconds / 60));
  }
  const hours = seconds / secondsPerHour;
  // Rounded down, never more than was shared; beyond 100 hours a decimal says nothing.
  const decimals = hours < 100 ? 1 : 0;
  const shown = Math.floor(hours * 10 ** decimals) / 10 ** decimals;
  return new Intl.NumberFormat([language], { style: 'unit', unit: 'hour', unitDisplay: 'long', maximumFractionDigits: decimals }).format(shown);
}
