// Where state that lasts one browser session lives — the engine's status, a partner's pending
// request. Chrome has storage.session; Firefox has none for MV2 extensions (Firefox 140 ESR
// included), and the Firefox build is MV2 for its persistent background page, which holds the
// donor's data channels. There the same keys live in storage.local: the background rewrites the
// status as it starts, and a partner request carries its own expiry (background/partner-requests.ts).
import { browser } from 'wxt/browser';
import type { StorageAreaLike } from './settings-store.ts';

/** The storage area calls session state needs. */
export interface SessionStorageArea extends StorageAreaLike {
  remove(key: string): Promise<void>;
}

/** The session area, and the area name `storage.onChanged` reports its changes under. */
export interface SessionArea {
  readonly area: SessionStorageArea;
  readonly name: 'session' | 'local';
}

/** This build's session area: storage.session, or storage.local in an MV2 build (Firefox). */
export function sessionArea(): SessionArea {
  return import.meta.env.MANIFEST_VERSION === 2 ? { area: browser.storage.local, name: 'local' } : { area: browser.storage.session, name: 'session' };
}
