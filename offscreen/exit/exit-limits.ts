// The exit's limits: how large a request body, how long each wait, how many hops and slots.

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
