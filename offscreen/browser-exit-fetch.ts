// The exit's fetch in an extension context (offscreen document, Firefox background page): the
// browser's own fetch, which follows redirects itself (manual redirects are opaque in browsers),
// so the exit runs in 'follow' mode and declarativeNetRequest guards the hops.
import type { ExitFetch, ExitOptions } from './exit.ts';

/** The browser's fetch, typed for the exit. */
export function browserExitFetch(): ExitFetch {
  const pageFetch = globalThis.fetch.bind(globalThis);
  return ((url: string, init: RequestInit) => pageFetch(url, init)) as unknown as ExitFetch;
}

/** Exit settings for a browser donor. */
export const browserExitOptions: Pick<ExitOptions, 'redirectMode'> = { redirectMode: 'follow' };
