// The partner request waiting for the donor's answer, as the service worker left it in session
// storage: read once and watched, parsed on the way in.
import { partnerRequestSchema, type PartnerRequest } from '../../protocol/runtime-messages.ts';
import { storageKeys, type StorageAreaLike, type StorageChangedEvent } from '../../settings/settings-store.ts';

function parsePending(value: unknown): PartnerRequest | null {
  const result = partnerRequestSchema.safeParse(value);
  return result.success ? result.data : null;
}

/** The pending request in `area` (storage.session), or null when none is waiting (or it is unreadable). */
export async function loadPendingRequest(area: StorageAreaLike): Promise<PartnerRequest | null> {
  return parsePending((await area.get(storageKeys.partnerRequest))[storageKeys.partnerRequest]);
}

/**
 * Calls `listener` whenever the pending request in session storage (`areaName`, see
 * settings/session-area.ts) changes or goes, until `signal` aborts.
 */
export function watchPendingRequest(onChanged: StorageChangedEvent, listener: (request: PartnerRequest | null) => void, signal: AbortSignal, areaName = 'session'): void {
  const onChange = (changes: Record<string, { newValue?: unknown }>, area: string): void => {
    const change = changes[storageKeys.partnerRequest];
    if (area !== areaName || !change) return;
    listener(parsePending(change.newValue));
  };
  onChanged.addListener(onChange);
  signal.addEventListener('abort', () => onChanged.removeListener(onChange), { once: true });
}
