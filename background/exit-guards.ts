// The exit's eyes in the background context: a webRequest listener that reports, for each of the
// extension's own requests, the address it connected to and — for a redirect — where it pointed.
// The exit follows redirects itself (`redirect: 'manual'`, one fetch per hop, each hop checked by
// the one exit policy before it is sent), so the browser never sends a hop on its own; but it hides
// a manual redirect's Location from the page, and only webRequest sees it. The address lets the exit
// refuse a response from a public name that resolved to a private address (DNS rebinding).
// A request that failed before any answer is reported too, sorted into how it failed (no such name,
// connection refused or reset, timed out), since the page's fetch only says "Failed to fetch".
//
// Where each browser says it, for a `redirect: 'manual'` fetch (seen in Chromium 156, Firefox ESR 140):
// - Chrome: onBeforeRedirect carries the hop's ip and the absolute redirectUrl; onResponseStarted
//   does not fire for the 3xx. A final response: onResponseStarted with its ip.
// - Firefox: no onBeforeRedirect; onHeadersReceived has the 3xx's Location header, then
//   onResponseStarted fires for the 3xx with its ip.
import { browser, type Browser } from 'wxt/browser';
import type { ExitFetchFailure } from '../protocol/runtime-messages.ts';
import type { ReportedRedirect } from '../offscreen/exit/guarded-fetch/address-gate.ts';
import { redirectStatuses } from '../offscreen/exit/policy/redirect-statuses.ts';

/** Where a request's addresses (or how it failed) go: the exit's address gate (directly, or by a message). */
export type AddressReporter = (url: string, ips: string[], redirect?: ReportedRedirect, failure?: ExitFetchFailure) => void;

// The browsers' names for a request that failed before any answer (Chromium net errors, Firefox
// nsresult names), sorted into what the person can do. Anything else stays unnamed.
const failureNames: Readonly<Record<string, ExitFetchFailure>> = {
  'net::ERR_NAME_NOT_RESOLVED': 'name-not-found',
  // The donor's DNS server gave no answer: the donor could not find the name either way (Node's EAI_AGAIN).
  'net::ERR_NAME_RESOLUTION_FAILED': 'name-not-found',
  NS_ERROR_UNKNOWN_HOST: 'name-not-found',
  'net::ERR_CONNECTION_REFUSED': 'connection-failed',
  'net::ERR_CONNECTION_RESET': 'connection-failed',
  'net::ERR_CONNECTION_CLOSED': 'connection-failed',
  'net::ERR_EMPTY_RESPONSE': 'connection-failed',
  'net::ERR_ADDRESS_UNREACHABLE': 'connection-failed',
  NS_ERROR_CONNECTION_REFUSED: 'connection-failed',
  NS_ERROR_NET_RESET: 'connection-failed',
  NS_ERROR_NET_INTERRUPT: 'connection-failed',
  'net::ERR_CONNECTION_TIMED_OUT': 'timed-out',
  'net::ERR_TIMED_OUT': 'timed-out',
  NS_ERROR_NET_TIMEOUT: 'timed-out',
};

/** How a request failed, from the browser's error name (`details.error`): 'other' for one it does not sort. */
export function exitFetchFailureOf(error: string): ExitFetchFailure {
  return (Object.hasOwn(failureNames, error) ? failureNames[error] : undefined) ?? 'other';
}

/** Resource types the exit's fetches have (the signaling WebSocket is not among them). */
const exitResourceTypes = ['xmlhttprequest', 'other'] as Browser.webRequest.ResourceType[];
/** Most Location headers held for requests whose response has not started (a flood cannot grow memory). */
const maxPendingLocations = 1024;

/** Reports the addresses of this extension's own fetches to `report`, until `signal` aborts. */
export function watchExitAddresses(report: AddressReporter, signal: AbortSignal): void {
  const ownOrigin = new URL(browser.runtime.getURL('/')).origin;
  // Firefox: the Location of a 3xx, from its headers, until its response starts.
  const locations = new Map<string, string>();
  const own = (details: { initiator?: string; originUrl?: string; tabId: number }): boolean =>
    details.tabId === -1 && (details.initiator === ownOrigin || (details.originUrl?.startsWith(ownOrigin) ?? false));
  const filter = { urls: ['<all_urls>'], types: exitResourceTypes };

  const onHeaders = (details: Browser.webRequest.OnHeadersReceivedDetails): undefined => {
    if (!own(details) || !redirectStatuses.includes(details.statusCode)) return undefined;
    const location = details.responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value;
    if (location === undefined) return undefined;
    locations.set(details.requestId, location);
    if (locations.size > maxPendingLocations) locations.delete(locations.keys().next().value!); // size > 0
    return undefined;
  };
  const onRedirect = (details: Browser.webRequest.OnBeforeRedirectDetails): void => {
    if (!own(details)) return;
    locations.delete(details.requestId);
    // No ip: the browser redirected without the network (an HSTS upgrade); the target is still a hop the exit checks.
    report(details.url, details.ip ? [details.ip] : [], { status: details.statusCode, location: details.redirectUrl });
  };
  const onStarted = (details: Browser.webRequest.OnResponseStartedDetails): void => {
    if (!own(details)) return;
    const location = locations.get(details.requestId);
    locations.delete(details.requestId);
    // No ip: the answer did not come from the network (an error page, the cache); the gate refuses it.
    const ips = details.ip ? [details.ip] : [];
    // A Location is only held for a redirect status (onHeaders): its presence says this was one.
    report(details.url, ips, location === undefined ? undefined : { status: details.statusCode, location });
  };
  const onError = (details: Browser.webRequest.OnErrorOccurredDetails): void => {
    locations.delete(details.requestId);
    if (!own(details)) return;
    // Every failure is reported, sorted or not, so the exit need not wait to hear how it failed.
    report(details.url, [], undefined, exitFetchFailureOf(details.error));
  };

  browser.webRequest.onHeadersReceived.addListener(onHeaders, filter, ['responseHeaders']);
  browser.webRequest.onBeforeRedirect.addListener(onRedirect, filter);
  browser.webRequest.onResponseStarted.addListener(onStarted, filter);
  browser.webRequest.onErrorOccurred.addListener(onError, filter);
  signal.addEventListener(
    'abort',
    () => {
      browser.webRequest.onHeadersReceived.removeListener(onHeaders);
      browser.webRequest.onBeforeRedirect.removeListener(onRedirect);
      browser.webRequest.onResponseStarted.removeListener(onStarted);
      browser.webRequest.onErrorOccurred.removeListener(onError);
    },
    { once: true },
  );
}
