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

  it('keeps the engine text as a detail, and tells aborts apart', () => {
    expect(describeProblem(new SignalingError('no-donor')).detail).toMatch(/No donor/);
    expect(isAbort(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(isAbort(new Error('AbortError'))).toBe(false);
  });
});
