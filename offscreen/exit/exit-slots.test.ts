// The fair slot scheduler on its own: who gets a slot, who waits, who is refused, and in which
// order freed slots are handed on when several clients want more than the pool holds.
import { describe, expect, it } from 'vitest';
import { clientFetchShare, clientQueueShare, createFairSlots, type FairSlotLimits } from './exit-slots.ts';

/** Slots whose tasks are names; `finish(name)` releases that task's slot. */
function makeSlots(limits: FairSlotLimits) {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const slots = createFairSlots<string>({
    limits,
    run: (task, release) => {
      started.push(task);
      releases.set(task, release);
    },
  });
  const never = new AbortController().signal;
  return {
    slots,
    started,
    submit: (client: string, task: string, signal = never) => slots.submit(client, task, signal),
    finish: (task: string) => releases.get(task)!(), // tests only finish tasks that started
  };
}

describe('createFairSlots', () => {
  it('gives one client at most its share of the pool, even when the rest is free', () => {
    const t = makeSlots({ slots: 32, queued: 256 });
    expect(t.slots.perClientSlots).toBe(32 * clientFetchShare);
    const outcomes = Array.from({ length: 10 }, (_, i) => t.submit('a', `a${i}`));
    expect(outcomes).toEqual([...Array(8).fill('started'), 'queued', 'queued']);
    expect(t.submit('b', 'b0')).toBe('started');
    expect(t.slots.running).toBe(9);
    t.finish('a0');
    expect(t.started.at(-1)).toBe('a8');
  });

  it('refuses a client past its share of the waiting room, and everyone once the room is full', () => {
    const t = makeSlots({ slots: 4, queued: 8 });
    expect(t.slots.perClientQueued).toBe(8 * clientQueueShare);
    expect(t.submit('a', 'a0')).toBe('started');
    expect([t.submit('a', 'a1'), t.submit('a', 'a2'), t.submit('a', 'a3')]).toEqual(['queued', 'queued', 'client-busy']);
    for (const client of ['b', 'c', 'd']) t.submit(client, `${client}0`);
    expect(t.slots.running).toBe(4);
    for (const client of ['b', 'c', 'd']) t.submit(client, `${client}1`), t.submit(client, `${client}2`);
    expect(t.slots.waiting).toBe(8);
    expect(t.submit('e', 'e0')).toBe('busy');
  });

  it('hands a freed slot to the waiting client holding the fewest, the one served longest ago among equals', () => {
    const t = makeSlots({ slots: 8, queued: 64 });
    expect(t.slots.perClientSlots).toBe(2);
    // x and y take their share; a, b, c and d one slot each: the pool is full.
    for (const task of ['x0', 'x1', 'y0', 'y1', 'a0', 'b0', 'c0', 'd0']) expect(t.submit(task[0]!, task)).toBe('started');
    // a, b, c and d want more, asking in the opposite order of their first turn.
    for (const task of ['d1', 'c1', 'b1', 'a1']) expect(t.submit(task[0]!, task)).toBe('queued');
    for (const task of ['x0', 'x1', 'y0', 'y1']) t.finish(task);
    // All four hold one: the freed slots go longest-served first, not in asking order.
    expect(t.started.slice(8)).toEqual(['a1', 'b1', 'c1', 'd1']);
    // a and x both want one more; when a's own slot frees, it goes to x, which holds none, not to a.
    expect(t.submit('a', 'a2')).toBe('queued');
    expect(t.submit('x', 'x2')).toBe('queued');
    t.finish('a0');
    expect(t.started.at(-1)).toBe('x2');
    t.finish('b0');
    expect(t.started.at(-1)).toBe('a2');
  });

  it('serves a client that has had no slot yet before one that just had one', () => {
    const t = makeSlots({ slots: 4, queued: 64 });
    for (const client of ['a', 'b', 'c', 'd']) t.submit(client, `${client}0`);
    t.submit('a', 'a1');
    expect(t.submit('e', 'e0')).toBe('queued');
    t.finish('a0');
    expect(t.started.at(-1)).toBe('e0');
    t.finish('b0');
    expect(t.started.at(-1)).toBe('a1');
  });

  it('drops a waiting task whose signal aborts, freeing its place in the waiting room', () => {
    const t = makeSlots({ slots: 1, queued: 1 });
    t.submit('a', 'a0');
    const gone = new AbortController();
    expect(t.submit('b', 'b0', gone.signal)).toBe('queued');
    expect(t.submit('c', 'c0')).toBe('busy');
    gone.abort();
    expect(t.slots.waiting).toBe(0);
    expect(t.submit('c', 'c0')).toBe('queued');
    t.finish('a0');
    expect(t.started).toEqual(['a0', 'c0']);
  });

  it('never starts a task submitted with a signal that had already aborted', () => {
    const t = makeSlots({ slots: 1, queued: 4 });
    t.submit('a', 'a0');
    t.submit('b', 'b0', AbortSignal.abort());
    t.submit('c', 'c0');
    t.finish('a0');
    expect(t.started).toEqual(['a0', 'c0']);
  });

  it('releases a slot once, however often release is called', () => {
    const t = makeSlots({ slots: 1, queued: 4 });
    t.submit('a', 'a0');
    t.submit('a', 'a1');
    t.submit('b', 'b0');
    t.finish('a0');
    t.finish('a0');
    expect(t.started).toEqual(['a0', 'b0']);
    expect(t.slots.running).toBe(1);
  });

  it('clear() hands back what waited and starts nothing more', () => {
    const t = makeSlots({ slots: 1, queued: 4 });
    t.submit('a', 'a0');
    t.submit('a', 'a1');
    t.submit('b', 'b0');
    expect(t.slots.clear().sort()).toEqual(['a1', 'b0']);
    t.finish('a0');
    expect(t.started).toEqual(['a0']);
    expect(t.slots).toMatchObject({ running: 0, waiting: 0 });
  });

  it.each([
    ['no slots', { slots: 0, queued: 1 }],
    ['fractional slots', { slots: 1.5, queued: 1 }],
    ['a negative waiting room', { slots: 1, queued: -1 }],
  ])('refuses %s with a RangeError', (_name, limits) => {
    expect(() => createFairSlots({ limits, run: () => {} })).toThrow(RangeError);
  });
});
