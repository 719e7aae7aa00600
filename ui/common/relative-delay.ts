// "in 30 seconds" / "in 2 minutes" in the donor's language, for when the engine retries by itself.

// Up to this many seconds the delay is counted in seconds; beyond it, in whole minutes.
const secondsShownUpTo = 90;

/** The time from `now` until `at` (epoch ms) as a relative phrase in `language`; "now" once it has passed. */
export function relativeDelay(at: number, now: number, language: string): string {
  const format = new Intl.RelativeTimeFormat([language], { numeric: 'auto' });
  const seconds = Math.max(0, Math.ceil((at - now) / 1000));
  if (seconds <= secondsShownUpTo) return format.format(seconds, 'second');
  return format.format(Math.ceil(seconds / 60), 'minute');
}
