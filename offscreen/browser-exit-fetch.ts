// The exit's fetch in an extension context (offscreen document, Firefox background page): the
// browser's own fetch, which follows redirects itself (manual redirects are opaque in browsers),
// so the exit runs in 'follow' mode and declarativeNetRequest guards the hops. Where an address
// gate is given (Chrome), no response is handed on before its addresses pass the exit policy.
import type { AddressGate } from './address-gate.ts';
import type { ExitFetch, ExitOptions } from './exit.ts';
import type { ExitPolicy } from './exit-policy.ts';

/** A factory of the exit's fetch for one exit policy. */
export type ExitFetchFactory = (policy: ExitPolicy) => ExitFetch;

/** The address gate and how to make sure its reporter is listening (Chrome: wake the service worker). */
export interface AddressCheck {
  gate: AddressGate;
  beforeFetch(): Promise<void>;
}

/** The browser's fetch, typed for the exit, checked by the address gate when there is one. */
export function browserExitFetch(check?: AddressCheck): ExitFetchFactory {
  const browserFetch = globalThis.fetch.bind(globalThis);
  if (!check) return () => ((url: string, init: RequestInit) => browserFetch(url, init)) as unknown as ExitFetch;
  const { gate } = check;
  // Address reports carry the URL, not a request id: one request per URL at a time until its
  // response is verified, so two requests for one URL cannot swap reports.
  const inFlight = new Map<string, Promise<unknown>>();
  return (policy) =>
    (async (url: string, init: RequestInit) => {
      for (let busy = inFlight.get(url); busy; busy = inFlight.get(url)) await busy.catch(() => {});
      const verified = (async () => {
        await check.beforeFetch();
        const response = await browserFetch(url, init);
        try {
          await gate.verify(response.url || url, policy, init.signal ?? undefined);
        } catch (error) {
          await response.body?.cancel().catch(() => {});
          throw error;
        }
        return response;
      })();
      inFlight.set(url, verified);
      try {
        return await verified;
      } finally {
        if (inFlight.get(url) === verified) inFlight.delete(url);
      }
    }) as unknown as ExitFetch;
}

/** Exit settings for a browser donor. */
export const browserExitOptions: Pick<ExitOptions, 'redirectMode'> = { redirectMode: 'follow' };
