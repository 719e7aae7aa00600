import { describe, expect, it } from 'vitest';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import { decideNotices, initialNoticeMemory, noticeMemoryStaleMs, offlineNoticeAfterMs, parseNoticeMemory, type NoticeKind, type NoticeMemory } from './notification-rules.ts';

type Status = Pick<DonorStatus, 'state' | 'reason'>;
const connected: Status = { state: 'connected' };
const off: Status = { state: 'off' };
const offline: Status = { state: 'offline', reason: 'signaling-unreachable' };
const starting: Status = { state: 'starting' };
const dailyCap: Status = { state: 'paused', reason: 'daily-cap' };
const monthlyCap: Status = { state: 'paused', reason: 'monthly-cap' };
const outsideHours: Status = { state: 'paused', reason: 'outside-hours' };
const minute = 60_000;

/** Feeds `steps` (status at a time, ms from 0) through the rules; returns what each step told. */
function run(steps: ReadonlyArray<readonly [number, Status]>, enabled = true): NoticeKind[][] {
  let memory: NoticeMemory = initialNoticeMemory;
  return steps.map(([at, status]) => {
    const decision = decideNotices(memory, status, at, enabled);
    memory = decision.memory;
    return decision.notices;
  });
}

describe('decideNotices', () => {
  it.each<[string, ReadonlyArray<readonly [number, Status]>, NoticeKind[][]]>([
    ['a reached daily cap, once', [[0, connected], [1000, dailyCap], [2000, dailyCap], [3000, dailyCap]], [[], ['daily-cap'], [], []]],
    ['a reached monthly cap', [[0, monthlyCap]], [['monthly-cap']]],
    ['the monthly cap after the daily one is a new event', [[0, dailyCap], [1000, monthlyCap]], [['daily-cap'], ['monthly-cap']]],
    ['the cap again after sharing ran again (a raised cap reached)', [[0, dailyCap], [1000, connected], [2000, dailyCap]], [['daily-cap'], [], ['daily-cap']]],
    ['not again after the donor switches off and on at the cap', [[0, dailyCap], [1000, off], [2000, dailyCap]], [['daily-cap'], [], []]],
    ['no notice for pauses the donor chose', [[0, outsideHours], [1000, { state: 'paused', reason: 'not-idle' }], [2000, { state: 'paused', reason: 'on-battery' }]], [[], [], []]],
    ['nothing while connected or off', [[0, connected], [10 * minute, off], [20 * minute, connected]], [[], [], []]],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it.each<[string, ReadonlyArray<readonly [number, Status]>, NoticeKind[][]]>([
    ['offline under five minutes: nothing', [[0, offline], [offlineNoticeAfterMs - 1, offline]], [[], []]],
    ['offline for five minutes: once', [[0, offline], [offlineNoticeAfterMs, offline], [offlineNoticeAfterMs + minute, offline]], [[], ['offline'], []]],
    ['starting that never connects counts too', [[0, starting], [2 * minute, offline], [offlineNoticeAfterMs, offline]], [[], [], ['offline']]],
    ['a connection in between starts the clock again', [[0, offline], [4 * minute, connected], [5 * minute, offline], [9 * minute, offline], [10 * minute, offline]], [[], [], [], [], ['offline']]],
    ['again after it came back and was lost again', [[0, offline], [5 * minute, offline], [6 * minute, connected], [7 * minute, offline], [12 * minute, offline]], [[], ['offline'], [], [], ['offline']]],
    ['switching off ends the disconnection', [[0, offline], [4 * minute, off], [5 * minute, offline], [6 * minute, offline]], [[], [], [], []]],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it('asks to look again when only time would bring the notice', () => {
    const first = decideNotices(initialNoticeMemory, offline, 1000, true);
    expect(first.checkAt).toBe(1000 + offlineNoticeAfterMs);
    const later = decideNotices(first.memory, offline, 1000 + minute, true);
    expect(later.checkAt).toBe(1000 + offlineNoticeAfterMs);
    const told = decideNotices(later.memory, offline, 1000 + offlineNoticeAfterMs, true);
    expect(told.notices).toEqual(['offline']);
    expect(told.checkAt).toBeUndefined();
    expect(decideNotices(told.memory, connected, 1000 + offlineNoticeAfterMs + minute, true).checkAt).toBeUndefined();
  });

  it('tells nothing while notifications are off, and opting in does not announce an old event', () => {
    expect(run([[0, dailyCap], [1000, offline], [offlineNoticeAfterMs + 1000, offline]], false)).toEqual([[], [], []]);
    let memory = decideNotices(initialNoticeMemory, dailyCap, 0, false).memory;
    memory = decideNotices(memory, dailyCap, 1000, true).memory;
    expect(decideNotices(memory, dailyCap, 2000, true).notices).toEqual([]);
  });

  it('times a disconnection again after a gap nobody watched (browser closed, computer asleep)', () => {
    const before = decideNotices(initialNoticeMemory, offline, 0, true).memory;
    const afterGap = decideNotices(before, starting, noticeMemoryStaleMs + minute, true);
    expect(afterGap.notices).toEqual([]);
    expect(afterGap.checkAt).toBe(noticeMemoryStaleMs + minute + offlineNoticeAfterMs);
  });

  it('does not trust a look from the future (a clock set back)', () => {
    const memory: NoticeMemory = { offlineNoticed: false, disconnectedSince: 0, checkedAt: 60 * minute };
    expect(decideNotices(memory, offline, 10 * minute, true).notices).toEqual([]);
  });
});

describe('parseNoticeMemory', () => {
  it.each<[string, unknown]>([
    ['nothing stored', undefined],
    ['a string', 'offline'],
    ['null', null],
  ])('reads %s as the initial memory', (_name, value) => {
    expect(parseNoticeMemory(value)).toEqual(initialNoticeMemory);
  });

  it('keeps the fields it knows and drops the rest', () => {
    expect(parseNoticeMemory({ capNoticed: 'daily-cap', disconnectedSince: 5, offlineNoticed: true, checkedAt: 7, extra: 1 })).toEqual({
      capNoticed: 'daily-cap',
      disconnectedSince: 5,
      offlineNoticed: true,
      checkedAt: 7,
    });
    expect(parseNoticeMemory({ capNoticed: 'weekly-cap', disconnectedSince: 'soon', offlineNoticed: 'yes', checkedAt: Number.NaN })).toEqual(initialNoticeMemory);
  });
});
