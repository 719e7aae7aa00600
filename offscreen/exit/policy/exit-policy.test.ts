// Pure-function tests: nothing here connects anywhere. The addresses are aimed at on purpose.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExitPolicy, ExitPolicyError, findExitPolicyError, type ExitPolicy, type PolicyVerdict } from './exit-policy.ts';
import { policyCodes, type PolicyCode } from '../../../protocol/policy-codes.ts';

const testOrigin = 'http://127.0.0.1:47810';
const policy = createExitPolicy();
const withExtraPorts = createExitPolicy({ extraPorts: [8080, 8443] });
const withTestOrigin = createExitPolicy({ testOrigin });
const httpsOnly = createExitPolicy({ allowPlainHttp: false });

type Case =
  | { kind: 'request'; method?: string; url: string; headers?: [string, string][]; policy?: ExitPolicy }
  | { kind: 'redirect'; from: string; location: string; method?: string; policy?: ExitPolicy };

const get = (url: string, p?: ExitPolicy): Case => ({ kind: 'request', url, policy: p });
const req = (method: string, url: string, headers: [string, string][] = []): Case => ({ kind: 'request', method, url, headers });
const hop = (location: string, method = 'GET', from = 'https://example.com/start'): Case => ({
  kind: 'redirect',
  from,
  location,
  method,
});

function run(c: Case): PolicyVerdict {
  const p = c.policy ?? policy;
  if (c.kind === 'request') return p.checkRequest({ method: c.method ?? 'GET', url: c.url, headers: c.headers ?? [] });
  return p.checkRedirect(new URL(c.from), c.location, c.method ?? 'GET');
}

