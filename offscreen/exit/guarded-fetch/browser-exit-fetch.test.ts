// The browser exit's redirect handling, with a simulated browser underneath: a fetch that resolves
// names from a table, records every request that would leave the donor, answers 3xx as the opaque
// redirect a real `redirect: 'manual'` fetch gives, and reports addresses and Locations to the gate
// as the background's webRequest listener does. Nothing here opens a socket. The real-browser proof
// is in tests/extension/redirect-hops.test.ts.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/frame-types.ts';
import { createAddressGate, type AddressGate } from './address-gate.ts';
import { browserExitFetch, type PlatformFetch } from './browser-exit-fetch.ts';
import { createExit } from '../exit.ts';
import { type ExitFetchInit } from '../exit-fetch.ts';
import { createExitPolicy } from '../policy/exit-policy.ts';
import { withDnsCheck } from './firefox-dns-check.ts';
import { createMemoryTransportPair } from '../../tunnel/memory-transport.fixture.ts';
import { createTunnel, type RequestHead } from '../../tunnel/tunnel.ts';
import { TunnelError } from '../../tunnel/tunnel-error.ts';
import { readAll } from '../../../tests/support/streams.ts';

const publicIp = '93.184.216.34';
const lanIp = '192.168.1.1';
/** What the donor's resolver answers: the attacker's name points into the donor's home network. */
const dns: Readonly<Record<string, string>> = {
  'news.example.com': publicIp,
  'cdn.example.net': '151.101.1.1',
  'router.attacker.example.com': lanIp,
  'fritz.box': '192.168.178.1',
};

interface Answer {
  status: number;
  location?: string;
  body?: string;
}

interface Sent {
  method: string;
  url: string;
  ip: string;
  body: string | null;
}

/** A browser with a network: every request it sends is in `sent`, by the address it went to. */
function simulatedBrowser(gate: AddressGate, answers: Readonly<Record<string, Answer>>) {
  const sent: Sent[] = [];
  const platformFetch: PlatformFetch = async (url, init) => {
    const { hostname } = new URL(url);
    const ip = dns[hostname] ?? hostname;
    const body = init.body ? new TextDecoder().decode(init.body as Uint8Array) : null;
    sent.push({ method: init.method ?? 'GET', url, ip, body });
    const answer = answers[url] ?? { status: 404, body: 'not found' };
    if (answer.location !== undefined) {
      // Chrome's onBeforeRedirect: the hop's address and the absolute target.
      queueMicrotask(() => gate.report(url, [ip], { status: answer.status, location: new URL(answer.location!, url).href })); // set in this branch
      return { type: 'opaqueredirect', status: 0, url, body: null, headers: new Headers() } as unknown as Response;
    }
    queueMicrotask(() => gate.report(url, [ip]));
    return new Response(answer.body ?? '', { status: answer.status });
  };
  return { sent, platformFetch };
}

type Mode = 'chrome' | 'firefox';

/** A client tunnel to an exit over the simulated browser; Firefox also resolves each hop first. */
function donor(mode: Mode, answers: Readonly<Record<string, Answer>>) {
  const gate = createAddressGate({ timeoutMs: 200 });
  const browser = simulatedBrowser(gate, answers);
  const check = { gate, beforeFetch: async () => {} };
  const resolve = async (name: string) => ({ addresses: dns[name] ? [dns[name]] : [] });
  const factory = mode === 'firefox' ? withDnsCheck(browserExitFetch(check, browser.platformFetch), resolve) : browserExitFetch(check, browser.platformFetch);
  const policy = createExitPolicy();
  const exit = createExit({ fetch: factory(policy), policy });
  const [clientEnd, donorEnd] = createMemoryTransportPair();
  createTunnel({ transport: donorEnd, role: 'donor', onRequest: exit.handleRequest });
  const client = createTunnel({ transport: clientEnd, role: 'client' });
  async function request(head: Partial<RequestHead> & { url: string }, body?: string) {
    const stream = client.open({ method: 'GET', headers: [], ...head });
    if (body !== undefined) await stream.write(new TextEncoder().encode(body));
    stream.end();
    const response = await stream.response;
    return { response, text: new TextDecoder().decode(await readAll(stream.readable)) };
  }
  async function refusal(head: Partial<RequestHead> & { url: string }, body?: string): Promise<TunnelError> {
    const error = await request(head, body).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelError);
    return error as TunnelError;
  }
  return { sent: browser.sent, exit, request, refusal, close: () => { exit.close(); client.close(); } };
}

const toLan = (path = '/apply'): string => `http://router.attacker.example.com${path}`;

