// The donor's exit policy: which requests a donor's browser will perform for a remote client.
// A donor lends an IP address, never their home network or their accounts, so every destination
// must be a public internet host on a web port, and plain-http requests stay read-only. Pure
// functions over WHATWG URL, ipaddr.js and the public suffix list: runs in the browser and Node.
import { sha256 } from '@noble/hashes/sha2.js';
import { parse as parseDomain } from 'tldts';
import { bytesToHex, utf8ToBytes } from '../../../protocol/bytes.ts';
import { isHttpToken } from '../../../protocol/http-syntax.ts';
import { canonicalIp, classifyIp, ipRangeDescriptions, ipVersion } from './ip-ranges.ts';
import { policyCodes, type PolicyCode } from '../../../protocol/policy-codes.ts';
import { parseTestOrigins } from './test-origins.ts';

export type PolicyVerdict =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly code: PolicyCode; readonly message: string };
export type PolicyRefusal = Extract<PolicyVerdict, { ok: false }>;

/** Bump when the rules change, so donor listings advertise a different digest. */
export const exitPolicyVersion = 2;
export const defaultHttpPort = 80;
export const defaultHttpsPort = 443;
/** The only ports a donor may add; everything else is a service, not a website. */
export const optionalPorts: readonly number[] = [8080, 8443];
export const allowedMethods: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Methods that may go over plain http: a DNS-rebound host cannot be made to change state. */
export const plainHttpMethods: readonly string[] = ['GET', 'HEAD'];

// Suffixes that name local, private, test or non-DNS namespaces (RFC 6761, RFC 6762, RFC 8375,
// RFC 7686, ICANN's .internal, common router defaults). Several are ICANN suffixes in the public
// suffix list (.arpa, .home.arpa, .onion), so the list check alone would let them through.
export const refusedNameSuffixes: readonly string[] = [
  'localhost',
  'localdomain',
  'local',
  'lan',
  'home',
  'internal',
  'arpa',
  'corp',
  'intranet',
  'private',
  'onion',
  'test',
  'invalid',
  'example',
  'alt',
];

/**
 * Public names that never mean a public website for a donor: a home router's own name (its DNS
 * answers with its LAN address), cloud metadata services at public addresses that trust the caller
 * by where it runs, and public domains whose every name resolves to loopback. Each also refuses its
 * subdomains. A DNS check (Firefox) would catch most of them; on Chrome, which has no DNS API, this
 * list is what stops the request before it is sent.
 */
export const refusedHostnames: readonly string[] = [
  // home routers and range extenders (AVM, Netgear, TP-Link, ASUS, Xiaomi, Linksys, Huawei)
  'fritz.box',
  'routerlogin.net',
  'routerlogin.com',
  'orbilogin.com',
  'orbilogin.net',
  'mywifiext.net',
  'mywifiext.com',
  'tplinkwifi.net',
  'tplinklogin.net',
  'tplinkmodem.net',
  'tplinkrepeater.net',
  'tplinkap.net',
  'router.asus.com',
  'repeater.asus.com',
  'asusrouter.com',
  'miwifi.com',
  'myrouter.local',
  'linksyssmartwifi.com',
  'mediarouter.home',
  // cloud metadata at public addresses or public names
  'metadata.platformequinix.com',
  'metadata.packet.net',
  'metadata.tencentyun.com',
  // public domains whose names all resolve to loopback
  'localtest.me',
  'lvh.me',
  'vcap.me',
  'fuf.me',
  'localhost.direct',
  'lacolhost.com',
  'yoogle.com',
];

/**
 * Wildcard DNS services that answer with the address written in the name (`192.168.1.1.nip.io`,
 * `10-0-0-1.sslip.io`): a name under one of them is refused when the address it spells is not public.
 */
export const addressEchoDomains: readonly string[] = ['nip.io', 'sslip.io', 'xip.io', 'nip.direct', 'traefik.me', 'localtls.com'];

export interface ExitPolicyOptions {
  /** Ports to allow besides 80 (http) and 443 (https); only 8080 and 8443. */
  readonly extraPorts?: readonly number[];
  /** Whether plain-http GET/HEAD is allowed at all. Default true. */
  readonly allowPlainHttp?: boolean;
  /** Test builds only: one exact loopback origin (scheme, IP literal host, port) to allow. */
  readonly testOrigin?: string;
  /** Test builds only: more such origins (test-origins.ts; with `testOrigin`, at most `maxTestOrigins` in all). */
  readonly testOrigins?: readonly string[];
}