const hostile: readonly (readonly [string, Case, PolicyCode])[] = [
  // IPv4 literals, every spelling WHATWG URL accepts.
  ['loopback', get('http://127.0.0.1/'), 'address-not-public'],
  ['private 10/8', get('http://10.0.0.1/'), 'address-not-public'],
  ['private 172.16/12', get('http://172.16.5.4/'), 'address-not-public'],
  ['private 192.168/16', get('http://192.168.1.1/'), 'address-not-public'],
  ['cloud metadata', get('http://169.254.169.254/latest/meta-data/'), 'address-not-public'],
  ['carrier-grade NAT', get('http://100.64.0.1/'), 'address-not-public'],
  ['unspecified', get('http://0.0.0.0/'), 'address-not-public'],
  ['this-network 0/8', get('http://0.1.2.3/'), 'address-not-public'],
  ['broadcast', get('http://255.255.255.255/'), 'address-not-public'],
  ['multicast', get('http://224.0.0.1/'), 'address-not-public'],
  ['reserved 240/4', get('http://240.0.0.1/'), 'address-not-public'],
  ['documentation 192.0.2/24', get('http://192.0.2.1/'), 'address-not-public'],
  ['documentation 198.51.100/24', get('http://198.51.100.1/'), 'address-not-public'],
  ['documentation 203.0.113/24', get('http://203.0.113.1/'), 'address-not-public'],
  ['benchmarking 198.18/15', get('http://198.18.0.1/'), 'address-not-public'],
  ['IETF protocol 192.0.0/24', get('http://192.0.0.170/'), 'address-not-public'],
  ['decimal 192.168.1.1', get('http://3232235777/'), 'address-not-public'],
  ['decimal 127.0.0.1', get('http://2130706433/'), 'address-not-public'],
  ['octal 192.168.0.1', get('http://0300.0250.0.1/'), 'address-not-public'],
  ['octal 127.0.0.1', get('http://0177.0.0.1/'), 'address-not-public'],
  ['hex 192.168.0.1', get('http://0xc0a80001/'), 'address-not-public'],
  ['hex short 127.0.0.1', get('http://0x7f.1/'), 'address-not-public'],
  ['hex dotted 127.0.0.1', get('http://0x7f.0.0.1/'), 'address-not-public'],
  ['short 127.1', get('http://127.1/'), 'address-not-public'],
  ['short 10.1', get('http://10.1/'), 'address-not-public'],
  ['mixed hex metadata', get('http://0xa9.254.169.254/'), 'address-not-public'],
  ['16-bit tail metadata', get('http://169.254.43518/'), 'address-not-public'],
  ['percent-encoded loopback', get('http://%31%32%37.0.0.1/'), 'address-not-public'],
  ['fullwidth-digit loopback', get('http://１２７.0.0.1/'), 'address-not-public'],
  ['https loopback on 443', get('https://127.0.0.1:443/'), 'address-not-public'],
  // IPv6 literals, including IPv4 carried inside them.
  ['IPv6 loopback', get('http://[::1]/'), 'address-not-public'],
  ['IPv6 link-local', get('http://[fe80::1]/'), 'address-not-public'],
  ['IPv6 unique-local', get('http://[fc00::1]/'), 'address-not-public'],
  ['IPv6 site-local', get('http://[fec0::1]/'), 'address-not-public'],
  ['IPv6 multicast', get('http://[ff02::1]/'), 'address-not-public'],
  ['IPv6 documentation', get('http://[2001:db8::1]/'), 'address-not-public'],
  ['IPv6 unspecified', get('http://[::]/'), 'address-not-public'],
  ['mapped loopback dotted', get('http://[::ffff:127.0.0.1]/'), 'address-not-public'],
  ['mapped loopback hex', get('http://[::ffff:7f00:1]/'), 'address-not-public'],
  ['mapped metadata', get('http://[::ffff:169.254.169.254]/'), 'address-not-public'],
  ['mapped private, long form', get('https://[0:0:0:0:0:ffff:10.0.0.1]/'), 'address-not-public'],
  ['NAT64 metadata', get('http://[64:ff9b::a9fe:a9fe]/'), 'address-not-public'],
  ['6to4 private', get('http://[2002:c0a8:0101::]/'), 'address-not-public'],
  ['IPv4-compatible loopback', get('http://[::127.0.0.1]/'), 'address-not-public'],
  ['Teredo private client', get('http://[2001:0:4136:e378:8000:63bf:3f57:fefe]/'), 'address-not-public'],
  // Names that never mean a public host.
  ['localhost', get('http://localhost/'), 'hostname-not-public'],
  ['LOCALHOST. with trailing dot', get('http://LOCALHOST./'), 'hostname-not-public'],
  ['subdomain of localhost', get('http://foo.localhost/'), 'hostname-not-public'],
  ['localhost.localdomain', get('http://localhost.localdomain/'), 'hostname-not-public'],
  ['GCP metadata name', get('http://metadata.google.internal/'), 'hostname-not-public'],
  ['single label intranet', get('http://intranet/'), 'hostname-not-public'],
  ['single label printer', get('http://printer/'), 'hostname-not-public'],
  ['single label with trailing dot', get('http://printer./'), 'hostname-not-public'],
  ['a bare public suffix', get('https://co.uk/'), 'hostname-not-public'],
  ['.local (mDNS)', get('http://nas.local/'), 'hostname-not-public'],
  ['.lan', get('http://router.lan/'), 'hostname-not-public'],
  ['.home', get('http://box.home/'), 'hostname-not-public'],
  ['.internal', get('http://db.internal/'), 'hostname-not-public'],
  ['.localdomain', get('http://nas.localdomain/'), 'hostname-not-public'],
  ['.onion', get('https://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/'), 'hostname-not-public'],
  ['.alt', get('https://peer.alt/'), 'hostname-not-public'],
  // Public-looking names a home router or a cloud answers for itself.
  ['AVM router name', get('http://fritz.box/'), 'hostname-not-public'],
  ['Netgear router name', get('http://www.routerlogin.net/'), 'hostname-not-public'],
  ['TP-Link router name', get('http://tplinkwifi.net/'), 'hostname-not-public'],
  ['Equinix metadata name', get('https://metadata.platformequinix.com/metadata'), 'hostname-not-public'],
  ['Tencent metadata name', get('http://metadata.tencentyun.com/latest/meta-data/'), 'hostname-not-public'],
  ['loopback alias domain', get('http://localtest.me/'), 'hostname-not-public'],
  ['loopback alias subdomain', get('http://app.lvh.me/'), 'hostname-not-public'],
  ['nip.io echo of a LAN address', get('http://192.168.1.1.nip.io/'), 'hostname-not-public'],
  ['nip.io echo with a prefix', get('http://admin.10.0.0.1.nip.io/'), 'hostname-not-public'],
  ['sslip.io dashed echo', get('http://192-168-1-1.sslip.io/'), 'hostname-not-public'],
  ['sslip.io prefixed dashed echo', get('http://router-192-168-1-1.sslip.io/'), 'hostname-not-public'],
  ['nip.io hex echo of loopback', get('http://7f000001.nip.io/'), 'hostname-not-public'],
  ['nip.io echo of metadata', get('http://169.254.169.254.nip.io/latest/'), 'hostname-not-public'],
  ['sslip.io IPv6 echo', get('http://--1.sslip.io/'), 'hostname-not-public'],
  // Public addresses that only a cloud's own machines may call.
  ['Azure host endpoint', get('http://168.63.129.16/machine?comp=goalstate'), 'address-not-public'],
  ['Azure host endpoint, mapped', get('http://[::ffff:168.63.129.16]/'), 'address-not-public'],
  ['IBM Cloud service network', get('https://161.26.0.10/'), 'address-not-public'],
  ['Oracle Cloud metadata', get('http://192.0.0.192/latest/'), 'address-not-public'],
  ['Alibaba Cloud metadata', get('http://100.100.100.200/latest/meta-data/'), 'address-not-public'],
  ['AWS IPv6 metadata', get('http://[fd00:ec2::254]/latest/meta-data/'), 'address-not-public'],
  ['.home.arpa', get('http://nas.home.arpa/'), 'hostname-not-public'],
  ['.corp', get('http://wiki.corp/'), 'hostname-not-public'],
  ['.intranet', get('http://hr.intranet/'), 'hostname-not-public'],
  ['.private', get('http://files.private/'), 'hostname-not-public'],
  ['.test', get('http://app.test/'), 'hostname-not-public'],
  ['.invalid', get('http://x.invalid/'), 'hostname-not-public'],
  ['.example', get('http://foo.example/'), 'hostname-not-public'],
  ['.onion', get('http://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/'), 'hostname-not-public'],
  ['reverse DNS .arpa', get('http://1.0.0.127.in-addr.arpa/'), 'hostname-not-public'],
  ['.local with trailing dot', get('http://nas.local./'), 'hostname-not-public'],
  ['unknown TLD', get('http://a.b.unknowntld/'), 'hostname-not-public'],
  ['empty label', get('http://example..com/'), 'hostname-not-public'],
  ['two trailing dots', get('http://localhost../'), 'hostname-not-public'],
  // Ports that are services, not websites.
  ['ssh', get('http://example.com:22/'), 'port-not-allowed'],
  ['smtp', get('http://example.com:25/'), 'port-not-allowed'],
  ['mysql', get('https://example.com:3306/'), 'port-not-allowed'],
  ['redis', get('http://example.com:6379/'), 'port-not-allowed'],
  ['8080 without extraPorts', get('http://example.com:8080/'), 'port-not-allowed'],
  ['8443 without extraPorts', get('https://example.com:8443/'), 'port-not-allowed'],
  ['port 0', get('http://example.com:0/'), 'port-not-allowed'],
  ['port 65535', get('http://example.com:65535/'), 'port-not-allowed'],
  ['http on 443', get('http://example.com:443/'), 'port-not-allowed'],
  ['https on 80', get('https://example.com:80/'), 'port-not-allowed'],
  ['extra ports stay web ports', get('http://example.com:3000/', withExtraPorts), 'port-not-allowed'],
  // Schemes.
  ['file:', get('file:///etc/passwd'), 'scheme-not-allowed'],
  ['ftp:', get('ftp://example.com/'), 'scheme-not-allowed'],
  ['data:', get('data:text/plain,hi'), 'scheme-not-allowed'],
  ['javascript:', get('javascript:alert(1)'), 'scheme-not-allowed'],
  ['ws:', get('ws://example.com/'), 'scheme-not-allowed'],
  ['wss:', get('wss://example.com/'), 'scheme-not-allowed'],
  ['chrome-extension:', get('chrome-extension://abcdefghijklmnopabcdefghijklmnop/page.html'), 'scheme-not-allowed'],
  ['moz-extension:', get('moz-extension://0f1e2d3c/page.html'), 'scheme-not-allowed'],
  ['about:', get('about:blank'), 'scheme-not-allowed'],
  ['blob:', get('blob:https://example.com/0b2f'), 'scheme-not-allowed'],
  ['gopher:', get('gopher://example.com:70/'), 'scheme-not-allowed'],
  ['plain http when the donor chose https only', get('http://example.com/', httpsOnly), 'scheme-not-allowed'],
  // Credentials in the URL.
  ['user and password', get('http://user:pass@example.com/'), 'credentials-in-url'],
  ['user only', get('https://user@example.com/'), 'credentials-in-url'],
  ['password only', get('https://:secret@example.com/'), 'credentials-in-url'],
  ['userinfo that looks like a host', get('http://example.com@127.0.0.1/'), 'credentials-in-url'],
  // Not URLs at all.
  ['free text', get('not a url'), 'malformed-url'],
  ['scheme without host', get('http://'), 'malformed-url'],
  ['space in host', get('http://exa mple.com/'), 'malformed-url'],
  ['empty string', get(''), 'malformed-url'],
  ['unclosed IPv6 bracket', get('http://[::1/'), 'malformed-url'],
  // Methods.
  ['CONNECT', req('CONNECT', 'https://example.com/'), 'method-not-allowed'],
  ['TRACE', req('TRACE', 'https://example.com/'), 'method-not-allowed'],
  ['TRACK', req('TRACK', 'https://example.com/'), 'method-not-allowed'],
  ['PROPFIND', req('PROPFIND', 'https://example.com/'), 'method-not-allowed'],
  ['non-token method', req('GET /admin HTTP/1.1\r\nHost: x', 'https://example.com/'), 'method-not-allowed'],
  ['empty method', req('', 'https://example.com/'), 'method-not-allowed'],
  // Plain http stays read-only and anonymous.
  ['plain-http POST', req('POST', 'http://example.com/form'), 'plain-http-method'],
  ['plain-http PUT', req('PUT', 'http://example.com/x'), 'plain-http-method'],
  ['plain-http DELETE', req('DELETE', 'http://example.com/x'), 'plain-http-method'],
  ['plain-http PATCH', req('PATCH', 'http://93.184.216.34/x'), 'plain-http-method'],
  ['plain-http OPTIONS', req('OPTIONS', 'http://example.com/'), 'plain-http-method'],
  ['plain-http Authorization', req('GET', 'http://example.com/', [['Authorization', 'Basic dTpw']]), 'plain-http-authorization'],
  ['plain-http AUTHORIZATION on HEAD', req('HEAD', 'http://example.com/', [['AUTHORIZATION', 'Bearer x']]), 'plain-http-authorization'],
  // Redirect hops from a public https page.
  ['redirect to loopback', hop('http://127.0.0.1/'), 'address-not-public'],
  ['redirect to metadata', hop('http://169.254.169.254/latest/meta-data/'), 'address-not-public'],
  ['protocol-relative redirect to LAN', hop('//10.0.0.1/admin'), 'address-not-public'],
  ['redirect to decimal loopback', hop('http://2130706433/'), 'address-not-public'],
  ['redirect to mapped metadata', hop('http://[::ffff:a9fe:a9fe]/'), 'address-not-public'],
  ['redirect to IPv6 loopback', hop('https://[::1]/'), 'address-not-public'],
  ['redirect to localhost', hop('http://localhost/'), 'hostname-not-public'],
  ['redirect to single label', hop('https://intranet/'), 'hostname-not-public'],
  ['redirect to .internal', hop('http://metadata.google.internal/computeMetadata/v1/'), 'hostname-not-public'],
  ['redirect to ssh port', hop('https://example.com:22/'), 'port-not-allowed'],
  ['redirect to file:', hop('file:///etc/passwd'), 'scheme-not-allowed'],
  ['redirect to javascript:', hop('javascript:alert(1)'), 'scheme-not-allowed'],
  ['redirect with credentials', hop('https://user:pass@example.com/'), 'credentials-in-url'],
  ['redirect to unparsable host', hop('http://%zz/'), 'malformed-url'],
  ['https to http downgrade of a POST', hop('http://example.org/', 'POST'), 'redirect-not-allowed'],
  ['307 of a POST from http to another plain-http host', hop('http://router.attacker.example.com/', 'POST', 'http://example.com/form'), 'plain-http-method'],
  ['redirect to a router name', hop('http://fritz.box/admin'), 'hostname-not-public'],
  ['redirect to an address-echo name', hop('http://192.168.1.1.nip.io/'), 'hostname-not-public'],
  ['redirect to the Azure host endpoint', hop('http://168.63.129.16/'), 'address-not-public'],
  ['http to http PUT', hop('/next', 'PUT', 'http://example.org/'), 'plain-http-method'],
  ['redirect to a TRACE', hop('/next', 'TRACE'), 'method-not-allowed'],
  // The test origin is one exact origin: every neighbour stays refused.
  ['test origin, other port', get('http://127.0.0.1:47811/', withTestOrigin), 'port-not-allowed'],
  ['test origin, other loopback host', get('http://127.0.0.2:47810/', withTestOrigin), 'port-not-allowed'],
  ['test origin, other scheme', get('https://127.0.0.1:47810/', withTestOrigin), 'port-not-allowed'],
  ['test origin, by name', get('http://localhost:47810/', withTestOrigin), 'port-not-allowed'],
  ['test origin, IPv6 loopback', get('http://[::1]:47810/', withTestOrigin), 'port-not-allowed'],
  ['test origin host on port 80', get('http://127.0.0.1/', withTestOrigin), 'address-not-public'],
];

