// Runs the notification rules over the engine's statuses: one look at a time, memory read and
// written through injected storage (the service worker keeps nothing between wake-ups), a wake-up
// asked for when time alone would bring a notice. Browser-free; background/notifications.ts wires it.
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import { decideNotices, type NoticeKind, type NoticeMemory } from './notification-rules.ts';

export interface NoticeWatchOptions {
  now(): number;
  loadMemory(): Promise<NoticeMemory>;
  saveMemory(memory: NoticeMemory): Promise<void>;
  /** Whether the donor opted in (the setting, and the browser's permission). */
  enabled(): Promise<boolean>;
  show(kind: NoticeKind): Promise<void>;
  /** Look again at `at` (epoch ms), or never when undefined; replaces the previous request. */
  wakeAt(at: number | undefined): Promise<void>;
}

export interface NoticeWatch {
  /** Looks at `status` (a new one, or the stored one on a wake-up); resolves when done. */
  check(status: Pick<DonorStatus, 'state' | 'reason'>): Promise<void>;
}

/** A watch over injected storage, permission, notifications and wake-ups. */
export function createNoticeWatch(options: NoticeWatchOptions): NoticeWatch {
  // Statuses come in bursts; each look reads the memory the one before wrote.
  let queue: Promise<void> = Promise.resolve();
  async function look(status: Pick<DonorStatus, 'state' | 'reason'>): Promise<void> {
    const [memory, enabled] = await Promise.all([options.loadMemory(), options.enabled()]);
    const decision = decideNotices(memory, status, options.now(), enabled);
    // Remembered before shown: a notice that fails to show is not retried on every status.
    await options.saveMemory(decision.memory);
    await options.wakeAt(decision.checkAt);
    for (const kind of decision.notices) await options.show(kind);
  }
  return {
    check(status) {
      const run = queue.then(() => look(status));
      queue = run.catch(() => {});
      return run;
    },
  };
}
