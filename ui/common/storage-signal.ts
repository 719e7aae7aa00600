// A Solid signal over a value kept in extension storage (settings, status, a pending request):
// every open page shows what storage holds, whoever wrote it.
import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** Reads a stored value once. */
export type StoredValueLoader<T> = () => Promise<T>;
/** Reports every later change of a stored value until `signal` aborts. */
export type StoredValueWatcher<T> = (listener: (value: T) => void, signal: AbortSignal) => void;

/**
 * The stored value: undefined until `load` resolves, then every change `watch` reports. Stops
 * watching when the owning scope is cleaned up.
 */
export function createStorageSignal<T>(load: StoredValueLoader<T>, watch: StoredValueWatcher<T>): Accessor<T | undefined> {
  const [value, setValue] = createSignal<T>();
  const controller = new AbortController();
  onCleanup(() => controller.abort());
  // Watch before loading, and let a change that lands first win over the (older) loaded value.
  let changed = false;
  watch((next) => {
    changed = true;
    setValue(() => next);
  }, controller.signal);
  load().then(
    (initial) => {
      if (!changed && !controller.signal.aborted) setValue(() => initial);
    },
    (error: unknown) => console.error('porchlight: could not read storage', error),
  );
  return value;
}