describe('hostile targets are refused with their specific code', () => {
  it('has at least 70 of them', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(70);
  });

  it.each(hostile)('%s', (_name, c, code) => {
    const verdict = run(c);
    expect(verdict).toMatchObject({ ok: false, code });
    if (!verdict.ok) {
      expect(verdict.message).toMatch(/^The (donor|site) /);
      expect(verdict.message).not.toMatch(/[\r\n]/);
    }
  });
});

describe('checkAddress refuses non-public connected addresses', () => {
  const page = new URL('https://example.com/');
  it.each([
    ['10.0.0.1', page, policy],
    ['127.0.0.1', page, policy],
    ['169.254.169.254', page, policy],
    ['::ffff:127.0.0.1', page, policy],
    ['fe80::1%eth0', page, policy],
    ['64:ff9b::a00:1', page, policy],
    ['not an address', page, policy],
    ['', page, policy],
    ['127.0.0.1', new URL('http://127.0.0.1:47811/'), withTestOrigin],
    ['127.0.0.2', new URL('http://127.0.0.1:47810/'), withTestOrigin],
    ['10.0.0.1', new URL('http://127.0.0.1:47810/'), withTestOrigin],
    ['127.0.0.1', new URL('http://127.0.0.1:47810/'), policy],
  ] as const)('%s for %s', (ip, url, p) => {
    expect(p.checkAddress(ip, url)).toMatchObject({ ok: false, code: 'address-not-public' });
  });

  it('says which name led where', () => {
    const verdict = policy.checkAddress('192.168.1.1', new URL('https://rebind.example.com/'));
    expect(verdict).toEqual({
      ok: false,
      code: 'address-not-public',
      message:
        'The donor only connects to public internet addresses; rebind.example.com led to 192.168.1.1, a private network address.',
    });
  });
});

