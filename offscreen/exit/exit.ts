// The exit: performs a client's request with the donor's fetch, under the exit policy, and streams
// the site's answer back over the tunnel stream. Runs in the offscreen document, the Firefox
// background page and Node alike: WHATWG fetch and streams only. See docs/exit-policy.md.
// Its parts: fair fetch slots (exit-slots.ts), deadlines (exit-timers.ts), redirect hops
// (exit-redirects.ts), request and response bodies (exit-body.ts), header hygiene (exit-headers.ts)
// and the refusals it sends (exit-refusal.ts); this file admits a request and runs it through them.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { policyCodes, type PolicyCode } from '../../protocol/policy-codes.ts';
import type { IncomingStream, RequestHead, ResponseHead } from '../tunnel/tunnel.ts';
import { fitResponseHead } from '../tunnel/tunnel-head.ts';
import type { ExitPolicy } from './policy/exit-policy.ts';
import { forwardsBody, pipeResponseBody, readRequestBody, type BodyMetering } from './exit-body.ts';
import { discardBody, type ExitFetch } from './exit-fetch.ts';
import { sanitizeRequestHeaders, sanitizeResponseHeaders, type HeaderPair } from './exit-headers.ts';
import { defaultExitLimits, type ExitLimits } from './exit-limits.ts';
import type { ExitMeter } from './exit-meter.ts';
import { fetchFollowingRedirects, type Fetched } from './exit-redirects.ts';
import { classifyExitError, ExitRefusal, exitResetReasons, policyRefusal, type ExitResetReason } from './exit-refusal.ts';
import { createFairSlots } from './exit-slots.ts';
import { createRequestTimers } from './exit-timers.ts';

/** What an exit is built from. */
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

/** A request the policy allowed, waiting for or holding a fetch slot. */
interface Admitted {
  stream: IncomingStream;
  head: RequestHead;
  url: URL;
  client: string;
}

const stoppedSharing = 'The donor stopped sharing. Retry to use another donor.';

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
    stream.reset(refusal.code, refusal.wireReason, refusal.message);
  }

  function handleRequest(stream: IncomingStream, head: RequestHead, client: string): void {
    stats.requests++;
    if (closed) {
      refuse(stream, new ExitRefusal(ErrorCode.REFUSED_STREAM, exitResetReasons.closed, stoppedSharing));
      return;
    }
    const verdict = policy.checkRequest(head);
    if (!verdict.ok) {
      refuse(stream, policyRefusal(verdict, head.url));
      return;
    }
    const outcome = slots.submit(client, { stream, head, url: verdict.url, client }, stream.signal);
    if (outcome === 'busy') refuse(stream, new ExitRefusal(ErrorCode.RATE_LIMITED, exitResetReasons.busy, 'The donor is busy; try again.'));
    if (outcome === 'client-busy') {
      refuse(stream, new ExitRefusal(ErrorCode.RATE_LIMITED, exitResetReasons.clientBusy,
        `You already have ${slots.perClientQueued} requests waiting at this donor, the most one person may; retry when some have finished.`));
    }
  }

  function start(request: Admitted, release: () => void): void {
    const entry = { stream: request.stream, controller: new AbortController() };
    active.add(entry);
    stats.active = active.size;
    void serve(request, entry.controller).finally(() => {
      active.delete(entry);
      stats.active = active.size;
      // The fair slots hand it to the next waiting request, fairest client first.
      release();
    });
  }

  async function serve({ stream, head, url, client }: Admitted, controller: AbortController): Promise<void> {
    const { signal } = controller;
    // The client resetting the stream (or the link failing) stops the fetch and the body reader.
    const onStreamAbort = (): void => controller.abort(stream.signal.reason);
    stream.signal.addEventListener('abort', onStreamAbort, { once: true });
    if (stream.signal.aborted) onStreamAbort();
    const timers = createRequestTimers(stream, count);
    // Set once the RESPONSE head is out: from then on failures can only cut the body short.
    let responded = false;
    try {
      // The client's side is slow, not the site: TIMEOUT, which the client treats as a link problem.
      const bodyDeadline = timers.refuseAfter(limits.requestBodyTimeoutMs, new ExitRefusal(ErrorCode.TIMEOUT, exitResetReasons.requestBodyTimeout,
        `The request body did not reach the donor within ${limits.requestBodyTimeoutMs / 1000} s.`));
      const received: BodyMetering = { client, meter, signal, counted: (bytes) => void (stats.bytesReceived += bytes) };
      const body = await readRequestBody(stream, limits.maxRequestBodyBytes, received);
      bodyDeadline();
      if (body !== null && (head.method === 'GET' || head.method === 'HEAD')) {
        throw new ExitRefusal(ErrorCode.POLICY_DENIED, policyCodes.malformedRequest, `A ${head.method} request cannot carry a body.`);
      }
      // UPSTREAM_FAILED rather than TIMEOUT: the site is slow, not the link, so another donor would not help.
      const headersDeadline = timers.refuseAfter(limits.responseHeadersTimeoutMs, new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamTimeout,
        `The site did not answer within ${limits.responseHeadersTimeoutMs / 1000} s.`));
      const request = { method: head.method, headers: sanitizeRequestHeaders(head.headers), body };
      const fetched = await fetchFollowingRedirects({ fetch, policy, maxRedirects: limits.maxRedirects }, url, request, signal);
      headersDeadline();
      const { response } = fetched;
      stream.respond(await responseHeadFor(fetched));
      responded = true;
      if (!forwardsBody(response, head.method)) {
        await discardBody(response);
      } else {
        // A write that waits this long means the client's reader has stopped: it may not hold the slot.
        const stalled = new ExitRefusal(ErrorCode.CANCEL, exitResetReasons.readerStalled,
          `This response was not read for ${limits.stalledReaderTimeoutMs / 1000} s, so the donor stopped it to make room for others. Retry when you can read it.`);
        const write = async (chunk: Uint8Array): Promise<void> => {
          const writeDeadline = timers.refuseAfter(limits.stalledReaderTimeoutMs, stalled);
          try {
            await stream.write(chunk);
          } finally {
            writeDeadline();
          }
        };
        const served: BodyMetering = { client, meter, signal, counted: (bytes) => void (stats.bytesServed += bytes) };
        await pipeResponseBody(response.body.getReader(), write, served);
      }
      stream.end();
      stats.completed++;
    } catch (error) {
      if (stream.signal.aborted) {
        // The client went away (or a timer already refused); what fetch or a reader threw after that
        // is our own abort, not a failure.
        if (!timers.timedOut) stats.cancelled++;
        return;
      }
      refuse(stream, classifyExitError(error, responded));
    } finally {
      timers.clear();
      stream.signal.removeEventListener('abort', onStreamAbort);
      if (!signal.aborted) controller.abort();
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
      for (const { stream } of slots.clear()) stream.reset(ErrorCode.CANCEL, exitResetReasons.closed, stoppedSharing);
      for (const { stream, controller } of active) {
        stream.reset(ErrorCode.CANCEL, exitResetReasons.closed, stoppedSharing);
        controller.abort();
      }
    },
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
    await discardBody(response);
    throw new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.unsendableResponse,
      `The donor cannot forward this response: ${error instanceof Error ? error.message : String(error)}`);
  }
}
