// The exit: performs a client's request with the donor's fetch, under the exit policy, and streams
// the site's answer back over the tunnel stream. Runs in the offscreen document, the Firefox
// background page and Node alike: WHATWG fetch and streams only. See docs/exit-policy.md.
import { concatBytes } from '../../protocol/bytes.ts';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { findExitPolicyError, policyCodes, type ExitPolicy, type PolicyCode } from './policy/exit-policy.ts';
import { sanitizeRequestHeaders, sanitizeResponseHeaders, type HeaderPair } from './exit-headers.ts';
import type { IncomingStream, RequestHead, ResponseHead } from '../tunnel/tunnel.ts';
import { formatBytes } from '../util/format-bytes.ts';
import { fitResponseHead } from '../tunnel/tunnel-head.ts';
import { redirectStatuses } from './policy/redirect-statuses.ts';
import { createFairSlots } from './exit-slots.ts';

/** Per-exit limits; every field has a default in {@link defaultExitLimits}. */
export interface ExitLimits {
  /** Request bodies are buffered (browsers cannot stream uploads over HTTP/1.1); larger ones are refused. */
  maxRequestBodyBytes: number;
  /** Time the client has to finish sending the request body. */
  requestBodyTimeoutMs: number;
  /** Time the site has to answer with a status line and headers, redirects included. */
  responseHeadersTimeoutMs: number;
  /** Redirect hops followed before giving up. */
  maxRedirects: number;
  /** Upstream requests one exit runs at once; more wait in a queue. */
  maxConcurrentFetches: number;
  /** Requests that may wait for a fetch slot (a page with many images); more are refused with RATE_LIMITED. */
  maxQueuedRequests: number;
  /**
   * Time a response body may wait with no progress of the client's reader (no credit returned, so
   * nothing leaves the send buffer) before the stream is reset as `reader-stalled` and its slot freed.
   */
  stalledReaderTimeoutMs: number;
}

/** Defaults for {@link ExitLimits}. */
export const defaultExitLimits: Readonly<ExitLimits> = {
  maxRequestBodyBytes: 8 * 1024 * 1024,
  requestBodyTimeoutMs: 60_000,
  responseHeadersTimeoutMs: 30_000,
  maxRedirects: 10,
  maxConcurrentFetches: 32,
  maxQueuedRequests: 256,
  stalledReaderTimeoutMs: 30_000,
};

/** RESET reasons the exit sends besides exit-policy codes (which it sends as they are). */
export const exitResetReasons = {
  requestBodyTooLarge: 'request-body-too-large',
  requestBodyTimeout: 'request-body-timeout',
  busy: 'exit-busy',
  closed: 'exit-closed',
  upstreamFailed: 'upstream-failed',
  upstreamTimeout: 'upstream-timeout',
  tooManyRedirects: 'too-many-redirects',
  upstreamBrokeOff: 'upstream-broke-off',
  unsendableResponse: 'unsendable-response',
  donorCapReached: 'donor-cap-reached',
  clientBusy: 'too-many-requests',
  readerStalled: 'reader-stalled',
} as const;
/** One of {@link exitResetReasons}. */
export type ExitResetReason = (typeof exitResetReasons)[keyof typeof exitResetReasons];

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

/** What an exit is built from. */
/**
 * Meters body bytes per client, request bodies as they arrive and responses before they are sent:
 * `take` resolves when `bytes` may go (a
 * per-person rate limit waits here) and throws {@link ExitCapReached} when the donor's data cap is
 * used up (the request is reset, at most one chunk past the cap).
 */
export interface ExitMeter {
  take(client: string, bytes: number, signal: AbortSignal): Promise<void> | void;
}

/** Thrown by an {@link ExitMeter} when the donor's cap is reached; `message` is for the client. */
export class ExitCapReached extends Error {
  constructor(message = 'This donor has shared all the data it allows for now. Try another donor.') {
    super(message);
    this.name = 'ExitCapReached';
  }
}

