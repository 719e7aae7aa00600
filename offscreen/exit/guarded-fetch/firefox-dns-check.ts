// Firefox's guard against DNS rebinding, before any request leaves: the exit resolves the host
// with the browser's own resolver (`browser.dns.resolve`, whose cache the fetch then connects
// from) and runs every address through the exit policy. A public name that points into the
// donor's network is refused without a request being sent to it. Redirect hops are left to the
// redirect-hop rules and the address gate (background/exit-guards.ts). Chrome has no DNS API; it
// relies on the address gate alone.
import type { ExitFetch, ExitFetchInit } from '../exit-fetch.ts';
import { ExitPolicyError, type ExitPolicy } from '../policy/exit-policy.ts';
import { abortable } from '../../util/abortable.ts';

/** The browser's resolver: `browser.dns.resolve` (Firefox, `dns` permission), reduced to what is used. */
export type ResolveHost = (hostname: string) => Promise<{ addresses: string[] }>;

/**
 * `browser.dns.resolve` from the extension API object (WXT's browser types are Chrome's, which have no `dns`).
 * @throws {TypeError} when `api` has no dns API (not Firefox, or no `dns` permission).
 */
export function browserDnsResolver(api: object): ResolveHost {
  const dns = (api as { dns?: { resolve?: unknown } }).dns;
  if (typeof dns?.resolve !== 'function') throw new TypeError('browser.dns.resolve: expected the dns API (Firefox, with the "dns" permission)');
  const resolve = dns.resolve as ResolveHost;
  return (hostname) => resolve.call(dns, hostname);
}

/** Most addresses one answer may carry; a longer list is refused rather than checked without end. */
export const maxResolvedAddresses = 64;

/** Whether `hostname` (as WHATWG URL leaves it) is an IP literal: the exit policy has checked those already. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Resolves `url`'s host and checks every address against `policy`.
 * @throws {ExitPolicyError} 'address-not-public' when any address is not public.
 * @throws {TypeError} when the name does not resolve (as fetch fails for it: the site is unreachable).
 */
export async function checkResolvedHost(url: URL, policy: ExitPolicy, resolve: ResolveHost, signal: AbortSignal): Promise<void> {
  if (isIpLiteral(url.hostname)) return;
  let addresses: string[];
  try {
    ({ addresses } = await abortable(resolve(url.hostname), signal));
  } catch (error) {
    if (signal.aborted) throw error;
    const failure = new TypeError(`${url.hostname} could not be resolved`, { cause: error });
    // Firefox names a name that does not exist so; the exit reports it as "site not found" (exit-refusal.ts).
    throw /NS_ERROR_UNKNOWN_HOST/.test(String(error)) ? Object.assign(failure, { code: 'ENOTFOUND' }) : failure;
  }
  if (addresses.length === 0) throw Object.assign(new TypeError(`${url.hostname} has no address`), { code: 'ENOTFOUND' });
  if (addresses.length > maxResolvedAddresses) {
    throw new ExitPolicyError({ ok: false, code: 'malformed-request', message: `The donor refused ${url.hostname}: its name has too many addresses to check.` });
  }
  for (const address of addresses) {
    const verdict = policy.checkAddress(address, url);
    if (!verdict.ok) throw new ExitPolicyError(verdict);
  }
}

/** The exit's fetch for `policy`, made to check the host's addresses before each request. */
export function withDnsCheck(createFetch: (policy: ExitPolicy) => ExitFetch, resolve: ResolveHost): (policy: ExitPolicy) => ExitFetch {
  return (policy) => {
    const fetch = createFetch(policy);
    return async (url: string, init: ExitFetchInit) => {
      await checkResolvedHost(new URL(url), policy, resolve, init.signal);
      return fetch(url, init);
    };
  };
}
