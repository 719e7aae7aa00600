// Guards on the exit's own requests that only the background context can set up:
// - declarativeNetRequest rules that block any request of this extension to a private address or
//   name, which covers redirect hops that fetch follows by itself;
// - a webRequest listener that reports the address every hop connected to, so the exit refuses a
//   response from a public name that resolved to a private address (DNS rebinding).
import { browser, type Browser } from 'wxt/browser';

/** Rule ids this module owns in the session rule set. */
const ruleIds = { blockPrivate: 1, blockSingleLabel: 2, allowTestOrigin: 3 } as const;

// IPv4 literals in private, loopback, link-local, CGNAT, "this network", multicast and reserved
// ranges; every bracketed IPv6 literal; and non-public name suffixes. The exit policy checks the
// first URL; these rules are for the hops after it. (RE2 syntax, as declarativeNetRequest takes.)
const privateTargetRegex =
  '^[a-z]+://([^/@]*@)?(' +
  '(0|10|127)\\.[0-9.]+|169\\.254\\.[0-9.]+|192\\.168\\.[0-9.]+|172\\.(1[6-9]|2[0-9]|3[01])\\.[0-9.]+|' +
  '100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.[0-9.]+|192\\.0\\.[02]\\.[0-9]+|198\\.(1[89])\\.[0-9.]+|' +
  '(22[4-9]|2[3-5][0-9])\\.[0-9.]+|\\[[^\\]]*\\]|' +
  '[^/:]*\\.(local|localhost|internal|lan|home|arpa|corp|intranet|private|test|invalid|example)|localhost' +
  ')\\.?(:[0-9]+)?(/|$)';
const singleLabelRegex = '^[a-z]+://([^/@]*@)?[^./:]+\\.?(:[0-9]+)?(/|$)';

/** Resource types the exit's fetches have (the signaling WebSocket is not among them). */
const exitResourceTypes = ['xmlhttprequest', 'other'] as Browser.declarativeNetRequest.ResourceType[];

/** Installs the redirect-hop rules; `testOrigin` (test builds only) is let through. */
export async function installRedirectGuards(testOrigin: string): Promise<void> {
  // The host of the extension's own origin: Chrome's is the extension id, Firefox's a per-install
  // UUID (its runtime.id is the gecko id, which no request is initiated from).
  const initiatorDomains = [new URL(browser.runtime.getURL('/')).hostname];
  const block = (id: number, regexFilter: string): Browser.declarativeNetRequest.Rule => ({
    id,
    priority: 1,
    action: { type: 'block' as Browser.declarativeNetRequest.RuleActionType },
    condition: { regexFilter, initiatorDomains, resourceTypes: exitResourceTypes },
  });
  const rules = [block(ruleIds.blockPrivate, privateTargetRegex), block(ruleIds.blockSingleLabel, singleLabelRegex)];
  if (testOrigin) {
    rules.push({
      id: ruleIds.allowTestOrigin,
      priority: 2,
      action: { type: 'allow' as Browser.declarativeNetRequest.RuleActionType },
      condition: { urlFilter: `|${testOrigin}/`, initiatorDomains, resourceTypes: exitResourceTypes },
    });
  }
  await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: Object.values(ruleIds), addRules: rules });
}

/** Where a request's addresses go: the exit's address gate (directly, or by a message). */
export type AddressReporter = (url: string, ips: string[]) => void;

/** Reports the addresses of this extension's own fetches to `report`, until `signal` aborts. */
export function watchExitAddresses(report: AddressReporter, signal: AbortSignal): void {
  const ownOrigin = new URL(browser.runtime.getURL('/')).origin;
  const hops = new Map<string, string[]>();
  const own = (details: { initiator?: string; originUrl?: string; tabId: number }): boolean =>
    details.tabId === -1 && (details.initiator === ownOrigin || (details.originUrl?.startsWith(ownOrigin) ?? false));
  const filter = { urls: ['<all_urls>'], types: exitResourceTypes as unknown as Browser.webRequest.ResourceType[] };

  const onRedirect = (details: Browser.webRequest.OnBeforeRedirectDetails): void => {
    if (!own(details)) return;
    const list = hops.get(details.requestId) ?? [];
    if (details.ip) list.push(details.ip);
    hops.set(details.requestId, list);
  };
  const onStarted = (details: Browser.webRequest.OnResponseStartedDetails): void => {
    if (!own(details)) return;
    const list = hops.get(details.requestId) ?? [];
    hops.delete(details.requestId);
    // No ip: the answer did not come from the network (an error page, the cache); the gate refuses it.
    if (details.ip) list.push(details.ip);
    report(details.url, list);
  };
  const onError = (details: { requestId: string }): void => void hops.delete(details.requestId);

  browser.webRequest.onBeforeRedirect.addListener(onRedirect, filter);
  browser.webRequest.onResponseStarted.addListener(onStarted, filter);
  browser.webRequest.onErrorOccurred.addListener(onError, filter);
  signal.addEventListener(
    'abort',
    () => {
      browser.webRequest.onBeforeRedirect.removeListener(onRedirect);
      browser.webRequest.onResponseStarted.removeListener(onStarted);
      browser.webRequest.onErrorOccurred.removeListener(onError);
    },
    { once: true },
  );
}