export interface ExitOptions {
  fetch: ExitFetch;
  policy: ExitPolicy;
  /** Rate limits and caps on request and response body bytes; none when absent. */
  meter?: ExitMeter;
  limits?: Partial<ExitLimits>;
}

/** Counters for one exit, for the donor dashboard and metering checks. */
export interface ExitStats {
  /** Requests handed to the exit. */
  requests: number;
  /** Requests in progress now. */
  active: number;
  /** Responses streamed to their end. */
  completed: number;
  /** Requests the client cancelled (or whose link failed) before the end; not failures. */
  cancelled: number;
  /** Requests the site could not serve (unreachable, timeout, broke off). */
  failed: number;
  /** Requests refused before or instead of a fetch, by policy code or exit reset reason. */
  refused: Partial<Record<PolicyCode | ExitResetReason, number>>;
  /** Request body bytes received from clients. */
  bytesReceived: number;
  /** Response body bytes handed to the tunnel. */
  bytesServed: number;
}

/** The handle `createExit` returns. */
export interface Exit {
  /** Serves one tunnel stream for `client` (its peer id: for the meter and its fair share of fetch slots). Never throws. */
  handleRequest(stream: IncomingStream, head: RequestHead, client?: string): void;
  /** A snapshot of this exit's counters. */
  stats(): ExitStats;
  /** Aborts every request in progress and refuses new ones. */
  close(): void;
}

/** The most response bytes metered and written at once: one DATA frame's payload, so a cap is overshot by at most this. */
export const meteredSliceBytes = 64 * 1024;

// fetch's null-body statuses (Fetch standard): no body may be forwarded for them.
const nullBodyStatuses: readonly number[] = [101, 103, 204, 205, 304];
// Dropped when a redirect turns a request into a bodiless GET (Fetch standard, "request-body-header name").
const requestBodyHeaders: readonly string[] = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/** A request the policy allowed, waiting for or holding a fetch slot. */
interface Admitted {
  stream: IncomingStream;
  head: RequestHead;
  url: URL;
  client: string;
}

interface UpstreamRequest {
  method: string;
  headers: HeaderPair[];
  body: Uint8Array<ArrayBuffer> | null;
}

interface Fetched {
  response: ExitFetchResponse;
  finalUrl: string;
  redirected: boolean;
}

/** A refusal the exit decides itself; turned into a RESET by `serve`. */
class ExitRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: PolicyCode | ExitResetReason,
    message: string,
  ) {
    super(message);
  }
}

