import { describe, expect, it, vi } from 'vitest';
import type { ExitFetch, ExitFetchInit, ExitFetchResponse } from '../exit-fetch.ts';
import { createExitPolicy, ExitPolicyError } from '../policy/exit-policy.ts';
import { checkResolvedHost, maxResolvedAddresses, withDnsCheck, type ResolveHost } from './firefox-dns-check.ts';

const policy = createExitPolicy({ testOrigin: 'http://127.0.0.1:47615' });
const answers: Record<string, string[]> = {
  'example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example': ['192.168.1.1'],
  'half.example': ['93.184.215.14', '10.0.0.8'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'cgnat.example': ['100.64.0.1'],
  'v6-local.example': ['fe80::1'],
  'empty.example': [],
  'many.example': Array.from({ length: maxResolvedAddresses + 1 }, (_, i) => `93.184.${Math.floor(i / 250)}.${(i % 250) + 1}`),
};
const resolve: ResolveHost = async (hostname) => {
  const addresses = answers[hostname];
  if (addresses === undefined) throw new Error('NS_ERROR_UNKNOWN_HOST');
  return { addresses };
};

async function outcome(url: string, resolver: ResolveHost = resolve, signal = new AbortController().signal): Promise<string> {
  try {
    await checkResolvedHost(new URL(url), policy, resolver, signal);
    return 'ok';
  } catch (error) {
    if (error instanceof ExitPolicyError) return error.code;
    return error instanceof TypeError ? 'unreachable' : `other: ${String(error)}`;
  }
}

describe('checkResolvedHost', () => {
  it.each([
    ['a public name', 'https://example.com/', 'ok'],
    ['a name that resolves into the LAN', 'https://rebind.example/', 'address-not-public'],
    ['a name with one public and one private address', 'https://half.example/', 'address-not-public'],
    ['a name that resolves to IPv4-mapped loopback', 'https://mapped.example/', 'address-not-public'],
    ['a name that resolves to the cloud metadata address', 'http://metadata.example/', 'address-not-public'],
    ['a name that resolves into CGNAT space', 'https://cgnat.example/', 'address-not-public'],
    ['a name that resolves to IPv6 link-local', 'https://v6-local.example/', 'address-not-public'],
    ['a name with no address', 'https://empty.example/', 'unreachable'],
    ['a name that does not resolve', 'https://nowhere.example/', 'unreachable'],
    ['a name with more addresses than are checked', 'https://many.example/', 'malformed-request'],
  ])('%s: %s → %s', async (_label, url, expected) => {
    expect(await outcome(url)).toBe(expected);
  });

  it('leaves IP literals to the exit policy and does not resolve them', async () => {
    const resolver = vi.fn(resolve);
    expect(await outcome('http://127.0.0.1:47615/page', resolver)).toBe('ok');
    expect(await outcome('https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', resolver)).toBe('ok');
    expect(resolver).not.toHaveBeenCalled();
  });

  it('gives up with the abort reason when the request is cancelled while resolving', async () => {
    const controller = new AbortController();
    const never: ResolveHost = () => new Promise(() => {});
    const pending = outcome('https://example.com/', never, controller.signal);
    controller.abort(new DOMException('cancelled', 'AbortError'));
    expect(await pending).toBe('other: AbortError: cancelled');
  });
});

describe('withDnsCheck', () => {
  const response: ExitFetchResponse = { status: 200, statusText: 'OK', url: 'https://example.com/', redirected: false, headers: new Headers(), body: null };
  const init = (): ExitFetchInit => ({
    method: 'GET',
    headers: [],
    body: null,
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    redirect: 'manual',
    signal: new AbortController().signal,
  });

  it('fetches once every address is public, and never when one is not', async () => {
    const inner = vi.fn<ExitFetch>(async () => response);
    const fetch = withDnsCheck(() => inner, resolve)(policy);
    await expect(fetch('https://example.com/', init())).resolves.toBe(response);
    expect(inner).toHaveBeenCalledTimes(1);
    await expect(fetch('https://rebind.example/', init())).rejects.toMatchObject({ name: 'ExitPolicyError', code: 'address-not-public' });
    expect(inner).toHaveBeenCalledTimes(1);
  });
});
