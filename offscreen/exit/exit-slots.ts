// Fair fetch slots for an exit: every client (a peer id from HELLO) may hold at most a fixed share
// of the pool and fill at most a fixed share of the waiting room, and a freed slot goes to the
// waiting client that holds the fewest, round-robin among equals. One client opening every stream
// it can therefore never keeps the donor's other clients waiting. See docs/exit-policy.md, "Fairness".

/** Share of the exit's fetch slots one client may hold at once (8 of the default 32). */
export const clientFetchShare = 1 / 4;
/** Share of the exit's waiting room one client may fill (64 of the default 256). */
export const clientQueueShare = 1 / 4;

/** The pool: slots and waiting room for all clients together. */
export interface FairSlotLimits {
  /** Tasks that run at once, all clients together. */
  slots: number;
  /** Tasks that may wait for a slot, all clients together. */
  queued: number;
}

/** What `submit` did with a task: it runs now, it waits, or it was refused (nothing was kept). */
export type SlotOutcome =
  | 'started'
  | 'queued'
  /** The waiting room is full. */
  | 'busy'
  /** This client already fills its share of the waiting room. */
  | 'client-busy';

/** What the slots are built from. */
export interface FairSlotOptions<T> {
  limits: FairSlotLimits;
  /** Runs a task that got a slot; `release` (idempotent) frees the slot when the task is done. */
  run(task: T, release: () => void): void;
}

/** The handle `createFairSlots` returns. */
export interface FairSlots<T> {
  /** Runs `task` for `client` now if it may have a slot, else queues it; a queued task is dropped when `signal` aborts. */
  submit(client: string, task: T, signal: AbortSignal): SlotOutcome;
  /** Empties the waiting room and returns what waited (the running tasks keep their slots). */
  clear(): T[];
  /** Slots one client may hold at once. */
  readonly perClientSlots: number;
  /** Tasks one client may have waiting. */
  readonly perClientQueued: number;
  /** Tasks running now, all clients together. */
  readonly running: number;
  /** Tasks waiting now, all clients together. */
  readonly waiting: number;
}

interface Waiting<T> {
  task: T;
  signal: AbortSignal;
  onAbort: () => void;
}

interface ClientState<T> {
  held: number;
  queue: Array<Waiting<T>>;
  /** When this client last got a slot: ties between clients holding as many go to the one served longest ago. */
  servedAt: number;
}

/** Share of `total` for one client: at least one, so a tiny pool still serves everybody in turn. */
function shareOf(total: number, share: number): number {
  return Math.max(1, Math.floor(total * share));
}

/**
 * Builds the slots.
 * @throws {RangeError} when a limit is not a non-negative integer (slots at least 1).
 */
export function createFairSlots<T>(options: FairSlotOptions<T>): FairSlots<T> {
  const { slots, queued } = options.limits;
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots: expected an integer ≥ 1, got ${slots}`);
  if (!Number.isInteger(queued) || queued < 0) throw new RangeError(`queued: expected an integer ≥ 0, got ${queued}`);
  const perClientSlots = shareOf(slots, clientFetchShare);
  const perClientQueued = shareOf(queued, clientQueueShare);
  const clients = new Map<string, ClientState<T>>();
  let running = 0;
  let waiting = 0;
  let turn = 0;

  function stateOf(client: string): ClientState<T> {
    let state = clients.get(client);
    if (!state) {
      state = { held: 0, queue: [], servedAt: -1 };
      clients.set(client, state);
    }
    return state;
  }

  function forgetIfIdle(client: string, state: ClientState<T>): void {
    if (state.held === 0 && state.queue.length === 0) clients.delete(client);
  }

  function start(client: string, state: ClientState<T>, task: T): void {
    state.held++;
    state.servedAt = turn++;
    running++;
    let released = false;
    options.run(task, () => {
      if (released) return;
      released = true;
      state.held--;
      running--;
      forgetIfIdle(client, state);
      handOn();
    });
  }

  /** The waiting client that may take a slot and holds the fewest, the one served longest ago among equals. */
  function nextClient(): [string, ClientState<T>] | undefined {
    let best: [string, ClientState<T>] | undefined;
    for (const entry of clients) {
      const state = entry[1];
      if (state.queue.length === 0 || state.held >= perClientSlots) continue;
      if (!best || state.held < best[1].held || (state.held === best[1].held && state.servedAt < best[1].servedAt)) best = entry;
    }
    return best;
  }

  /** Gives free slots to waiting tasks, fairest first. */
  function handOn(): void {
    while (running < slots) {
      const next = nextClient();
      if (!next) return;
      const [client, state] = next;
      const entry = state.queue.shift()!; // nextClient only picks clients with a queue
      waiting--;
      entry.signal.removeEventListener('abort', entry.onAbort);
      // Submitted with a signal that had already aborted: its listener never ran.
      if (entry.signal.aborted) {
        forgetIfIdle(client, state);
        continue;
      }
      start(client, state, entry.task);
    }
  }

  return {
    submit(client, task, signal) {
      const state = stateOf(client);
      // A client below its share starts at once when a slot is free: whoever waits then is at its share.
      if (running < slots && state.held < perClientSlots) {
        start(client, state, task);
        return 'started';
      }
      const refusal: SlotOutcome | undefined = waiting >= queued ? 'busy' : state.queue.length >= perClientQueued ? 'client-busy' : undefined;
      if (refusal) {
        forgetIfIdle(client, state);
        return refusal;
      }
      const entry: Waiting<T> = {
        task,
        signal,
        onAbort: () => {
          const index = state.queue.indexOf(entry);
          if (index < 0) return;
          state.queue.splice(index, 1);
          waiting--;
          forgetIfIdle(client, state);
        },
      };
      state.queue.push(entry);
      waiting++;
      signal.addEventListener('abort', entry.onAbort, { once: true });
      return 'queued';
    },
    clear() {
      const tasks: T[] = [];
      for (const [client, state] of clients) {
        for (const entry of state.queue.splice(0)) {
          entry.signal.removeEventListener('abort', entry.onAbort);
          tasks.push(entry.task);
        }
        forgetIfIdle(client, state);
      }
      waiting = 0;
      return tasks;
    },
    perClientSlots,
    perClientQueued,
    get running() {
      return running;
    },
    get waiting() {
      return waiting;
    },
  };
}
