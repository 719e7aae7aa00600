// The exit follows redirects itself, one hop per fetch, each hop checked by the one exit policy
// before it is sent, with fetch's method rewriting; a plain-http hop never carries a body (the
// policy allows only GET/HEAD there). See docs/exit-policy.md, "Redirects".
import { ErrorCode } from '../../protocol/frame-types.ts';
import type { ExitPolicy } from './policy/exit-policy.ts';
import { redirectStatuses } from './policy/redirect-statuses.ts';
import { discardBody, exitFetchInit, type ExitFetch, type ExitFetchResponse, type UpstreamRequest } from './exit-fetch.ts';
import { ExitRefusal, exitResetReasons, policyRefusal } from './exit-refusal.ts';

// Dropped when a redirect turns a request into a bodiless GET (Fetch standard, "request-body-header name").
const requestBodyHeaders: readonly string[] = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/** The final answer after every hop, and where it came from. */
export interface Fetched {
  response: ExitFetchResponse;
  finalUrl: string;
  redirected: boolean;
}

/** What following redirects needs: the donor's fetch, the exit policy and the hop limit. */
export interface RedirectFollower {
  fetch: ExitFetch;
  policy: ExitPolicy;
  maxRedirects: number;
}

/**
 * Fetches `start`, then each redirect's target the policy allows, until a response that is not a redirect.
 * @throws {ExitRefusal} POLICY_DENIED for a hop the policy refuses, UPSTREAM_FAILED for too many hops,
 *   a hop back to an address already fetched (a loop), or a redirect whose target nobody could read.
 */
export async function fetchFollowingRedirects({ fetch, policy, maxRedirects }: RedirectFollower, start: URL, first: UpstreamRequest, signal: AbortSignal): Promise<Fetched> {
  let url = start;
  let request = first;
  // Addresses fetched with each method: the same request again can only end the same way.
  const seen = new Set<string>();
  for (let hops = 0; ; hops++) {
    seen.add(`${request.method} ${url.href}`);
    const response = await fetch(url.href, exitFetchInit(request, signal));
    if (response.status === 0) {
      // An opaque redirect nothing translated (a fetch without the webRequest report): never followed.
      await discardBody(response);
      throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamFailed,
        'The donor could not read where the site redirected to, so it did not follow.');
    }
    const location = redirectStatuses.includes(response.status) ? response.headers.get('location') : null;
    if (location === null) return { response, finalUrl: url.href, redirected: hops > 0 };
    await discardBody(response);
    if (hops >= maxRedirects) {
      throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.tooManyRedirects,
        `The site redirected more than ${maxRedirects} times; the donor stopped following.`);
    }
    const next = redirectedRequest(request, response.status);
    const verdict = policy.checkRedirect(url, location, next.method);
    if (!verdict.ok) throw policyRefusal(verdict, targetOf(url, location));
    if (seen.has(`${next.method} ${verdict.url.href}`)) {
      throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.redirectLoop,
        'The site redirected back to an address it had already redirected from; the donor stopped following.');
    }
    if (verdict.url.origin !== url.origin) {
      // Fetch standard: credentials meant for one origin are not handed to the next.
      next.headers = next.headers.filter(([name]) => name.toLowerCase() !== 'authorization');
    }
    url = verdict.url;
    request = next;
  }
}

/** Where `location` points from `from`, or undefined when it is not an address. */
function targetOf(from: URL, location: string): URL | undefined {
  try {
    return new URL(location, from.href);
  } catch {
    return undefined;
  }
}

/** The request a redirect leads to: 303, and 301/302 after POST, become a bodiless GET (Fetch standard). */
export function redirectedRequest(request: UpstreamRequest, status: number): UpstreamRequest {
  const becomesGet =
    ((status === 301 || status === 302) && request.method === 'POST') ||
    (status === 303 && request.method !== 'GET' && request.method !== 'HEAD');
  if (!becomesGet) return { ...request, headers: [...request.headers] };
  return {
    method: 'GET',
    headers: request.headers.filter(([name]) => !requestBodyHeaders.includes(name.toLowerCase())),
    body: null,
  };
}
