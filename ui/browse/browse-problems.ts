// Whatever went wrong, sorted into what the person can do about it. The words live in the locale
// files (one message per kind); the engine's own English text stays available as a detail.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { SignalingError } from '../../offscreen/peers/signaling-client.ts';
import { PeerSessionError } from '../../offscreen/peers/peer-session.ts';
import { DonorLostError } from '../../offscreen/peers/relay-client.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import { DownloadStatusError } from './download.ts';
import { BodyTooLargeError } from './read-body.ts';

/** What kind of problem the person met. */
export type ProblemKind =
  /** The donor's browser went away; offer another donor. */
  | 'donor-left'
  /** The donor's exit policy refused the address (private, odd port, …). */
  | 'policy'
  /** The site could not be reached or did not answer. */
  | 'unreachable'
  /** No donor matches the choice right now. */
  | 'no-donor'
  /** A donor was found but the connection to it failed. */
  | 'connect-failed'
  /** The signaling server could not be reached or refused us. */
  | 'signaling'
  /** The donor refused to carry more for now (rate or byte limits). */
  | 'limited'
  /** The donor closed the link over payment: a refused channel open or receipt (docs/receipts.md). */
  | 'payment'
  /** The response is larger than the view shows. */
  | 'too-large'
  /** A download got an error status. */
  | 'download-status'
  /** The text typed is not a web address. */
  | 'bad-address'
  | 'other';

/** A problem to show. */
export interface BrowseProblem {
  readonly kind: ProblemKind;
  /** The engine's description, for a "details" disclosure (English). */
  readonly detail: string;
}

/** True for the error an aborted fetch or read rejects with (navigating away, cancelling). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Sorts `error` into a problem kind. */
export function describeProblem(error: unknown): BrowseProblem {
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: kindOf(error), detail };
}

function kindOf(error: unknown): ProblemKind {
  if (error instanceof DonorLostError) return 'donor-left';
  if (error instanceof TunnelFetchError) {
    // A payment refusal closes the whole link, but the donor is still there: say why it closed.
    if (error.code === ErrorCode.PAYMENT_REQUIRED) return 'payment';
    if (error.linkFailed) return 'donor-left';
    switch (error.code) {
      case ErrorCode.POLICY_DENIED:
        return 'policy';
      case ErrorCode.UPSTREAM_FAILED:
      case ErrorCode.TIMEOUT:
        return 'unreachable';
      case ErrorCode.RATE_LIMITED:
      case ErrorCode.REFUSED_STREAM:
        return 'limited';
      case ErrorCode.BODY_TOO_LARGE:
        return 'too-large';
      default:
        return 'other';
    }
  }
  if (error instanceof SignalingError) return error.code === 'no-donor' || error.code === 'peer-unavailable' ? 'no-donor' : 'signaling';
  if (error instanceof PeerSessionError) return 'connect-failed';
  if (error instanceof BodyTooLargeError) return 'too-large';
  if (error instanceof DownloadStatusError) return 'download-status';
  return 'other';
}
