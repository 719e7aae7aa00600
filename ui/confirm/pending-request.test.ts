import { describe, expect, it } from 'vitest';
import type { PartnerRequest } from '../../protocol/runtime-messages.ts';
import type { StorageChangedEvent } from '../../settings/settings-store.ts';
import { loadPendingRequest, watchPendingRequest } from './pending-request.ts';

const request: PartnerRequest = { requestId: 'abc', origin: 'https://partner.example', sponsorCode: 'press-1', at: 1 };

function memoryArea(items: Record<string, unknown>) {
  return {
    get: async (key: string) => (key in items ? { [key]: items[key] } : {}),
    set: async (next: Record<string, unknown>) => void Object.assign(items, next),
  };
}

function fakeOnChanged() {
  const listeners = new Set<Parameters<StorageChangedEvent['addListener']>[0]>();
  const event: StorageChangedEvent = { addListener: (l) => void listeners.add(l), removeListener: (l) => void listeners.delete(l) };
  const fire = (changes: Record<string, { newValue?: unknown }>, area: string) => listeners.forEach((l) => l(changes, area));
  return { event, fire, listeners };
}

describe('pending partner request', () => {
  it('reads the stored request, and null when there is none or it is malformed', async () => {
    expect(await loadPendingRequest(memoryArea({ partnerRequest: request }))).toEqual(request);
    expect(await loadPendingRequest(memoryArea({}))).toBeNull();
    expect(await loadPendingRequest(memoryArea({ partnerRequest: { ...request, origin: 5 } }))).toBeNull();
  });

  it('reports new and removed requests in session storage only, until aborted', () => {
    const { event, fire, listeners } = fakeOnChanged();
    const seen: Array<PartnerRequest | null> = [];
    const controller = new AbortController();
    watchPendingRequest(event, (r) => seen.push(r), controller.signal);
    fire({ partnerRequest: { newValue: request } }, 'session');
    fire({ partnerRequest: { newValue: request } }, 'local');
    fire({ settings: { newValue: {} } }, 'session');
    fire({ partnerRequest: {} }, 'session');
    expect(seen).toEqual([request, null]);
    controller.abort();
    expect(listeners.size).toBe(0);
  });
});
