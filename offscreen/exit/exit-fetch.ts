// The contract between the exit and the donor's fetch: what the exit asks for (always anonymous,
// uncached, never followed by fetch itself) and what it reads of the answer. The browser's fetch
// (guarded-fetch/browser-exit-fetch.ts) and the Node guarded fetch (guarded-fetch/node-guarded-fetch.ts)
// both fit it.
import type { HeaderPair } from './exit-headers.ts';

/**
 * The request `fetch` receives: always anonymous, never cached, and never followed by fetch itself:
 * the exit follows each redirect hop only after the exit policy allowed it (a browser fetch hands
 * back an opaque redirect, which browser-exit-fetch.ts turns into the 3xx the webRequest listener saw).
 */
export interface ExitFetchInit {
  method: string;
  headers: HeaderPair[];
  body: Uint8Array<ArrayBuffer> | null;
  credentials: 'omit';
  cache: 'no-store';
  referrerPolicy: 'no-referrer';
  redirect: 'manual';
  signal: AbortSignal;
}

/** What the exit reads of a fetch Response (the browser's and undici's both fit). */
export interface ExitFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: {
    get(name: string): string | null;
    forEach(callback: (value: string, name: string) => void): void;
  };
  readonly body: {
    getReader(): {
      read(): Promise<{ done: boolean; value?: Uint8Array }>;
      cancel(reason?: unknown): Promise<void>;
    };
  } | null;
}

/** The donor's fetch: the browser's own, or the Node guarded fetch (node-guarded-fetch.ts). */
export type ExitFetch = (url: string, init: ExitFetchInit) => Promise<ExitFetchResponse>;

/** One upstream request as the exit sends it: the client's method, its cleaned headers, its buffered body. */
export interface UpstreamRequest {
  method: string;
  headers: HeaderPair[];
  body: Uint8Array<ArrayBuffer> | null;
}

/** The fetch init for `request`: the fixed anonymous, uncached, manual-redirect settings around it. */
export function exitFetchInit(request: UpstreamRequest, signal: AbortSignal): ExitFetchInit {
  return {
    method: request.method,
    headers: request.headers,
    body: request.body,
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    redirect: 'manual',
    signal,
  };
}

/** Drops a response's body unread, so its connection is released. Never throws. */
export async function discardBody(response: ExitFetchResponse): Promise<void> {
  await response.body?.getReader().cancel().catch(() => {});
}
