// Whether a donor who switched sharing on should be serving right now, and if not, why — in one
// pure function so the popup's explanation and the engine's behaviour can never disagree.
import type { DonorSettings } from './donor-settings.ts';

/** Why sharing is on but paused. */
export type PauseReason = 'daily-cap' | 'monthly-cap' | 'outside-hours' | 'not-idle' | 'on-battery';

/** What the browser reports about the person at the computer (chrome.idle states). */
export type IdleState = 'active' | 'idle' | 'locked';

/** Bytes served so far in the current local day and month. */
export interface UsageTotals {
  todayBytes: number;
  monthBytes: number;
}

export interface ShareConditions {
  settings: DonorSettings;
  /** Local time now. */
  now: Date;
  idleState: IdleState;
  /** true on battery, false on mains, undefined where the browser does not tell. */
  onBattery: boolean | undefined;
  usage: UsageTotals;
}

/** Minutes since local midnight. */
export function minuteOfDay(date: Date): number {
  return date.getHours() * 60 + date.getMinutes();
}

/** Whether `minute` lies in [start, end), wrapping past midnight when end < start; an empty window (start = end) is all day. */
export function withinHours(minute: number, startMinute: number, endMinute: number): boolean {
  if (startMinute === endMinute) return true;
  if (startMinute < endMinute) return minute >= startMinute && minute < endMinute;
  return minute >= startMinute || minute < endMinute;
}

/** null when the donor should serve now; otherwise the first reason not to (caps first: they are the donor's hard limits). */
export function pauseReason(conditions: ShareConditions): PauseReason | null {
  const { settings, usage } = conditions;
  if (settings.dailyCapBytes !== null && usage.todayBytes >= settings.dailyCapBytes) return 'daily-cap';
  if (settings.monthlyCapBytes !== null && usage.monthBytes >= settings.monthlyCapBytes) return 'monthly-cap';
  if (settings.hours.enabled && !withinHours(minuteOfDay(conditions.now), settings.hours.startMinute, settings.hours.endMinute)) {
    return 'outside-hours';
  }
  if (settings.onlyWhenIdle && conditions.idleState === 'active') return 'not-idle';
  if (settings.pauseOnBattery && conditions.onBattery === true) return 'on-battery';
  return null;
}

/** Local calendar day as 'YYYY-MM-DD' (the key usage is counted under). */
export function localDayKey(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}