describe.each<Mode>(['chrome', 'firefox'])('browser exit redirects (%s donor)', (mode) => {
  it('refuses a 307 that would carry a POST body from https to a plain-http LAN name, before it is sent', async () => {
    const d = donor(mode, { 'https://news.example.com/comment': { status: 307, location: toLan() } });
    const error = await d.refusal({ method: 'POST', url: 'https://news.example.com/comment' }, 'dns=evil');
    expect(error.code).toBe(ErrorCode.POLICY_DENIED);
    expect(error.reason).toBe('redirect-not-allowed');
    expect(d.sent.map((s) => s.url)).toEqual(['https://news.example.com/comment']);
    d.close();
  });

  it('never sends a hop to a router name, on any browser', async () => {
    const d = donor(mode, { 'https://news.example.com/': { status: 302, location: 'http://fritz.box/' } });
    const error = await d.refusal({ url: 'https://news.example.com/' });
    expect(error.reason).toBe('hostname-not-public');
    expect(d.sent.some((s) => s.ip.startsWith('192.168.'))).toBe(false);
    d.close();
  });

  it('refuses a hop to a public name that resolves into the LAN, and forwards nothing from it', async () => {
    const d = donor(mode, {
      'https://news.example.com/': { status: 302, location: toLan('/admin') },
      [toLan('/admin')]: { status: 200, body: 'router admin page' },
    });
    const error = await d.refusal({ url: 'https://news.example.com/' });
    expect(error.code).toBe(ErrorCode.POLICY_DENIED);
    expect(error.reason).toBe('address-not-public');
    expect(d.exit.stats().bytesServed).toBe(0);
    const reachedLan = d.sent.filter((s) => s.ip === lanIp);
    if (mode === 'firefox') {
      // Firefox resolves every hop before it is sent: nothing reaches the LAN.
      expect(reachedLan).toEqual([]);
    } else {
      // Chrome has no DNS API: the bodiless GET goes out, its answer is never forwarded.
      expect(reachedLan).toEqual([{ method: 'GET', url: toLan('/admin'), ip: lanIp, body: null }]);
    }
    d.close();
  });

  it('follows public hops itself, one manual fetch each, with fetch semantics (303 turns a POST into a bodiless GET)', async () => {
    const d = donor(mode, {
      'https://news.example.com/submit': { status: 303, location: '/thanks' },
      'https://news.example.com/thanks': { status: 301, location: 'https://cdn.example.net/thanks.html' },
      'https://cdn.example.net/thanks.html': { status: 200, body: 'thank you' },
    });
    const { response, text } = await d.request({ method: 'POST', url: 'https://news.example.com/submit' }, 'comment=hi');
    expect(response.status).toBe(200);
    expect(response.url).toBe('https://cdn.example.net/thanks.html');
    expect(response.redirected).toBe(true);
    expect(text).toBe('thank you');
    expect(d.sent).toEqual([
      { method: 'POST', url: 'https://news.example.com/submit', ip: publicIp, body: 'comment=hi' },
      { method: 'GET', url: 'https://news.example.com/thanks', ip: publicIp, body: null },
      { method: 'GET', url: 'https://cdn.example.net/thanks.html', ip: '151.101.1.1', body: null },
    ]);
    d.close();
  });

  it('stops a redirect loop with its own refusal', async () => {
    const d = donor(mode, { 'https://news.example.com/loop': { status: 302, location: '/loop' } });
    const error = await d.refusal({ url: 'https://news.example.com/loop' });
    expect(error.reason).toBe('redirect-loop');
    expect(d.sent.length).toBe(1); // the hop back to the same address is never sent
    d.close();
  });
});

describe('browser exit: what the gate does not vouch for is not followed', () => {
  it('refuses an opaque redirect whose Location never came, without a second request', async () => {
    const gate = createAddressGate({ timeoutMs: 50 });
    const sent: string[] = [];
    const platformFetch: PlatformFetch = async (url) => {
      sent.push(url);
      // The report carries addresses only: a listener that missed the Location.
      queueMicrotask(() => gate.report(url, [publicIp]));
      return { type: 'opaqueredirect', status: 0, url, body: null, headers: new Headers() } as unknown as Response;
    };
    const fetch = browserExitFetch({ gate, beforeFetch: async () => {} }, platformFetch)(createExitPolicy());
    const init: ExitFetchInit = { method: 'GET', headers: [], body: null, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', redirect: 'manual', signal: new AbortController().signal };
    await expect(fetch('https://news.example.com/', init)).rejects.toThrow(/could not read where the site redirected/);
    expect(sent).toEqual(['https://news.example.com/']);
  });

  it('refuses to let the browser follow redirects on its own', async () => {
    const gate = createAddressGate();
    const fetch = browserExitFetch({ gate, beforeFetch: async () => {} }, async () => new Response(''))(createExitPolicy());
    const init = { method: 'GET', headers: [], body: null, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', redirect: 'follow', signal: new AbortController().signal };
    await expect(fetch('https://news.example.com/', init as never)).rejects.toThrow(TypeError);
  });
});
