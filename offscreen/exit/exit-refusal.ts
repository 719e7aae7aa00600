// How the exit turns a request down: a RESET code, a machine-readable reason (an exit-policy code or
// one of the exit's own reasons) and words for the person browsing; and how a failed fetch is put
// into those words.
import { ErrorCode } from '../../protocol/frame-types.ts';
import type { PolicyCode } from '../../protocol/policy-codes.ts';
import { findExitPolicyError } from './policy/exit-policy.ts';
import { ExitCapReached } from './exit-meter.ts';

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

/** A refusal the exit decides itself; the exit turns it into a RESET. */
export class ExitRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: PolicyCode | ExitResetReason,
    message: string,
  ) {
    super(message);
    this.name = 'ExitRefusal';
  }
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

/** The refusal for whatever serving a request threw; `responded` once the RESPONSE head is out (only the body broke off). */
export function classifyExitError(error: unknown, responded: boolean): ExitRefusal {
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
