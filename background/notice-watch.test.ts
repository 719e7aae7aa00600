// The watch over real (fake) time: statuses arrive, the wake-up it asks for is a timer here (an
// alarm in the browser), and each notice shows once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import { createNoticeWatch } from './notice-watch.ts';
import { initialNoticeMemory, offlineNoticeAfterMs, type NoticeKind, type NoticeMemory } from './notification-rules.ts';

type Status = Pick<DonorStatus, 'state' | 'reason'>;

function setup(options: { enabled?: boolean } = {}) {
  let memory: NoticeMemory = initialNoticeMemory;
  let status: Status = { state: 'off' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shown: NoticeKind[] = [];
  const state = { enabled: options.enabled ?? true };
  const watch = createNoticeWatch({
    now: Date.now,
    loadMemory: async () => memory,
    saveMemory: async (next) => {
      memory = next;
    },
    enabled: async () => state.enabled,
    show: async (kind) => {
      shown.push(kind);
    },
    // What the alarm does in the browser: at `at`, look at the stored status again.
    wakeAt: async (at) => {
      clearTimeout(timer);
      timer = at === undefined ? undefined : setTimeout(() => void watch.check(status), at - Date.now());
    },
  });
  const report = async (next: Status): Promise<void> => {
    status = next;
    await watch.check(next);
  };
  return { report, shown, state, pendingWake: () => timer !== undefined };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2024, 4, 10, 12, 0));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createNoticeWatch', () => {
  it('tells once when the server has been out of reach for five minutes, with no status in between', async () => {
    const t = setup();
    await t.report({ state: 'connected' });
    await t.report({ state: 'offline', reason: 'signaling-unreachable' });
    await vi.advanceTimersByTimeAsync(offlineNoticeAfterMs - 1);
    expect(t.shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.shown).toEqual(['offline']);
    // Still offline: statuses keep coming (new retry times), nothing more is said.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(60_000);
      await t.report({ state: 'offline', reason: 'signaling-unreachable' });
    }
    expect(t.shown).toEqual(['offline']);
    expect(t.pendingWake()).toBe(false);
  });

  it('says nothing when the connection comes back in time, and tells again for a new loss', async () => {
    const t = setup();
    await t.report({ state: 'offline', reason: 'signaling-unreachable' });
    await vi.advanceTimersByTimeAsync(offlineNoticeAfterMs - 60_000);
    await t.report({ state: 'connected' });
    await vi.advanceTimersByTimeAsync(offlineNoticeAfterMs * 2);
    expect(t.shown).toEqual([]);
    expect(t.pendingWake()).toBe(false);

    await t.report({ state: 'offline', reason: 'signaling-refused' });
    await vi.advanceTimersByTimeAsync(offlineNoticeAfterMs);
    expect(t.shown).toEqual(['offline']);
  });

  it('tells once when a cap pauses sharing, and again only after sharing ran again', async () => {
    const t = setup();
    await t.report({ state: 'connected' });
    await t.report({ state: 'paused', reason: 'daily-cap' });
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await t.report({ state: 'paused', reason: 'daily-cap' });
    expect(t.shown).toEqual(['daily-cap']);
    await t.report({ state: 'connected' });
    await t.report({ state: 'paused', reason: 'daily-cap' });
    expect(t.shown).toEqual(['daily-cap', 'daily-cap']);
  });

  it('shows nothing while the donor has not opted in', async () => {
    const t = setup({ enabled: false });
    await t.report({ state: 'paused', reason: 'monthly-cap' });
    await t.report({ state: 'offline', reason: 'signaling-unreachable' });
    await vi.advanceTimersByTimeAsync(offlineNoticeAfterMs * 2);
    expect(t.shown).toEqual([]);
  });

  it('looks at statuses one at a time: a burst tells once', async () => {
    const t = setup();
    await Promise.all([t.report({ state: 'paused', reason: 'daily-cap' }), t.report({ state: 'paused', reason: 'daily-cap' }), t.report({ state: 'paused', reason: 'daily-cap' })]);
    expect(t.shown).toEqual(['daily-cap']);
  });
});
