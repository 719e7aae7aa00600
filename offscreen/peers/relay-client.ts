// The client's fetch over donors: keeps one donor's tunnel (sticky, so a site sees one IP for a
// browsing session) and moves to another donor only when the link fails before an idempotent
// request got its answer. In `sticky` mode it never moves on its own: a lost donor is reported
// and the caller decides when to switch. Browser and Node alike.
import { ErrorCode } from '../../protocol/frame-types.ts';
import type { Tunnel } from '../tunnel/tunnel.ts';
import { TunnelFetchError, tunnelFetch } from '../tunnel/tunnel-fetch.ts';
import { abortable } from '../util/abortable.ts';

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
  /**
   * Stay with one donor: when its link fails, requests reject with DonorLostError instead of
   * moving to another donor, until `switchDonor()` is called. Default false.
   */
  sticky?: boolean;
}

/** `DonorLostError.reason`: the donor's link ended and a sticky client does not move on its own. */
export const donorLostReason = 'donor-lost';

/** A sticky client's donor went away; call `switchDonor()` to continue through another one. */
export class DonorLostError extends TunnelFetchError {
  /** Creates the error for donor `peerId`; `cause` is the failure that revealed it, if any. */
  constructor(
    readonly peerId: string,
    cause?: unknown,
  ) {
    super(
      cause instanceof TunnelFetchError ? cause.code : ErrorCode.CANCEL,
      donorLostReason,
      true,
      'The donor you were browsing through went offline. Choose another donor to continue.',
      { cause },
    );
    // The base class types `name` as its own literal; logs still deserve the precise one.
    Object.defineProperty(this, 'name', { value: 'DonorLostError' });
  }
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
  /**
   * Leaves the current donor (closing its tunnel) and connects through `connect(exclude)`; requests
   * made meanwhile wait for the new donor.
   * @throws whatever `connect` throws; {TypeError} after `close()`.
   */
  switchDonor(exclude?: string[]): Promise<DonorLink>;
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
  const sticky = options.sticky ?? false;
  let current: DonorLink | undefined;
  // Requests that arrive while connecting share the one connection being made.
  let connecting: Promise<DonorLink> | undefined;
  let closed = false;
  // Bumped by switchDonor(): a connection started before a switch must not become current after it.
  let generation = 0;

  function startConnect(exclude: string[], shared: boolean): Promise<DonorLink> {
    const started = generation;
    const attempt = options.connect([...exclude]).then((link): DonorLink | Promise<DonorLink> => {
      if (closed) {
        link.tunnel.close();
        throw new TypeError('The relay client was closed.');
      }
      if (started !== generation) {
        // Superseded by a switch: whoever waited on this gets the donor the switch chose.
        link.tunnel.close();
        return connecting ?? donor(exclude);
      }
      current = link;
      return link;
    });
    if (shared) {
      connecting = attempt;
      void attempt.catch(() => {}).finally(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return attempt;
  }

  async function donor(exclude: string[]): Promise<DonorLink> {
    if (current && !current.tunnel.isClosed && !exclude.includes(current.peerId)) return current;
    // A sticky client reports the loss instead of quietly moving the person to another IP.
    if (sticky && current) throw new DonorLostError(current.peerId);
    if (connecting && exclude.length === 0) return connecting;
    return startConnect(exclude, exclude.length === 0);
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
        if (sticky && error instanceof TunnelFetchError && error.linkFailed) {
          if (!link.tunnel.isClosed) link.tunnel.close();
          throw error instanceof DonorLostError ? error : new DonorLostError(link.peerId, error);
        }
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
    switchDonor(exclude = []) {
      if (closed) return Promise.reject(new TypeError('The relay client was closed.'));
      generation++;
      const previous = current;
      current = undefined;
      connecting = undefined;
      previous?.tunnel.close();
      return startConnect(exclude, true);
    },
    close() {
      closed = true;
      current?.tunnel.close();
      current = undefined;
    },
  };
}