describe('public targets are allowed', () => {
  const allowed: readonly (readonly [string, Case])[] = [
    ['https name', get('https://example.com/')],
    ['http GET with path and query', get('http://example.org/path?q')],
    ['multi-label public suffix', get('https://sub.example.co.uk/')],
    ['public IPv6 literal', get('https://[2606:4700::1111]/')],
    ['public IPv4 literal over http', get('http://93.184.216.34/')],
    ['NAT64 of a public IPv4', get('https://[64:ff9b::5db8:d822]/')],
    ['fully qualified name', get('https://example.com./')],
    ['explicit default https port', get('https://EXAMPLE.COM:443/')],
    ['explicit default http port', get('http://example.com:80/')],
    ['punycode IDN', get('https://xn--e1afmkfd.xn--p1ai/')],
    ['unicode IDN', get('https://пример.рф/')],
    ['private-section suffix is still public DNS', get('https://someone.github.io/')],
    ['deep subdomain', get('https://a.b.c.d.example.com/')],
    ['nip.io echo of a public address', get('https://93.184.216.34.nip.io/')],
    ['a name that merely contains a router name', get('https://notfritz.box.example.com/')],
    ['neighbour of the Azure host endpoint', get('http://168.63.129.17/')],
    ['HEAD over http', req('HEAD', 'http://example.com/')],
    ['POST over https with Authorization', req('POST', 'https://api.example.com/v1', [['Authorization', 'Bearer t']])],
    ['every allowed method over https', req('PATCH', 'https://example.com/')],
    ['OPTIONS over https', req('OPTIONS', 'https://example.com/')],
    ['DELETE over https', req('DELETE', 'https://example.com/x')],
    ['8443 when the donor added it', get('https://example.com:8443/', withExtraPorts)],
    ['8080 when the donor added it', get('http://example.com:8080/', withExtraPorts)],
    ['https only still allows https', get('https://example.com/', httpsOnly)],
    ['test origin, exact', get('http://127.0.0.1:47810/echo?x=1', withTestOrigin)],
    ['test origin, trailing-dot spelling of the same origin', get('http://127.0.0.1.:47810/', withTestOrigin)],
    ['test origin, POST (a loopback literal cannot be rebound)', { kind: 'request', method: 'POST', url: `${testOrigin}/upload`, policy: withTestOrigin }],
    ['relative redirect', hop('/next')],
    ['query-only redirect', hop('?page=2')],
    ['dot-segment redirect', hop('../up')],
    ['protocol-relative redirect to a public host', hop('//cdn.example.net/a.js')],
    ['redirect to another public https host', hop('https://www.example.net/x', 'POST')],
    ['https to http downgrade of a GET', hop('http://example.org/')],
    ['http to http GET', hop('/next', 'GET', 'http://example.org/')],
  ];

  it.each(allowed)('%s', (_name, c) => {
    const verdict = run(c);
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
  });

  it('hands back a parsed copy of the URL', () => {
    const input = new URL('https://example.com/a');
    const verdict = policy.checkUrl(input);
    expect(verdict.ok && verdict.url.href).toBe('https://example.com/a');
    expect(verdict.ok && verdict.url).not.toBe(input);
  });

  it('resolves a relative redirect against the page', () => {
    const verdict = policy.checkRedirect(new URL('https://example.com/a/b'), '../c?d', 'GET');
    expect(verdict.ok && verdict.url.href).toBe('https://example.com/c?d');
  });

  it.each([
    ['93.184.216.34', new URL('https://example.com/'), policy],
    ['2606:4700::1111', new URL('https://example.com/'), policy],
    ['64:ff9b::5db8:d822', new URL('https://example.com/'), policy],
    ['127.0.0.1', new URL('http://127.0.0.1:47810/'), withTestOrigin],
    ['::ffff:127.0.0.1', new URL('http://127.0.0.1:47810/x'), withTestOrigin],
  ] as const)('checkAddress allows %s for %s', (ip, url, p) => {
    expect(p.checkAddress(ip, url).ok).toBe(true);
  });
});

