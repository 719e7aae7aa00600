// Whatever went wrong, sorted into what the person can do about it. The words live in the locale
// files (one message per kind); the engine's own English text stays available as a detail.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { policyCodes, refusalRules } from '../../protocol/policy-codes.ts';
import { exitResetReasons } from '../../offscreen/exit/exit-refusal.ts';
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

/** Why the donor refused or could not fetch, when it said so in words this version knows. */
export type ProblemCause =
  /** A private (home or office) network address. */
  | 'lan'
  /** The donor's own computer. */
  | 'loopback'
  /** Link-local, where cloud metadata services answer. */
  | 'link-local'
  /** Some other address or name that is not on the public internet. */
  | 'not-public'
  /** Not http or https. */
  | 'scheme'
  /** A port other than the web's. */
  | 'port'
  | 'too-many-redirects'
  | 'redirect-loop'
  /** The name does not exist. */
  | 'not-found'
  /** The site's server refused or dropped the connection. */
  | 'site-down'
  /** The site did not answer in time. */
  | 'timeout';

/** A problem to show. */
export interface BrowseProblem {
  readonly kind: ProblemKind;
  /** The engine's description, for a "details" disclosure (English). */
  readonly detail: string;
  /** For `policy` and `unreachable`: the donor's reason, when it is one this version knows. */
  readonly cause?: ProblemCause;
}

// Only these exact reasons name a cause; anything else a donor sends gets the kind's general words.
const policyCauses: Readonly<Record<string, ProblemCause>> = {
  [policyCodes.schemeNotAllowed]: 'scheme',
  [policyCodes.portNotAllowed]: 'port',
  [policyCodes.addressNotPublic]: 'not-public',
  [policyCodes.hostnameNotPublic]: 'not-public',
};
const ruleCauses: Readonly<Record<string, ProblemCause>> = {
  [refusalRules.privateNetwork]: 'lan',
  [refusalRules.loopback]: 'loopback',
  [refusalRules.linkLocal]: 'link-local',
};
const upstreamCauses: Readonly<Record<string, ProblemCause>> = {
  [exitResetReasons.tooManyRedirects]: 'too-many-redirects',
  [exitResetReasons.redirectLoop]: 'redirect-loop',
  [exitResetReasons.siteNotFound]: 'not-found',
  [exitResetReasons.siteDown]: 'site-down',
  [exitResetReasons.upstreamTimeout]: 'timeout',
};

/** True for the error an aborted fetch or read rejects with (navigating away, cancelling). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Sorts `error` into a problem kind. */
export function describeProblem(error: unknown): BrowseProblem {
  const detail = error instanceof Error ? error.message : String(error);
  const kind = kindOf(error);
  const cause = error instanceof TunnelFetchError ? causeOf(kind, error) : undefined;
  return cause === undefined ? { kind, detail } : { kind, detail, cause };
}

function causeOf(kind: ProblemKind, error: TunnelFetchError): ProblemCause | undefined {
  const own = (table: Readonly<Record<string, ProblemCause>>, key: string | undefined): ProblemCause | undefined =>
    key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
  if (kind === 'policy') return own(ruleCauses, error.rule) ?? own(policyCauses, error.reason);
  if (kind === 'unreachable') return own(upstreamCauses, error.reason);
  return undefined;
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
