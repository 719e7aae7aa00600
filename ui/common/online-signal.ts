// Whether this computer has a network at all, as the browser says (navigator.onLine), kept
// current by the window's online/offline events.
import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** `navigator.onLine` as a signal, following `target`'s online/offline events until the owning scope is cleaned up. */
export function createOnline(target: Window = window): Accessor<boolean> {
  const [online, setOnline] = createSignal(target.navigator.onLine);
  const stop = new AbortController();
  const update = (): void => void setOnline(target.navigator.onLine);
  target.addEventListener('online', update, { signal: stop.signal });
  target.addEventListener('offline', update, { signal: stop.signal });
  onCleanup(() => stop.abort());
  return online;
}