/** Builds an exit over the donor's fetch and exit policy. */
export function createExit(options: ExitOptions): Exit {
  const { fetch, policy, meter } = options;
  const limits: ExitLimits = { ...defaultExitLimits, ...options.limits };
  const active = new Set<{ stream: IncomingStream; controller: AbortController }>();
  // Each client (its peer id) gets a fair share of the fetch slots: see exit-slots.ts.
  const slots = createFairSlots<Admitted>({
    limits: { slots: limits.maxConcurrentFetches, queued: limits.maxQueuedRequests },
    run: (request, release) => start(request, release),
  });
  const stats: ExitStats = { requests: 0, active: 0, completed: 0, cancelled: 0, failed: 0, refused: {}, bytesReceived: 0, bytesServed: 0 };
  let closed = false;

  /** Site failures count as `failed`; everything the exit turned down counts under its reason. */
  function count(refusal: ExitRefusal): void {
    if (refusal.code === ErrorCode.UPSTREAM_FAILED) stats.failed++;
    else stats.refused[refusal.reason] = (stats.refused[refusal.reason] ?? 0) + 1;
  }

  function refuse(stream: IncomingStream, refusal: ExitRefusal): void {
    count(refusal);
    stream.reset(refusal.code, refusal.reason, refusal.message);
  }

  function handleRequest(stream: IncomingStream, head: RequestHead, client: string): void {
    stats.requests++;
    if (closed) {
      refuse(stream, new ExitRefusal(ErrorCode.REFUSED_STREAM, exitResetReasons.closed, 'The donor stopped sharing. Retry to use another donor.'));
      return;
    }
    const verdict = policy.checkRequest(head);
    if (!verdict.ok) {
      refuse(stream, new ExitRefusal(ErrorCode.POLICY_DENIED, verdict.code, verdict.message));
      return;
    }
    const outcome = slots.submit(client, { stream, head, url: verdict.url, client }, stream.signal);
    if (outcome === 'busy') refuse(stream, new ExitRefusal(ErrorCode.RATE_LIMITED, exitResetReasons.busy, 'The donor is busy; try again.'));
    if (outcome === 'client-busy') {
      refuse(stream, new ExitRefusal(ErrorCode.RATE_LIMITED, exitResetReasons.clientBusy,
        `You already have ${slots.perClientQueued} requests waiting at this donor, the most one person may; retry when some have finished.`));
    }
  }

  function start({ stream, head, url, client }: Admitted, release: () => void): void {
    const entry = { stream, controller: new AbortController() };
    active.add(entry);
    stats.active = active.size;
    void serve(stream, head, url, client, entry.controller).finally(() => {
      active.delete(entry);
      stats.active = active.size;
      // The fair slots hand it to the next waiting request, fairest client first.
      release();
    });
  }

  async function serve(stream: IncomingStream, head: RequestHead, url: URL, client: string, controller: AbortController): Promise<void> {
    const { signal } = controller;
    // The client resetting the stream (or the link failing) stops the fetch and the body reader.
    const onStreamAbort = (): void => controller.abort(stream.signal.reason);
    stream.signal.addEventListener('abort', onStreamAbort, { once: true });
    if (stream.signal.aborted) onStreamAbort();
    // A timer's refusal goes to the client before the abort it causes can look like a cancel.
    let timedOut = false;
    const refuseAfter = (ms: number, refusal: ExitRefusal): ReturnType<typeof setTimeout> =>
      setTimeout(() => {
        if (stream.signal.aborted) return;
        timedOut = true;
        count(refusal);
        stream.reset(refusal.code, refusal.reason, refusal.message);
      }, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Set once the RESPONSE head is out: from then on failures can only cut the body short.
    let responded = false;
    try {
      // The client's side is slow, not the site: TIMEOUT, which the client treats as a link problem.
      const bodyTimeout = new ExitRefusal(ErrorCode.TIMEOUT, exitResetReasons.requestBodyTimeout,
        `The request body did not reach the donor within ${limits.requestBodyTimeoutMs / 1000} s.`);
      timer = refuseAfter(limits.requestBodyTimeoutMs, bodyTimeout);
      const body = await readRequestBody(stream, client, signal);
      clearTimeout(timer);
      if (body !== null && (head.method === 'GET' || head.method === 'HEAD')) {
        throw new ExitRefusal(ErrorCode.POLICY_DENIED, policyCodes.malformedRequest, `A ${head.method} request cannot carry a body.`);
      }
      // UPSTREAM_FAILED rather than TIMEOUT: the site is slow, not the link, so another donor would not help.
      const headersTimeout = new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamTimeout,
        `The site did not answer within ${limits.responseHeadersTimeoutMs / 1000} s.`);
      timer = refuseAfter(limits.responseHeadersTimeoutMs, headersTimeout);
      const request: UpstreamRequest = { method: head.method, headers: sanitizeRequestHeaders(head.headers), body };
      const fetched = await fetchFollowingRedirects(url, request, signal);
      clearTimeout(timer);
      const { response } = fetched;
      stream.respond(await responseHeadFor(fetched));
      responded = true;
      if (response.body === null || head.method === 'HEAD' || nullBodyStatuses.includes(response.status)) {
        await discard(response);
      } else {
        // A write that waits this long means the client's reader has stopped: it may not hold the slot.
        const stalled = new ExitRefusal(ErrorCode.CANCEL, exitResetReasons.readerStalled,
          `This response was not read for ${limits.stalledReaderTimeoutMs / 1000} s, so the donor stopped it to make room for others. Retry when you can read it.`);
        const write = async (chunk: Uint8Array): Promise<void> => {
          const stallTimer = refuseAfter(limits.stalledReaderTimeoutMs, stalled);
          try {
            await stream.write(chunk);
          } finally {
            clearTimeout(stallTimer);
          }
        };
        await pipeBody(response.body.getReader(), write, client, signal);
      }
      stream.end();
      stats.completed++;
    } catch (error) {
      if (stream.signal.aborted) {
        // The client went away (or a timer already refused); what fetch or a reader threw after that
        // is our own abort, not a failure.
        if (!timedOut) stats.cancelled++;
        return;
      }
      const refusal = classify(error, responded);
      count(refusal);
      stream.reset(refusal.code, refusal.reason, refusal.message);
    } finally {
      clearTimeout(timer);
      stream.signal.removeEventListener('abort', onStreamAbort);
      if (!signal.aborted) controller.abort();
    }
  }

  /** @throws {ExitRefusal} BODY_TOO_LARGE past the cap; {ExitCapReached} past the donor's data cap; the stream's TunnelError when it is reset. */
  async function readRequestBody(stream: IncomingStream, client: string, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer> | null> {
    const reader = stream.readable.getReader();
    const onAbort = (): void => void reader.cancel(signal.reason).catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        signal.throwIfAborted();
        if (done) break;
        total += value.length;
        stats.bytesReceived += value.length;
        if (total > limits.maxRequestBodyBytes) {
          throw new ExitRefusal(ErrorCode.BODY_TOO_LARGE, exitResetReasons.requestBodyTooLarge,
            `The request body is larger than the ${formatBytes(limits.maxRequestBodyBytes)} this donor accepts.`);
        }
        // Uploads count against the donor's caps and the client's rate like responses; a chunk is one DATA payload.
        await meter?.take(client, value.length, signal);
        chunks.push(value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return total === 0 ? null : (concatBytes(...chunks) as Uint8Array<ArrayBuffer>);
  }

  function init(request: UpstreamRequest, signal: AbortSignal): ExitFetchInit {
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

  /**
   * Follows redirects hop by hop, each checked by the one exit policy before it is sent, with fetch's
   * method rewriting: a plain-http hop never carries a body (the policy allows only GET/HEAD there).
   */
  async function fetchFollowingRedirects(start: URL, first: UpstreamRequest, signal: AbortSignal): Promise<Fetched> {
    let url = start;
    let request = first;
    for (let hops = 0; ; hops++) {
      const response = await fetch(url.href, init(request, signal));
      if (response.status === 0) {
        // An opaque redirect nothing translated (a fetch without the webRequest report): never followed.
        await discard(response);
        throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamFailed,
          'The donor could not read where the site redirected to, so it did not follow.');
      }
      const location = redirectStatuses.includes(response.status) ? response.headers.get('location') : null;
      if (location === null) return { response, finalUrl: url.href, redirected: hops > 0 };
      await discard(response);
      if (hops >= limits.maxRedirects) {
        throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.tooManyRedirects,
          `The site redirected more than ${limits.maxRedirects} times; the donor stopped following.`);
      }
      const next = redirectedRequest(request, response.status);
      const verdict = policy.checkRedirect(url, location, next.method);
      if (!verdict.ok) throw new ExitRefusal(ErrorCode.POLICY_DENIED, verdict.code, verdict.message);
      if (verdict.url.origin !== url.origin) {
        // Fetch standard: credentials meant for one origin are not handed to the next.
        next.headers = next.headers.filter(([name]) => name.toLowerCase() !== 'authorization');
      }
      url = verdict.url;
      request = next;
    }
  }

  /** `write` resolves when the stream's send buffer has room: the site is read no faster than the client. */
  async function pipeBody(reader: ReturnType<NonNullable<ExitFetchResponse['body']>['getReader']>, write: (chunk: Uint8Array) => Promise<void>, client: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value === undefined || value.length === 0) continue;
        // Browsers hand over chunks of up to a megabyte; in frame-sized slices a cap is overshot by at
        // most one slice, and every credit the reader returns lets a waiting write through (so a write
        // that waits out the stall timeout means the reader stopped, not that it is slow).
        for (let offset = 0; offset < value.length; offset += meteredSliceBytes) {
          const slice = value.subarray(offset, offset + meteredSliceBytes);
          await meter?.take(client, slice.length, signal);
          await write(slice);
          stats.bytesServed += slice.length;
        }
      }
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      throw error;
    }
  }

  return {
    handleRequest(stream, head, client = '') {
      try {
        handleRequest(stream, head, client);
      } catch (error) {
        // Only a bug gets here; the stream must still end rather than hang.
        stream.reset(ErrorCode.INTERNAL_ERROR, '', `The donor failed to handle the request: ${String(error)}`);
      }
    },
    stats: () => ({ ...stats, refused: { ...stats.refused } }),
    close() {
      if (closed) return;
      closed = true;
      for (const { stream } of slots.clear()) stream.reset(ErrorCode.CANCEL, exitResetReasons.closed, 'The donor stopped sharing. Retry to use another donor.');
      for (const { stream, controller } of active) {
        stream.reset(ErrorCode.CANCEL, exitResetReasons.closed, 'The donor stopped sharing. Retry to use another donor.');
        controller.abort();
      }
    },
  };
}