describe('methods', () => {
  it('are case-sensitive, as on the wire', () => {
    // fetch would upper-case "get" itself, but "patch" it would send as-is: ask for the exact token.
    expect(policy.checkRequest({ method: 'get', url: 'https://example.com/' })).toMatchObject({ code: 'method-not-allowed' });
  });
});

describe('createExitPolicy', () => {
  it.each([[[22]], [[80]], [[443]], [[8080, 3000]], [[8081]], [[Number.NaN]]])('refuses extraPorts %j', (ports) => {
    expect(() => createExitPolicy({ extraPorts: ports })).toThrow(RangeError);
  });

  it.each([
    'http://example.com:47810',
    'http://10.0.0.1:47810',
    'http://localhost:47810',
    'http://127.0.0.1:47810/path',
    'http://user@127.0.0.1:47810',
    'file:///x',
    'not a url',
  ])('refuses testOrigin %s', (origin) => {
    expect(() => createExitPolicy({ testOrigin: origin })).toThrow(RangeError);
  });

  it('accepts an IPv6 loopback test origin', () => {
    const p = createExitPolicy({ testOrigin: 'http://[::1]:47810' });
    expect(p.checkUrl('http://[::1]:47810/').ok).toBe(true);
    expect(p.checkAddress('::1', new URL('http://[::1]:47810/')).ok).toBe(true);
  });

  it('refuses options of the wrong type', () => {
    expect(() => createExitPolicy({ allowPlainHttp: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => createExitPolicy({ extraPorts: 8080 as unknown as number[] })).toThrow(TypeError);
  });
});

describe('several test origins (a test site and its CDN)', () => {
  const site = 'http://127.0.0.1:47615';
  const cdn = 'http://127.0.0.1:47617';
  const both = createExitPolicy({ testOrigin: site, testOrigins: [cdn] });

  it.each([
    ['the site', `${site}/news/article.html`],
    ['the CDN', `${cdn}/cdn/img/hero.png`],
  ])('allows %s', (_what, url) => {
    expect(both.checkRequest({ method: 'GET', url })).toMatchObject({ ok: true });
  });

  it.each([
    ['the same host on another port', 'http://127.0.0.1:47616/'],
    ['the same host on the default port', 'http://127.0.0.1/'],
    ['another loopback address on a listed port', 'http://127.0.0.2:47617/'],
    ['the CDN port over https', 'https://127.0.0.1:47617/'],
    ['localhost on a listed port', 'http://localhost:47617/'],
    ['IPv6 loopback on a listed port', 'http://[::1]:47617/'],
  ])('refuses %s', (_what, url) => {
    expect(both.checkRequest({ method: 'GET', url }).ok).toBe(false);
  });

  it('follows a redirect from one listed origin to another', () => {
    expect(both.checkRedirect(new URL(`${site}/news/img/wire.png`), `${cdn}/cdn/img/wire.png`, 'GET')).toMatchObject({ ok: true });
    expect(both.checkRedirect(new URL(`${cdn}/cdn/img/old.png`), '/cdn/img/new.png', 'GET')).toMatchObject({ ok: true });
  });

  it.each([
    ['another loopback port', 'http://127.0.0.1:47616/admin'],
    ['the default port', 'http://127.0.0.1/'],
    ['a private address on a listed port', 'http://192.168.1.1:47617/'],
  ])('refuses a redirect from a listed origin to %s', (_what, location) => {
    expect(both.checkRedirect(new URL(`${cdn}/cdn/img/old.png`), location, 'GET').ok).toBe(false);
  });

  it('checks each origin against its own address', () => {
    expect(both.checkAddress('127.0.0.1', new URL(`${cdn}/x`)).ok).toBe(true);
    expect(both.checkAddress('127.0.0.1', new URL('http://127.0.0.1:47616/x')).ok).toBe(false);
    const v6 = createExitPolicy({ testOrigins: [site, 'http://[::1]:47617'] });
    expect(v6.checkAddress('::1', new URL('http://[::1]:47617/x')).ok).toBe(true);
    expect(v6.checkAddress('127.0.0.1', new URL('http://[::1]:47617/x')).ok).toBe(false);
  });

  it('refuses a list longer than the fixed maximum, a repeated origin, and a bad entry', () => {
    const ports = [47617, 47618, 47619, 47620];
    expect(() => createExitPolicy({ testOrigin: site, testOrigins: ports.map((p) => `http://127.0.0.1:${p}`) })).toThrow(RangeError);
    expect(() => createExitPolicy({ testOrigin: site, testOrigins: [site] })).toThrow(RangeError);
    expect(() => createExitPolicy({ testOrigins: [site, 'http://localhost:47617'] })).toThrow(RangeError);
    expect(() => createExitPolicy({ testOrigins: site as unknown as string[] })).toThrow(TypeError);
  });

  it('gives the same digest for the same list, however it is passed, and another for another list', () => {
    expect(createExitPolicy({ testOrigins: [site, cdn] }).digest()).toBe(both.digest());
    expect(createExitPolicy({ testOrigins: [site] }).digest()).toBe(createExitPolicy({ testOrigin: site }).digest());
    expect(both.digest()).not.toBe(createExitPolicy({ testOrigin: site }).digest());
  });
});

describe('digest', () => {
  it('is a stable sha256 hex of the effective rules', () => {
    expect(policy.digest()).toMatch(/^[0-9a-f]{64}$/);
    expect(createExitPolicy().digest()).toBe(policy.digest());
    expect(createExitPolicy({ extraPorts: [8443, 8080, 8443] }).digest()).toBe(withExtraPorts.digest());
    expect(createExitPolicy({ allowPlainHttp: true }).digest()).toBe(policy.digest());
  });

  it('changes when the rules change', () => {
    const digests = new Set([
      policy.digest(),
      withExtraPorts.digest(),
      createExitPolicy({ extraPorts: [8080] }).digest(),
      withTestOrigin.digest(),
      httpsOnly.digest(),
    ]);
    expect(digests.size).toBe(5);
  });
});

describe('ExitPolicyError', () => {
  it('carries the code and is found inside a fetch-style cause chain', () => {
    const refusal = { ok: false, code: policyCodes.addressNotPublic, message: 'The donor said no.' } as const;
    const error = new ExitPolicyError(refusal);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('address-not-public');
    expect(findExitPolicyError(new TypeError('fetch failed', { cause: error }))).toBe(error);
    expect(findExitPolicyError(new TypeError('fetch failed'))).toBeNull();
  });
});

describe('properties', () => {
  const codes = new Set<string>(Object.values(policyCodes));
  const isVerdict = (v: PolicyVerdict): boolean => (v.ok ? v.url instanceof URL : codes.has(v.code) && v.message.length > 0);

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          // Strings that get past the scheme, so the host and port parsers see the noise.
          fc
            .tuple(fc.constantFrom('http://', 'https://', 'http://[', 'https://a@', '//', 'http://0x'), fc.string({ unit: 'binary' }))
            .map(([head, tail]) => head + tail),
        ),
        fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD'), fc.string()),
        fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 4 }),
        (url, method, headers) => {
          expect(isVerdict(policy.checkRequest({ method, url, headers }))).toBe(true);
          expect(isVerdict(policy.checkUrl(url))).toBe(true);
          expect(isVerdict(policy.checkRedirect(new URL('https://example.com/'), url, method))).toBe(true);
          expect(isVerdict(policy.checkAddress(url, new URL('https://example.com/')))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on hostile shapes at run time', () => {
    const shapes: unknown[] = [null, undefined, 42, {}, { method: 'GET' }, { method: 'GET', url: 'https://example.com/', headers: 7 }];
    for (const shape of shapes) {
      expect(isVerdict(policy.checkRequest(shape as never))).toBe(true);
    }
  });

  // Every spelling of a non-public IPv4 address that WHATWG URL accepts is refused.
  const nonPublicV4 = fc.oneof(
    fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
  );
  const spellings = (o: readonly [number, number, number, number]): string[] => {
    const n = ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
    return [
      o.join('.'),
      String(n),
      `0x${n.toString(16)}`,
      `0${n.toString(8)}`,
      o.map((x) => `0x${x.toString(16)}`).join('.'),
      o.map((x) => `0${x.toString(8)}`).join('.'),
      `${o[0]}.${(o[1] << 16) + (o[2] << 8) + o[3]}`,
      `${o[0]}.${o[1]}.${(o[2] << 8) + o[3]}`,
      `[::ffff:${o.join('.')}]`,
      `[64:ff9b::${o.join('.')}]`,
      `[2002:${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}::1]`,
    ];
  };

  it('refuses every spelling of a non-public IPv4 address', () => {
    fc.assert(
      fc.property(nonPublicV4, (octets) => {
        for (const host of spellings(octets)) {
          const verdict = policy.checkUrl(`http://${host}/`);
          expect(verdict, host).toMatchObject({ ok: false, code: 'address-not-public' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
