import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { splitResetReason } from '../../protocol/policy-codes.ts';
import { createExitPolicy } from './policy/exit-policy.ts';
import { fetchFollowingRedirects } from './exit-redirects.ts';
import { exitFetchInit, type ExitFetch, type ExitFetchResponse } from './exit-fetch.ts';
import { classifyExitError, ExitRefusal, refusalRuleFor } from './exit-refusal.ts';
import { checkResolvedHost } from './guarded-fetch/firefox-dns-check.ts';
import { createAddressGate } from './guarded-fetch/address-gate.ts';
import { browserExitFetch } from './guarded-fetch/browser-exit-fetch.ts';
import type { ExitFetchFailure } from '../../protocol/runtime-messages.ts';
import { exitFetchFailureOf } from '../../background/exit-guards.ts';

describe('refusalRuleFor', () => {
  it.each([
    ['http://192.168.1.1/', 'address-not-public', 'lan'],
    ['http://10.0.0.1/admin', 'address-not-public', 'lan'],
    ['http://[fd00::1]/', 'address-not-public', 'lan'],
    ['http://127.0.0.1/', 'address-not-public', 'loopback'],
    ['http://[::1]/', 'address-not-public', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'address-not-public', 'link-local'],
    ['http://localhost/', 'hostname-not-public', 'loopback'],
    ['http://nas.local/', 'hostname-not-public', 'lan'],
    ['http://printer/', 'hostname-not-public', 'lan'],
    ['http://x.invalid/', 'hostname-not-public', undefined],
    ['http://192.0.2.1/', 'address-not-public', undefined],
    ['http://168.63.129.16/', 'address-not-public', undefined],
    ['http://192.168.1.1/', 'port-not-allowed', undefined],
  ] as const)('%s (%s) → %s', (url, code, rule) => {
    expect(refusalRuleFor(code, url)).toBe(rule);
  });

  it('sends the rule after the reason, and a client reads back only rules it knows', () => {
    const refusal = new ExitRefusal(ErrorCode.POLICY_DENIED, 'address-not-public', 'no', 'lan');
    expect(refusal.wireReason).toBe('address-not-public:lan');
    expect(splitResetReason(refusal.wireReason)).toEqual({ reason: 'address-not-public', rule: 'lan' });
    expect(splitResetReason('address-not-public:<script>')).toEqual({ reason: 'address-not-public', rule: undefined });
    expect(splitResetReason('upstream-failed')).toEqual({ reason: 'upstream-failed', rule: undefined });
  });
});

describe('classifyExitError', () => {
  const withCode = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error('socket'), { code }) });
  it.each([
    ['ENOTFOUND', 'site-not-found'],
    ['EAI_AGAIN', 'site-not-found'],
    ['ECONNREFUSED', 'site-down'],
    ['ECONNRESET', 'site-down'],
    ['ENETUNREACH', 'site-down'],
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream-timeout'],
    ['EPROTO', 'upstream-failed'],
  ])('sorts %s as %s', (code, reason) => {
    expect(classifyExitError(withCode(code), false)).toMatchObject({ code: ErrorCode.UPSTREAM_FAILED, reason });
  });

  it("reads Firefox's unknown-host answer as a name that does not exist, and other DNS trouble as generic", async () => {
    const resolveFailing = (message: string) => () => Promise.reject(new Error(message));
    const failure = (message: string) =>
      checkResolvedHost(new URL('https://nowhere.example.com/'), createExitPolicy(), resolveFailing(message), new AbortController().signal).catch((e: unknown) => e);
    expect(classifyExitError(await failure('NS_ERROR_UNKNOWN_HOST'), false).reason).toBe('site-not-found');
    expect(classifyExitError(await failure('NS_ERROR_OFFLINE'), false).reason).toBe('upstream-failed');
  });

  it('keeps a browser fetch, which names no cause, generic', () => {
    expect(classifyExitError(new TypeError('Failed to fetch'), false).reason).toBe('upstream-failed');
  });
});

describe('redirect loops', () => {
  const redirectTo = (location: string): ExitFetchResponse => ({
    status: 302,
    statusText: 'Found',
    url: '',
    redirected: false,
    headers: { get: (name) => (name === 'location' ? location : null), forEach: (cb) => cb(location, 'location') },
    body: null,
  });
  const follow = (routes: Record<string, string>) => {
    const fetched: string[] = [];
    const fetch: ExitFetch = async (url) => {
      fetched.push(url);
      return redirectTo(routes[url] ?? 'https://example.com/end');
    };
    const run = fetchFollowingRedirects({ fetch, policy: createExitPolicy(), maxRedirects: 10 }, new URL(Object.keys(routes)[0]!), { method: 'GET', headers: [], body: null }, new AbortController().signal);
    return { run, fetched };
  };

  it('stops at the first hop back to an address already fetched, before fetching it again', async () => {
    const { run, fetched } = follow({ 'https://example.com/a': 'https://example.com/b', 'https://example.com/b': '/a' });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.UPSTREAM_FAILED, reason: 'redirect-loop' });
    expect(fetched).toEqual(['https://example.com/a', 'https://example.com/b']);
  });

  it('names the rule of a refused hop', async () => {
    const { run } = follow({ 'https://example.com/a': 'http://169.254.169.254/latest/meta-data/' });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.POLICY_DENIED, reason: 'address-not-public', rule: 'link-local' });
  });
});

describe("a browser donor's failed fetch, named by its webRequest listener", () => {
  const failing = (gate: ReturnType<typeof createAddressGate>, failure?: ExitFetchFailure, when: 'before' | 'after' = 'after') => {
    const fetch = browserExitFetch({ gate, beforeFetch: async () => {} }, async (url) => {
      if (failure !== undefined && when === 'before') gate.report(url, [], undefined, failure);
      if (failure !== undefined && when === 'after') setTimeout(() => gate.report(url, [], undefined, failure), 20);
      throw new TypeError('Failed to fetch');
    })(createExitPolicy());
    return fetch('https://news.example.com/', exitFetchInit({ method: 'GET', headers: [], body: null }, new AbortController().signal)).catch((e: unknown) => e);
  };

  it.each([
    ['name-not-found', 'before', 'site-not-found'],
    ['connection-failed', 'after', 'site-down'],
    ['timed-out', 'after', 'upstream-timeout'],
    ['other', 'after', 'upstream-failed'],
  ] as const)('%s (reported %s the rejection) → %s', async (failure, when, reason) => {
    const error = await failing(createAddressGate(), failure, when);
    expect(classifyExitError(error, false).reason).toBe(reason);
  });

  it('gives up waiting for a report after a second, and stays generic', async () => {
    const started = Date.now();
    const error = await failing(createAddressGate());
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(classifyExitError(error, false)).toMatchObject({ reason: 'upstream-failed', message: 'The site could not be reached from the donor: Failed to fetch.' });
  });

  it('sorts the browsers’ error names, and everything else as other', () => {
    expect(['net::ERR_NAME_NOT_RESOLVED', 'NS_ERROR_UNKNOWN_HOST', 'net::ERR_CONNECTION_REFUSED', 'NS_ERROR_NET_TIMEOUT', 'net::ERR_CERT_AUTHORITY_INVALID', '__proto__'].map(exitFetchFailureOf))
      .toEqual(['name-not-found', 'name-not-found', 'connection-failed', 'timed-out', 'other', 'other']);
  });
});
