// How the exit turns a request down: a RESET code, a machine-readable reason (an exit-policy code or
// one of the exit's own reasons) and words for the person browsing; and how a failed fetch is put
// into those words.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { joinResetReason, policyCodes, refusalRules, type PolicyCode, type RefusalRule } from '../../protocol/policy-codes.ts';
import { findExitPolicyError, type PolicyRefusal } from './policy/exit-policy.ts';
import { classifyIp, ipVersion, type IpRange } from './policy/ip-ranges.ts';
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
  /** A redirect led back to an address already fetched for this request. */
  redirectLoop: 'redirect-loop',
  /** The site's name does not exist in DNS (or could not be looked up). */
  siteNotFound: 'site-not-found',
  /** The site's server refused or reset the connection, or no route led to it. */
  siteDown: 'site-down',
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
    /** Which rule a policy refusal met, sent after the reason (protocol/policy-codes.ts). */
    readonly rule?: RefusalRule,
  ) {
    super(message);
    this.name = 'ExitRefusal';
  }

  /** RESET's reason: the reason, and the rule after it when there is one. */
  get wireReason(): string {
    return joinResetReason(this.reason, this.rule);
  }
}

// Ranges a person knows by name; every other non-public range gets the policy's generic words.
const rangeRules: Partial<Record<IpRange, RefusalRule>> = {
  private: refusalRules.privateNetwork,
  'unique-local': refusalRules.privateNetwork,
  'site-local': refusalRules.privateNetwork,
  loopback: refusalRules.loopback,
  'link-local': refusalRules.linkLocal,
  // Cloud hosts' own public-range endpoints (Azure's 168.63.129.16, …) are not link-local: the generic words.
};
// Names that only mean something at home or on the donor's own computer.
const localNameSuffixes: readonly string[] = ['local', 'lan', 'home', 'home.arpa'];

/**
 * The rule a refused destination met, for the person's words: only for the two not-public codes,
 * judged from `url`'s host (the exit policy stays the one that decides; this only names it).
 */
export function refusalRuleFor(code: PolicyCode, url: string | URL | undefined): RefusalRule | undefined {
  if (url === undefined || (code !== policyCodes.addressNotPublic && code !== policyCodes.hostnameNotPublic)) return undefined;
  let host: string;
  try {
    host = new URL(typeof url === 'string' ? url : url.href).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
  if (host.startsWith('[') || ipVersion(host) === 4) {
    const found = classifyIp(host);
    return found.public ? undefined : rangeRules[found.range];
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return refusalRules.loopback;
  if (!host.includes('.') || localNameSuffixes.some((suffix) => host.endsWith(`.${suffix}`))) return refusalRules.privateNetwork;
  return undefined;
}

/** The refusal for a policy verdict about `url` (the request's address, or a redirect's target). */
export function policyRefusal(verdict: PolicyRefusal, url: string | URL | undefined): ExitRefusal {
  return new ExitRefusal(ErrorCode.POLICY_DENIED, verdict.code, verdict.message, refusalRuleFor(verdict.code, url));
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
  // What a browser donor's webRequest listener reported (protocol/runtime-messages.ts exitFetchFailures).
  'name-not-found': 'the name does not exist in DNS',
  'connection-failed': 'the site refused or dropped the connection',
  'timed-out': 'the connection timed out',
};

// The same codes sorted into what the person can do: the name is wrong, the site is down, it is slow.
const upstreamErrorReasons: Readonly<Record<string, ExitResetReason>> = {
  ENOTFOUND: exitResetReasons.siteNotFound,
  EAI_AGAIN: exitResetReasons.siteNotFound,
  ECONNREFUSED: exitResetReasons.siteDown,
  ECONNRESET: exitResetReasons.siteDown,
  EHOSTUNREACH: exitResetReasons.siteDown,
  ENETUNREACH: exitResetReasons.siteDown,
  ETIMEDOUT: exitResetReasons.upstreamTimeout,
  UND_ERR_CONNECT_TIMEOUT: exitResetReasons.upstreamTimeout,
  UND_ERR_HEADERS_TIMEOUT: exitResetReasons.upstreamTimeout,
  'name-not-found': exitResetReasons.siteNotFound,
  'connection-failed': exitResetReasons.siteDown,
  'timed-out': exitResetReasons.upstreamTimeout,
};

/** The first known code on `error` or its causes (fetch wraps the socket's error). */
function upstreamErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code: unknown = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && upstreamErrorWords[code] !== undefined) return code;
    current = current.cause;
  }
  return undefined;
}

function describeUpstreamError(error: unknown): string {
  const code = upstreamErrorCode(error);
  if (code !== undefined) return upstreamErrorWords[code] ?? code;
  let current: unknown = error;
  let innermost = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
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
  // Thrown by the address checks after DNS or connect: the host is public, its address is not (no rule to name).
  if (policyError) return new ExitRefusal(ErrorCode.POLICY_DENIED, policyError.code, policyError.message);
  if (responded) {
    return new ExitRefusal(ErrorCode.UPSTREAM_FAILED, exitResetReasons.upstreamBrokeOff,
      `The site's connection broke off during the transfer: ${describeUpstreamError(error)}.`);
  }
  // A browser's fetch says only "Failed to fetch": without a webRequest report of how, the generic reason.
  const code = upstreamErrorCode(error);
  const reason = (code === undefined ? undefined : upstreamErrorReasons[code]) ?? exitResetReasons.upstreamFailed;
  return new ExitRefusal(ErrorCode.UPSTREAM_FAILED, reason,
    `The site could not be reached from the donor: ${describeUpstreamError(error)}.`);
}
