import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { PeerSessionError } from '../../offscreen/peers/peer-session.ts';
import { DonorLostError } from '../../offscreen/peers/relay-client.ts';
import { SignalingError } from '../../offscreen/peers/signaling-client.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import { describeProblem, isAbort } from './browse-problems.ts';
import { DownloadStatusError } from './download.ts';
import { BodyTooLargeError } from './read-body.ts';

describe('describeProblem', () => {
  it.each([
    [new DonorLostError('a'.repeat(64)), 'donor-left'],
    [new TunnelFetchError(ErrorCode.CANCEL, 'link-lost', true, 'gone'), 'donor-left'],
    [new TunnelFetchError(ErrorCode.POLICY_DENIED, 'address-not-public', false, 'refused'), 'policy'],
    [new TunnelFetchError(ErrorCode.UPSTREAM_FAILED, 'upstream-timeout', false, 'no answer'), 'unreachable'],
    [new TunnelFetchError(ErrorCode.RATE_LIMITED, '', false, 'slow down'), 'limited'],
    [new TunnelFetchError(ErrorCode.PAYMENT_REQUIRED, '', true, 'Receipt refused (wrong-signer)'), 'payment'],
    [new TunnelFetchError(ErrorCode.BODY_TOO_LARGE, '', false, 'big'), 'too-large'],
    [new TunnelFetchError(ErrorCode.INTERNAL_ERROR, '', false, 'oops'), 'other'],
    [new SignalingError('no-donor'), 'no-donor'],
    [new SignalingError('connect-failed'), 'signaling'],
    [new PeerSessionError('timeout', 'slow'), 'connect-failed'],
    [new BodyTooLargeError(10), 'too-large'],
    [new DownloadStatusError(404), 'download-status'],
    [new Error('anything'), 'other'],
    ['a string', 'other'],
  ])('%s → %s', (error, kind) => {
    expect(describeProblem(error).kind).toBe(kind);
  });

  it.each([
    ['a LAN address', ErrorCode.POLICY_DENIED, 'address-not-public', 'lan', 'policy', 'lan'],
    ['loopback', ErrorCode.POLICY_DENIED, 'address-not-public', 'loopback', 'policy', 'loopback'],
    ['cloud metadata', ErrorCode.POLICY_DENIED, 'address-not-public', 'link-local', 'policy', 'link-local'],
    ['a reserved address', ErrorCode.POLICY_DENIED, 'address-not-public', undefined, 'policy', 'not-public'],
    ['a .invalid name', ErrorCode.POLICY_DENIED, 'hostname-not-public', undefined, 'policy', 'not-public'],
    ['file:', ErrorCode.POLICY_DENIED, 'scheme-not-allowed', undefined, 'policy', 'scheme'],
    ['a closed port', ErrorCode.POLICY_DENIED, 'port-not-allowed', undefined, 'policy', 'port'],
    ['too many redirects', ErrorCode.UPSTREAM_FAILED, 'too-many-redirects', undefined, 'unreachable', 'too-many-redirects'],
    ['a redirect loop', ErrorCode.UPSTREAM_FAILED, 'redirect-loop', undefined, 'unreachable', 'redirect-loop'],
    ['DNS failure', ErrorCode.UPSTREAM_FAILED, 'site-not-found', undefined, 'unreachable', 'not-found'],
    ['connection refused', ErrorCode.UPSTREAM_FAILED, 'site-down', undefined, 'unreachable', 'site-down'],
    ['a timeout', ErrorCode.UPSTREAM_FAILED, 'upstream-timeout', undefined, 'unreachable', 'timeout'],
    ['a generic failure', ErrorCode.UPSTREAM_FAILED, 'upstream-failed', undefined, 'unreachable', undefined],
    // A hostile donor's own words never become a cause: only exact reasons this version knows.
    ['an unknown reason', ErrorCode.UPSTREAM_FAILED, '<b>call +1 555</b>', undefined, 'unreachable', undefined],
    ['a prototype key', ErrorCode.UPSTREAM_FAILED, '__proto__', undefined, 'unreachable', undefined],
    ['a policy reason under the wrong code', ErrorCode.UPSTREAM_FAILED, 'scheme-not-allowed', undefined, 'unreachable', undefined],
    ['an upstream reason under the policy code', ErrorCode.POLICY_DENIED, 'site-down', undefined, 'policy', undefined],
  ] as const)('names the cause of %s', (_, code, reason, rule, kind, cause) => {
    const problem = describeProblem(new TunnelFetchError(code, reason, false, 'donor words', rule === undefined ? undefined : { rule }));
    expect(problem.kind).toBe(kind);
    expect(problem.cause).toBe(cause);
  });

  it('keeps the engine text as a detail, and tells aborts apart', () => {
    expect(describeProblem(new SignalingError('no-donor')).detail).toMatch(/No donor/);
    expect(isAbort(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(isAbort(new Error('AbortError'))).toBe(false);
  });
});
