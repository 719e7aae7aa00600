// The addresses here are only compared against the exit policy; nothing connects anywhere.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addressReportTimeoutMs, addressReportTtlMs, createAddressGate, maxPendingAddressReports } from './address-gate.ts';
import { createExitPolicy, ExitPolicyError } from '../policy/exit-policy.ts';

const policy = createExitPolicy();
const url = 'https://example.com/page';
const publicIp = '93.184.216.34';
const otherPublicIp = '2606:2800:220:1:248:1893:25c8:1946';

/** How `promise` settled, observed without awaiting it. */
function track(promise: Promise<unknown>): { outcome?: 'resolved' | 'rejected'; reason?: unknown } {
  const record: { outcome?: 'resolved' | 'rejected'; reason?: unknown } = {};
  promise.then(
    () => Object.assign(record, { outcome: 'resolved' }),
    (reason: unknown) => Object.assign(record, { outcome: 'rejected', reason }),
  );
  return record;
}

const policyCode = (reason: unknown): string | undefined => (reason instanceof ExitPolicyError ? reason.code : undefined);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const gate = (timeoutMs?: number) => createAddressGate({ now: () => Date.now(), ...(timeoutMs === undefined ? {} : { timeoutMs }) });

describe('createAddressGate', () => {
  it('passes a response whose report came in before the check', async () => {
    const g = gate();
    g.report(url, [publicIp]);
    await expect(g.verify(url, policy)).resolves.toEqual({});
  });

  it('holds a response until its report comes in, then passes it', async () => {
    const g = gate();
    const verdict = track(g.verify(url, policy));
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs - 1);
    expect(verdict.outcome).toBeUndefined();
    g.report(url, [publicIp, otherPublicIp]);
    await vi.advanceTimersByTimeAsync(0);
    expect(verdict.outcome).toBe('resolved');
  });

  const refusedHops: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['loopback', ['127.0.0.1']],
    ['a LAN address', ['192.168.1.1']],
    ['private 10/8', ['10.0.0.1']],
    ['cloud metadata', ['169.254.169.254']],
    ['IPv6 loopback', ['::1']],
    ['IPv6 unique local', ['fd00::1']],
    ['IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['a private final hop after a public redirect', [publicIp, '10.0.0.1']],
    ['a private first hop before a public one', ['192.168.0.10', publicIp]],
    ['a private hop in the middle', [publicIp, '172.16.0.1', otherPublicIp]],
  ];
  it.each(refusedHops)('refuses %s with address-not-public', async (_name, ips) => {
    const g = gate();
    g.report(url, ips);
    const error = await g.verify(url, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitPolicyError);
    expect(policyCode(error)).toBe('address-not-public');
  });

  it('refuses a private address reported after the check started', async () => {
    const g = gate();
    const verdict = track(g.verify(url, policy));
    g.report(url, ['10.1.2.3']);
    await vi.advanceTimersByTimeAsync(0);
    expect(verdict.outcome).toBe('rejected');
    expect(policyCode(verdict.reason)).toBe('address-not-public');
  });

  it('refuses a report that names no address at all', async () => {
    const g = gate();
    g.report(url, []);
    const error = await g.verify(url, policy).catch((e: unknown) => e);
    expect(policyCode(error)).toBe('malformed-request');
  });

  it('refuses a response whose report never comes, after the timeout and not before', async () => {
    const g = gate();
    const verdict = track(g.verify(url, policy));
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs - 1);
    expect(verdict.outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(verdict.outcome).toBe('rejected');
    expect(policyCode(verdict.reason)).toBe('malformed-request');
    expect((verdict.reason as Error).message).toMatch(/could not confirm which address/);
  });

  it('honours a shorter timeout', async () => {
    const g = gate(100);
    const verdict = track(g.verify(url, policy));
    await vi.advanceTimersByTimeAsync(100);
    expect(policyCode(verdict.reason)).toBe('malformed-request');
  });

  it('is not satisfied by a report for another URL', async () => {
    const g = gate();
    const verdict = track(g.verify(url, policy));
    g.report('https://example.com/other', [publicIp]);
    g.report('https://example.com/page?x=1', [publicIp]);
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs);
    expect(policyCode(verdict.reason)).toBe('malformed-request');
    // The other URL's report is still there for its own response.
    await expect(g.verify('https://example.com/other', policy)).resolves.toEqual({});
  });

  it('uses each report once', async () => {
    const g = gate();
    g.report(url, [publicIp]);
    await g.verify(url, policy);
    const second = track(g.verify(url, policy));
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs);
    expect(policyCode(second.reason)).toBe('malformed-request');
  });

  it('hands reports for one URL to its waiting responses in order', async () => {
    const g = gate();
    const first = track(g.verify(url, policy));
    const second = track(g.verify(url, policy));
    g.report(url, ['10.0.0.1']);
    await vi.advanceTimersByTimeAsync(0);
    expect(policyCode(first.reason)).toBe('address-not-public');
    expect(second.outcome).toBeUndefined();
    g.report(url, [publicIp]);
    await vi.advanceTimersByTimeAsync(0);
    // Reports carry no request id: once a private address was seen for this URL, a response for it
    // is refused even when the report it claimed is public (it may be the other request's).
    expect(policyCode(second.reason)).toBe('address-not-public');
  });

  it('checks a response against every address seen for its URL lately, not only the report it claimed', async () => {
    const g = gate();
    g.report(url, [publicIp]);
    g.report(url, ['192.168.1.20']);
    await expect(g.verify(url, policy)).rejects.toMatchObject({ code: 'address-not-public' });
    const other = 'https://example.org/other';
    g.report(other, [publicIp]);
    await expect(g.verify(other, policy)).resolves.toEqual({});
    // Once the memory of the private address has expired, the URL is judged afresh.
    await vi.advanceTimersByTimeAsync(addressReportTtlMs + 1);
    g.report(url, [publicIp]);
    await expect(g.verify(url, policy)).resolves.toEqual({});
  });

  it('rejects with the signal reason when aborted while waiting, and leaves the next report for the next response', async () => {
    const g = gate();
    const controller = new AbortController();
    const verdict = track(g.verify(url, policy, controller.signal));
    const reason = new Error('client went away');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(verdict).toEqual({ outcome: 'rejected', reason });
    g.report(url, [publicIp]);
    await expect(g.verify(url, policy)).resolves.toEqual({});
  });

  it('rejects at once when the signal already aborted', async () => {
    const g = gate();
    const reason = new Error('already gone');
    const verdict = track(g.verify(url, policy, AbortSignal.abort(reason)));
    await vi.advanceTimersByTimeAsync(0);
    expect(verdict).toEqual({ outcome: 'rejected', reason });
  });

  it('drops a report nobody claimed within its lifetime', async () => {
    const g = gate();
    g.report(url, [publicIp]);
    await vi.advanceTimersByTimeAsync(addressReportTtlMs + 1);
    const verdict = track(g.verify(url, policy));
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs);
    expect(policyCode(verdict.reason)).toBe('malformed-request');
  });

  it('keeps a report that is not yet too old', async () => {
    const g = gate();
    g.report(url, [publicIp]);
    await vi.advanceTimersByTimeAsync(addressReportTtlMs - 1);
    await expect(g.verify(url, policy)).resolves.toEqual({});
  });

  it('keeps a flood of unclaimed reports bounded, dropping the oldest', async () => {
    const g = gate();
    const flood = 10;
    for (let i = 0; i < maxPendingAddressReports + flood; i++) g.report(`https://flood.example/${i}`, [publicIp]);
    const oldest = track(g.verify('https://flood.example/0', policy));
    const lastDropped = track(g.verify(`https://flood.example/${flood - 1}`, policy));
    await vi.advanceTimersByTimeAsync(addressReportTimeoutMs);
    expect(policyCode(oldest.reason)).toBe('malformed-request');
    expect(policyCode(lastDropped.reason)).toBe('malformed-request');
    await expect(g.verify(`https://flood.example/${flood}`, policy)).resolves.toEqual({});
    await expect(g.verify(`https://flood.example/${maxPendingAddressReports + flood - 1}`, policy)).resolves.toEqual({});
  });

  it('does not let a report smuggle in an address changed after the report', async () => {
    const g = gate();
    const ips = [publicIp];
    g.report(url, ips);
    ips[0] = '127.0.0.1';
    await expect(g.verify(url, policy)).resolves.toEqual({});
  });

  describe('with a test origin', () => {
    const testOrigin = 'http://127.0.0.1:47810';
    const testPolicy = createExitPolicy({ testOrigin });

    it('passes loopback only for the test origin itself', async () => {
      const g = gate();
      g.report(`${testOrigin}/fixture`, ['127.0.0.1']);
      await expect(g.verify(`${testOrigin}/fixture`, testPolicy)).resolves.toEqual({});
      g.report('http://127.0.0.1:47811/fixture', ['127.0.0.1']);
      const other = await g.verify('http://127.0.0.1:47811/fixture', testPolicy).catch((e: unknown) => e);
      expect(policyCode(other)).toBe('address-not-public');
    });

    it('still refuses another private address for the test origin', async () => {
      const g = gate();
      g.report(`${testOrigin}/fixture`, ['127.0.0.1', '192.168.1.1']);
      const error = await g.verify(`${testOrigin}/fixture`, testPolicy).catch((e: unknown) => e);
      expect(policyCode(error)).toBe('address-not-public');
    });
  });
});