export interface PolicyRequest {
  readonly method: string;
  readonly url: string | URL;
  readonly headers?: Iterable<readonly [string, string]>;
}

export interface ExitPolicy {
  /** Checks a client's request: method, destination and plain-http rules. Never throws. */
  checkRequest(request: PolicyRequest): PolicyVerdict;
  /** Checks a destination alone (scheme, credentials, port, host). Never throws. */
  checkUrl(url: string | URL): PolicyVerdict;
  /** Checks a redirect hop: resolves `location` against `fromUrl` and checks it for `method`. Never throws. */
  checkRedirect(fromUrl: URL, location: string, method: string): PolicyVerdict;
  /** Checks the address `url`'s host resolved or connected to (DNS-rebinding defence). Never throws. */
  checkAddress(ip: string, url: URL): PolicyVerdict;
  /** Hex sha256 of the effective rules, for donor listings. */
  digest(): string;
}

/** A refusal as an error, for code that must throw (a fetch wrapper). A TypeError, like every fetch network error. */
export class ExitPolicyError extends TypeError {
  readonly code: PolicyCode;
  constructor(refusal: PolicyRefusal) {
    super(refusal.message);
    this.name = 'ExitPolicyError';
    this.code = refusal.code;
  }
}

/** Finds an ExitPolicyError in `error` or its chain of causes (fetch wraps connect errors). */
export function findExitPolicyError(error: unknown): ExitPolicyError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current instanceof ExitPolicyError) return current;
    current = current.cause;
  }
  return null;
}

const maxEchoChars = 80;

/**
 * Builds the exit policy for one donor.
 * @throws {RangeError} when `extraPorts` holds a port other than 8080/8443, or a test origin is not
 *   an http(s) origin whose host is a loopback IP literal with an explicit port (or one is listed
 *   twice, or there are more than `maxTestOrigins`).
 * @throws {TypeError} when an option has the wrong type.
 */
