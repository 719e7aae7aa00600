// The client's fetch over donors: keeps one donor's tunnel (sticky, so a site sees one IP for a
// browsing session) and moves to another donor only when the link fails before an idempotent
// request got its answer. Browser and Node alike.
import type { Tunnel } from './tunnel.ts';
import { TunnelFetchError, tunnelFetch } from './tunnel-fetch.ts';

/** A connected donor. */
export interface DonorLink {
  readonly peerId: string;
  readonly tunnel: Tunnel;
}

/** What a relay client is built from. */
export interface RelayClientOptions {
  /** Connects to a donor other than those in `exclude` (peer ids that failed for this request). */
  connect: (exclude: string[]) => Promise<DonorLink>;
  /** Donors tried for one idempotent request before its error is surfaced. Default 3. */
  maxAttempts?: number;
}

/** The handle `createRelayClient` returns. */
export interface RelayClient {
  /**
   * fetch() through the current donor; see tunnelFetch for the errors.
   * @throws {TunnelFetchError} when every attempt failed, or the failure may not be retried.
   * @throws {TypeError} after `close()`.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The donor requests go to now, if connected. */
  readonly currentPeerId: string | undefined;
  /** Closes the current donor's tunnel; later fetches are refused. */
  close(): void;
}

/** Donors tried for one idempotent request by default. */
export const defaultMaxAttempts = 3;

// Methods a retry cannot repeat an effect of (RFC 9110 §9.2.2), as long as they carry no body.
const retryableMethods: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Builds a client that sends requests through donors obtained from `connect`.
 * @throws {RangeError} when `maxAttempts` is not a positive integer.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts: expected a positive integer, got ${maxAttempts}`);
  let current: DonorLink | undefined;
  // Requests that arrive while connecting share the one connection being made.
  let connecting: Promise<DonorLink> | undefined;
  let closed = false;

  async function donor(exclude: string[]): Promise<DonorLink> {
    if (current && !current.tunnel.isClosed && !exclude.includes(current.peerId)) return current;
    if (connecting && exclude.length === 0) return connecting;
    const attempt = options.connect([...exclude]).then((link) => {
      if (closed) {
        link.tunnel.close();
        throw new TypeError('The relay client was closed.');
      }
      current = link;
      return link;
    });
    if (exclude.length === 0) {
      connecting = attempt;
      void attempt.catch(() => {}).finally(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return attempt;
  }

  async function relayFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    if (closed) throw new TypeError('The relay client was closed.');
    const request = new Request(input, init);
    const retryable = retryableMethods.includes(request.method) && request.body === null;
    const exclude: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const link = await abortable(donor(exclude), request.signal);
      try {
        // Each attempt gets its own copy; only bodiless requests are ever tried twice.
        return await tunnelFetch(link.tunnel, retryable ? request.clone() : request);
      } catch (error) {
        // Only a link that failed before the answer arrived is safe to try elsewhere: the donor
        // may have sent the request, but an idempotent one may be sent again.
        const retry = retryable && attempt < maxAttempts && error instanceof TunnelFetchError && error.linkFailed && !closed;
        if (!retry) throw error;
        exclude.push(link.peerId);
        if (current === link) current = undefined;
        if (!link.tunnel.isClosed) link.tunnel.close();
      }
    }
  }

  return {
    fetch: relayFetch,
    get currentPeerId() {
      return current && !current.tunnel.isClosed ? current.peerId : undefined;
    },
    close() {
      closed = true;
      current?.tunnel.close();
      current = undefined;
    },
  };
}

/** `promise`, or the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
