// The exit's fetch in an extension context (offscreen document, Firefox background page). The exit
// follows redirects itself, one hop per fetch, each hop checked by the exit policy before it is
// sent; so every fetch here is `redirect: 'manual'`, and the browser never sends a hop on its own.
// A browser hides a manual redirect's Location (an opaque redirect), but the background's webRequest
// listener sees it: the address gate hands it over with the hop's addresses, and this fetch turns
// the opaque redirect back into the 3xx it was. No report, no response.
import type { AddressGate, ReportedRedirect } from './address-gate.ts';
import type { ExitFetch, ExitFetchInit, ExitFetchResponse } from '../exit-fetch.ts';
import type { ExitPolicy } from '../policy/exit-policy.ts';

/** A factory of the exit's fetch for one exit policy. */
export type ExitFetchFactory = (policy: ExitPolicy) => ExitFetch;

/** The address gate and how to make sure its reporter is listening (Chrome: wake the service worker). */
export interface AddressCheck {
  gate: AddressGate;
  beforeFetch(): Promise<void>;
}

/** The platform fetch, as this module calls it (the browser's; a fake in unit tests). */
export type PlatformFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The browser's fetch, typed for the exit, each hop checked by the address gate.
 * @throws {TypeError} from the returned fetch when asked to follow redirects itself.
 */
export function browserExitFetch(check: AddressCheck, platformFetch: PlatformFetch = globalThis.fetch.bind(globalThis)): ExitFetchFactory {
  const { gate } = check;
  // Address reports carry the URL, not a request id: one request per URL at a time until its
  // response is verified, so two requests for one URL cannot swap reports.
  const inFlight = new Map<string, Promise<unknown>>();
  return (policy) =>
    (async (url: string, init: ExitFetchInit) => {
      if (init.redirect !== 'manual') throw new TypeError("browserExitFetch: expected redirect 'manual'; the exit follows hops itself");
      // webRequest reports the URL as sent: without its fragment.
      const key = withoutFragment(url);
      for (let busy = inFlight.get(key); busy; busy = inFlight.get(key)) await busy.catch(() => {});
      const verified = (async (): Promise<ExitFetchResponse> => {
        await check.beforeFetch();
        let response: Response;
        try {
          response = await platformFetch(url, init as unknown as RequestInit);
        } catch (error) {
          if (init.signal.aborted) throw error;
          // fetch says only "Failed to fetch"; the webRequest listener may have heard how (exit-refusal.ts reads the code).
          const failure = await gate.failureOf(key, undefined, init.signal);
          if (failure === undefined || failure === 'other') throw error;
          throw new TypeError(error instanceof Error ? error.message : String(error), { cause: Object.assign(new Error(failure), { code: failure }) });
        }
        let hop;
        try {
          hop = await gate.verify(response.url || key, policy, init.signal);
        } catch (error) {
          await response.body?.cancel().catch(() => {});
          throw error;
        }
        if (response.type !== 'opaqueredirect') return response;
        if (hop.redirect === undefined) {
          throw new TypeError('The donor could not read where the site redirected to, so it did not follow.');
        }
        return redirectResponse(key, hop.redirect);
      })();
      inFlight.set(key, verified);
      try {
        return await verified;
      } finally {
        if (inFlight.get(key) === verified) inFlight.delete(key);
      }
    }) as ExitFetch;
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** The 3xx an opaque redirect stood for: its status and Location, and no body. */
function redirectResponse(url: string, redirect: ReportedRedirect): ExitFetchResponse {
  return {
    status: redirect.status,
    statusText: '',
    url,
    redirected: false,
    headers: {
      get: (name) => (name.toLowerCase() === 'location' ? redirect.location : null),
      forEach: (callback) => callback(redirect.location, 'location'),
    },
    body: null,
  };
}
