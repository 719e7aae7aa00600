// The current time as a signal, for countdowns ("will try again in 20 seconds").
import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** Epoch ms, refreshed every `intervalMs` until the owning scope is cleaned up. */
export function createNow(intervalMs = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), intervalMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
