// The deadlines of one request at the exit: the client's body, the site's headers, the client's
// reader. A deadline that passes resets the stream with its refusal before the abort it causes can
// look like the client cancelling.
import type { IncomingStream } from '../tunnel/tunnel.ts';
import type { ExitRefusal } from './exit-refusal.ts';

/** The timers of one request; `clear` cancels what is still pending. */
export interface RequestTimers {
  /** Resets the stream with `refusal` after `ms` unless the returned function is called first. */
  refuseAfter(ms: number, refusal: ExitRefusal): () => void;
  /** True once a timer has reset the stream: the abort that follows is not a cancel. */
  readonly timedOut: boolean;
  /** Cancels every pending timer. */
  clear(): void;
}

/** Timers for `stream`; `onRefused` counts a refusal a timer sent. */
export function createRequestTimers(stream: IncomingStream, onRefused: (refusal: ExitRefusal) => void): RequestTimers {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  let timedOut = false;
  return {
    refuseAfter(ms, refusal) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (stream.signal.aborted) return;
        timedOut = true;
        onRefused(refusal);
        stream.reset(refusal.code, refusal.reason, refusal.message);
      }, ms);
      pending.add(timer);
      return () => {
        clearTimeout(timer);
        pending.delete(timer);
      };
    },
    get timedOut() {
      return timedOut;
    },
    clear() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
}