/** The request a redirect leads to: 303, and 301/302 after POST, become a bodiless GET (Fetch standard). */
function redirectedRequest(request: UpstreamRequest, status: number): UpstreamRequest {
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

/** The RESPONSE head for what fetch returned, fitted to the frame limits. @throws {ExitRefusal} when it cannot be sent. */
async function responseHeadFor({ response, finalUrl, redirected }: Fetched): Promise<ResponseHead> {
  const pairs: HeaderPair[] = [];
  response.headers.forEach((value, name) => pairs.push([name, value]));
  try {
    return fitResponseHead({
      status: response.status,
      statusText: response.statusText,
      url: finalUrl,
      redirected,
      headers: sanitizeResponseHeaders(pairs),
    });
  } catch (error) {
    await discard(response);
    throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.unsendableResponse,
      `The donor cannot forward this response: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function discard(response: ExitFetchResponse): Promise<void> {
  await response.body?.getReader().cancel().catch(() => {});
}

// Error codes fetch implementations put on `cause` (undici/Node), in words for the person browsing.
const upstreamErrorWords: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the site refused the connection',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'the name does not exist in DNS',
  EAI_AGAIN: 'the name could not be looked up right now',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'the site took too long to answer',
  UND_ERR_SOCKET: 'the connection broke off',
  UND_ERR_BODY_TIMEOUT: 'the site stopped sending',
  UND_ERR_HEADERS_OVERFLOW: 'the site sent more headers than the donor accepts',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: "the site's certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the site's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the site's certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the site's certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the site's certificate is for a different name",
};

function describeUpstreamError(error: unknown): string {
  let current: unknown = error;
  let innermost = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code: unknown = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && upstreamErrorWords[code] !== undefined) return upstreamErrorWords[code];
    innermost = current.message;
    current = current.cause;
  }
  return innermost || 'the connection failed';
}

function classify(error: unknown, responded: boolean): ExitRefusal {
  if (error instanceof ExitRefusal) return error;
  if (error instanceof ExitCapReached) return new ExitRefusal(ErrorCode.RATE_LIMITED, exitResetReasons.donorCapReached, error.message);
  const policyError = findExitPolicyError(error);
  if (policyError) return new ExitRefusal(ErrorCode.POLICY_DENIED, policyError.code, policyError.message);
  if (responded) {
    return new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamBrokeOff,
      `The site's connection broke off during the transfer: ${describeUpstreamError(error)}.`);
  }
  return new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamFailed,
    `The site could not be reached from the donor: ${describeUpstreamError(error)}.`);
}
