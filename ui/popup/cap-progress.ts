// Progress toward the donor's daily and monthly caps, from the engine's status and the settings.
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';

/** One cap with what has been served against it. */
export interface CapProgress {
  period: 'day' | 'month';
  usedBytes: number;
  capBytes: number;
  /** 0–1, for the bar. */
  fraction: number;
}

/** The caps the donor has set, today's first; none when there are no caps. */
export function capProgress(settings: Pick<DonorSettings, 'dailyCapBytes' | 'monthlyCapBytes'>, status: Pick<DonorStatus, 'bytesToday' | 'bytesThisMonth'>): CapProgress[] {
  const caps: CapProgress[] = [];
  const add = (period: CapProgress['period'], usedBytes: number, capBytes: number | null): void => {
    if (capBytes === null) return;
    caps.push({ period, usedBytes, capBytes, fraction: Math.min(1, Math.max(0, usedBytes / capBytes)) });
  };
  add('day', status.bytesToday, settings.dailyCapBytes);
  add('month', status.bytesThisMonth, settings.monthlyCapBytes);
  return caps;
}
