// When the donor is told, by a browser notification, that sharing stopped by itself: once when a
// daily or monthly cap pauses it, and once when the server has been out of reach for a while with
// sharing on. Pure: the status, the clock and what was already said go in; what to say, what to
// remember and when to look again come out (background/notifications.ts does the rest).
import type { DonorStatus } from '../protocol/runtime-messages.ts';

/** Sharing on but not connected this long (the server out of reach, or still starting) is worth a notification. */
export const offlineNoticeAfterMs = 5 * 60_000;
/**
 * Memory older than this is from before a gap (the browser closed, the computer asleep): the
 * background looks at least every watchdog period and at each status, so a longer silence means
 * nobody was watching, and a disconnection is timed again from now rather than from before it.
 */
export const noticeMemoryStaleMs = 10 * 60_000;

/** What a notification is about. */
export type NoticeKind = 'daily-cap' | 'monthly-cap' | 'offline';

/** What was already said and since when sharing has been disconnected. */
export interface NoticeMemory {
  /** The cap the donor was last told about; cleared once sharing runs again. */
  capNoticed?: 'daily-cap' | 'monthly-cap';
  /** Epoch ms since when sharing is on but not connected. */
  disconnectedSince?: number;
  /** Whether this disconnection has been told about. */
  offlineNoticed: boolean;
  /** Epoch ms of the last look. */
  checkedAt?: number;
}

export const initialNoticeMemory: NoticeMemory = { offlineNoticed: false };

/** The outcome of one look. */
export interface NoticeDecision {
  memory: NoticeMemory;
  /** What to tell the donor now (empty when notifications are off: the memory still moves on). */
  notices: NoticeKind[];
  /** Epoch ms when time alone would bring a notice: look again then. */
  checkAt?: number;
}

/**
 * Decides what to tell the donor for `status` at `now`. With `enabled` false nothing is told, but
 * events are still remembered, so turning notifications on does not announce an old one.
 */
export function decideNotices(memory: NoticeMemory, status: Pick<DonorStatus, 'state' | 'reason'>, now: number, enabled: boolean): NoticeDecision {
  const fresh = memory.checkedAt !== undefined && now - memory.checkedAt <= noticeMemoryStaleMs && now >= memory.checkedAt;
  const next: NoticeMemory = { ...memory, checkedAt: now };
  const notices: NoticeKind[] = [];
  let checkAt: number | undefined;

  // Caps: the engine names a reached cap before any other pause, so any other state means no cap is
  // reached now and the next one is a new event. 'off' keeps the memory: switching sharing off and on
  // again at a reached cap is the donor's own doing, not news.
  const cap = status.state === 'paused' && (status.reason === 'daily-cap' || status.reason === 'monthly-cap') ? status.reason : undefined;
  if (cap !== undefined) {
    if (memory.capNoticed !== cap) notices.push(cap);
    next.capNoticed = cap;
  } else if (status.state !== 'off') {
    delete next.capNoticed;
  }

  // Disconnected: sharing on, not paused, not connected.
  if (status.state === 'offline' || status.state === 'starting') {
    const since = fresh && memory.disconnectedSince !== undefined ? memory.disconnectedSince : now;
    next.disconnectedSince = since;
    next.offlineNoticed = fresh ? memory.offlineNoticed : false;
    if (!next.offlineNoticed) {
      if (now - since >= offlineNoticeAfterMs) {
        notices.push('offline');
        next.offlineNoticed = true;
      } else {
        checkAt = since + offlineNoticeAfterMs;
      }
    }
  } else {
    delete next.disconnectedSince;
    next.offlineNoticed = false;
  }

  return { memory: next, notices: enabled ? notices : [], ...(checkAt !== undefined ? { checkAt } : {}) };
}

/**
 * Reads memory back from storage; anything unreadable is the initial memory (at worst one notice
 * is repeated, never lost for good).
 */
export function parseNoticeMemory(value: unknown): NoticeMemory {
  if (typeof value !== 'object' || value === null) return initialNoticeMemory;
  const record = value as Record<string, unknown>;
  const time = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const memory: NoticeMemory = { offlineNoticed: record.offlineNoticed === true };
  if (record.capNoticed === 'daily-cap' || record.capNoticed === 'monthly-cap') memory.capNoticed = record.capNoticed;
  const since = time(record.disconnectedSince);
  if (since !== undefined) memory.disconnectedSince = since;
  const checked = time(record.checkedAt);
  if (checked !== undefined) memory.checkedAt = checked;
  return memory;
}