export function createExitPolicy(options: ExitPolicyOptions = {}): ExitPolicy {
  const extraPorts = parseExtraPorts(options.extraPorts);
  const allowPlainHttp = options.allowPlainHttp ?? true;
  if (typeof allowPlainHttp !== 'boolean') throw new TypeError('allowPlainHttp: expected a boolean');
  if (options.testOrigins !== undefined && !Array.isArray(options.testOrigins)) throw new TypeError('testOrigins: expected an array of origins');
  const tests = parseTestOrigins([...(options.testOrigin === undefined ? [] : [options.testOrigin]), ...(options.testOrigins ?? [])]);
  const portsFor = {
    'http:': [defaultHttpPort, ...extraPorts],
    'https:': [defaultHttpsPort, ...extraPorts],
  } as const;
  // Exact origins only: the same loopback host on another port is not a test origin.
  const testOriginOf = (url: URL) => tests.find((test) => test.origin === url.origin);
  const isTestOrigin = (url: URL): boolean => testOriginOf(url) !== undefined;

  function checkUrl(input: string | URL): PolicyVerdict {
    let url: URL;
    try {
      // Re-parse even a URL object: the caller may mutate theirs, and we hand back our own copy.
      url = new URL(typeof input === 'string' ? input : input.href);
    } catch {
      return refuse('malformed-url', `The donor could not read "${echo(String(input))}" as a web address.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return refuse('scheme-not-allowed', `The donor only fetches http:// and https:// addresses, not ${echo(url.protocol)}.`);
    }
    if (url.username !== '' || url.password !== '') {
      return refuse(
        'credentials-in-url',
        'The donor does not fetch addresses with a user name or password in them; remove the "user:pass@" part.',
      );
    }
    if (isTestOrigin(url)) return { ok: true, url };
    if (url.protocol === 'http:' && !allowPlainHttp) {
      return refuse('scheme-not-allowed', 'The donor only fetches https:// addresses (plain http is turned off); try the https:// version of the page.');
    }
    const port = url.port === '' ? (url.protocol === 'http:' ? defaultHttpPort : defaultHttpsPort) : Number(url.port);
    const allowed: readonly number[] = portsFor[url.protocol];
    if (!allowed.includes(port)) {
      return refuse(
        'port-not-allowed',
        `The donor only fetches ${url.protocol.slice(0, -1)} on port ${allowed.join(' or ')}; this address asks for port ${port}.`,
      );
    }
    const hostRefusal = checkHost(url.hostname);
    return hostRefusal ?? { ok: true, url };
  }

  function checkMethod(method: unknown): PolicyRefusal | null {
    if (typeof method !== 'string' || !isHttpToken(method) || !allowedMethods.includes(method)) {
      return refuse(
        'method-not-allowed',
        `The donor only performs ${allowedMethods.join(', ')} requests, not ${echo(String(method))}.`,
      );
    }
    return null;
  }

  function checkPlainHttp(url: URL, method: string, hasAuthorization: boolean): PolicyRefusal | null {
    // The test origin is a loopback IP literal: nothing can rebind it, so the rule has no work there.
    if (url.protocol !== 'http:' || isTestOrigin(url)) return null;
    if (!plainHttpMethods.includes(method)) {
      return refuse(
        'plain-http-method',
        `The donor only sends GET and HEAD over plain http; ${method} needs an https:// address.`,
      );
    }
    if (hasAuthorization) {
      return refuse(
        'plain-http-authorization',
        'The donor does not send an Authorization header over plain http; use the https:// address.',
      );
    }
    return null;
  }

  function checkRequest(request: PolicyRequest): PolicyVerdict {
    try {
      const methodRefusal = checkMethod(request.method);
      if (methodRefusal) return methodRefusal;
      const verdict = checkUrl(request.url);
      if (!verdict.ok) return verdict;
      let hasAuthorization = false;
      for (const [name] of request.headers ?? []) {
        if (typeof name === 'string' && name.toLowerCase() === 'authorization') hasAuthorization = true;
      }
      return checkPlainHttp(verdict.url, request.method, hasAuthorization) ?? verdict;
    } catch {
      // Only a hostile shape gets here (headers that are not pairs, getters that throw).
      return refuse('malformed-request', 'The donor could not read this request.');
    }
  }

  function checkRedirect(fromUrl: URL, location: string, method: string): PolicyVerdict {
    try {
      let target: URL;
      try {
        target = new URL(location, fromUrl.href);
      } catch {
        return refuse('malformed-url', `The site redirected to "${echo(location)}", which is not a web address.`);
      }
      const methodRefusal = checkMethod(method);
      if (methodRefusal) return methodRefusal;
      const verdict = checkUrl(target);
      if (!verdict.ok) return verdict;
      if (fromUrl.protocol === 'https:' && verdict.url.protocol === 'http:' && !plainHttpMethods.includes(method)) {
        if (!isTestOrigin(verdict.url)) {
          return refuse(
            'redirect-not-allowed',
            `The site redirected a ${method} request from https to plain http; the donor does not follow that downgrade.`,
          );
        }
      }
      return checkPlainHttp(verdict.url, method, false) ?? verdict;
    } catch {
      return refuse('malformed-request', 'The donor could not read this redirect.');
    }
  }

  function checkAddress(ip: string, url: URL): PolicyVerdict {
    try {
      const test = testOriginOf(url);
      if (test !== undefined && canonicalIp(ip) === test.ip) return { ok: true, url };
      const found = classifyIp(ip);
      if (found.public) return { ok: true, url };
      return refuse(
        'address-not-public',
        `The donor only connects to public internet addresses; ${echo(url.hostname)} led to ${echo(ip)}, ${ipRangeDescriptions[found.range]}.`,
      );
    } catch {
      return refuse('malformed-request', 'The donor could not check the address of this request.');
    }
  }

  const description = [
    `porchlight/exit-policy/v${exitPolicyVersion}`,
    `http=${portsFor['http:'].join(',')}`,
    `https=${portsFor['https:'].join(',')}`,
    `plain-http=${allowPlainHttp ? 'get-head' : 'off'}`,
    `test-origin=${tests.length === 0 ? 'none' : tests.map((test) => test.origin).join(',')}`,
  ].join(';');
  const digestHex = bytesToHex(sha256(utf8ToBytes(description)));

  return { checkRequest, checkUrl, checkRedirect, checkAddress, digest: () => digestHex };
}

function refuse(code: PolicyCode, message: string): PolicyRefusal {
  return { ok: false, code, message };
}

// Messages go back to the client; keep echoed input short and on one line.
function echo(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return flat.length > maxEchoChars ? `${flat.slice(0, maxEchoChars)}…` : flat;
}

function checkHost(hostname: string): PolicyRefusal | null {
  // WHATWG URL has already turned every numeric host form (0x7f.1, 2130706433, 0177.0.0.1, 127.1)
  // into a dotted quad and bracketed IPv6, so the literal check below sees what a socket would.
  if (hostname.startsWith('[') || ipVersion(hostname) === 4) {
    const found = classifyIp(hostname);
    if (found.public) return null;
    return refuse(
      'address-not-public',
      `The donor only fetches public internet addresses; ${echo(hostname)} is ${ipRangeDescriptions[found.range]}.`,
    );
  }
  // One trailing dot is the fully qualified form of the same name ("localhost." is localhost).
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === '' || name.split('.').some((label) => label === '')) {
    return refuse('hostname-not-public', `The donor could not read "${echo(hostname)}" as a host name.`);
  }
  if (!name.includes('.')) {
    return refuse(
      'hostname-not-public',
      `The donor only fetches public internet names; "${echo(name)}" is a single-label name that only means something inside a local network.`,
    );
  }
  const suffix = refusedNameSuffixes.find((s) => name === s || name.endsWith(`.${s}`));
  if (suffix !== undefined) {
    return refuse(
      'hostname-not-public',
      `The donor only fetches public internet names; ".${suffix}" names a local, private or reserved namespace.`,
    );
  }
  const known = refusedHostnames.find((h) => name === h || name.endsWith(`.${h}`));
  if (known !== undefined) {
    return refuse(
      'hostname-not-public',
      `The donor only fetches public websites; "${echo(known)}" names a device or service inside the donor's own network or machine.`,
    );
  }
  const echoed = echoedAddress(name);
  const echoedClass = echoed === null ? null : classifyIp(echoed);
  if (echoedClass !== null && !echoedClass.public) {
    return refuse(
      'hostname-not-public',
      `The donor only fetches public internet addresses; "${echo(name)}" is a name for ${echo(echoed ?? '')}, ${ipRangeDescriptions[echoedClass.range]}.`,
    );
  }
  // Private-domain entries (blogspot.com, github.io) are still public hosts; only the ICANN
  // section decides whether the name lives in public DNS at all.
  const parsed = parseDomain(name, { allowPrivateDomains: false, detectIp: true, validateHostname: true });
  if (parsed.isIp === true || parsed.isIcann !== true || parsed.domain === null) {
    return refuse(
      'hostname-not-public',
      `The donor only fetches names under a public top-level domain; "${echo(name)}" is not one.`,
    );
  }
  return null;
}

/**
 * The IPv4 address an address-echo name spells, or null: `a.b.c.d.<domain>`, `a-b-c-d.<domain>`,
 * `<prefix>-a-b-c-d.<domain>`, `<prefix>.a.b.c.d.<domain>` or 8 hex digits (`c0a80101.<domain>`).
 * A name that echoes something unreadable as an address is treated as 0.0.0.0 (refused).
 */
function echoedAddress(name: string): string | null {
  const domain = addressEchoDomains.find((d) => name.endsWith(`.${d}`));
  if (domain === undefined) return null;
  const labels = name.slice(0, -(domain.length + 1)).split('.');
  const dotted = labels.slice(-4).join('.');
  if (labels.length >= 4 && ipVersion(dotted) === 4) return dotted;
  const last = labels[labels.length - 1] ?? '';
  const dashed = last.split('-').slice(-4).join('.');
  if (ipVersion(dashed) === 4) return dashed;
  const hex = /(?:^|-)([0-9a-f]{8})$/.exec(last)?.[1];
  if (hex !== undefined) return (hex.match(/../g) ?? []).map((b) => parseInt(b, 16)).join('.');
  // IPv6 echoes (`--1.sslip.io`) and anything else these services resolve: nothing public to reach.
  return '0.0.0.0';
}

function parseExtraPorts(ports: readonly number[] | undefined): readonly number[] {
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) throw new TypeError('extraPorts: expected an array of port numbers');
  const chosen = new Set<number>();
  for (const port of ports) {
    if (!optionalPorts.includes(port)) {
      throw new RangeError(`extraPorts: expected only ${optionalPorts.join(' or ')}, got ${String(port)}`);
    }
    chosen.add(port);
  }
  return optionalPorts.filter((port) => chosen.has(port));
}
