// Classifies IP literals as public internet addresses or as one of the ranges a donor must never
// reach: private networks, the donor's own machine, cloud metadata, and every special-purpose
// block in the IANA registries. IPv6 forms that carry an IPv4 address inside them (mapped,
// compatible, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry, so no wrapping of
// 192.168.1.1 sneaks past. Runs in the browser and in Node: no Node APIs.
import ipaddr from 'ipaddr.js';

/** Names of the non-public ranges, as they appear in policy messages and logs. */
export const ipRanges = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade-nat',
  reserved: 'reserved',
  documentation: 'documentation',
  benchmarking: 'benchmarking',
  ietfProtocol: 'ietf-protocol',
  uniqueLocal: 'unique-local',
  siteLocal: 'site-local',
  as112: 'as112',
  amt: 'amt',
  discard: 'discard',
  orchid: 'orchid',
  nat64Local: 'nat64-local',
  segmentRouting: 'segment-routing',
  ipv4Compatible: 'ipv4-compatible',
  scoped: 'scoped',
  cloudHost: 'cloud-host',
  invalid: 'invalid',
} as const;
export type IpRange = (typeof ipRanges)[keyof typeof ipRanges];

/** What a user reads after "… is": one phrase per range. */
export const ipRangeDescriptions: Readonly<Record<IpRange, string>> = {
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  loopback: "a loopback address (the donor's own computer)",
  private: 'a private network address',
  'link-local': 'a link-local address (the local network segment, including cloud metadata)',
  'carrier-grade-nat': "a carrier-grade NAT address (inside the donor's provider)",
  reserved: 'a reserved address',
  documentation: 'a documentation-only address',
  benchmarking: 'a benchmarking-only address',
  'ietf-protocol': 'an IETF protocol assignment',
  'unique-local': 'a unique-local (private) IPv6 address',
  'site-local': 'a site-local (private) IPv6 address',
  as112: 'an AS112 DNS sink address',
  amt: 'an AMT relay address',
  discard: 'a discard-only IPv6 address',
  orchid: 'an ORCHID identifier, not a routable address',
  'nat64-local': 'a local-use NAT64 address',
  'segment-routing': 'a segment-routing identifier',
  'ipv4-compatible': 'a deprecated IPv4-compatible IPv6 address',
  scoped: 'a scoped IPv6 address (it names a network interface)',
  'cloud-host': "a cloud provider's host or metadata endpoint (it trusts whoever runs on that machine)",
  invalid: 'not a valid IP address',
};

export type IpClass = { readonly public: true; readonly version: 4 | 6 } | { readonly public: false; readonly range: IpRange };

type Cidr<T> = readonly [T, number];
type V4Rule = readonly [Cidr<ipaddr.IPv4>, IpRange];
type V6Action = IpRange | 'embedded-low32' | 'six-to-four' | 'teredo' | 'compatible' | 'global-unicast';
type V6Rule = readonly [Cidr<ipaddr.IPv6>, V6Action];

const v4 = (cidr: string): Cidr<ipaddr.IPv4> => ipaddr.IPv4.parseCIDR(cidr);
const v6 = (cidr: string): Cidr<ipaddr.IPv6> => ipaddr.IPv6.parseCIDR(cidr);

// First match wins, so the narrow blocks come before the wide ones that contain them. Sources:
// the IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and updates).
const v4Rules: readonly V4Rule[] = [
  [v4('0.0.0.0/32'), 'unspecified'],
  [v4('0.0.0.0/8'), 'reserved'], // "this network": Linux connects 0.x to the local host
  [v4('10.0.0.0/8'), 'private'],
  [v4('100.64.0.0/10'), 'carrier-grade-nat'],
  [v4('127.0.0.0/8'), 'loopback'],
  [v4('169.254.0.0/16'), 'link-local'], // includes 169.254.169.254, the cloud metadata service
  [v4('172.16.0.0/12'), 'private'],
  // Public-looking addresses that a cloud answers only from its own machines, trusting the caller
  // by where it runs: a donor on such a machine must never reach them for a stranger.
  [v4('168.63.129.16/32'), 'cloud-host'], // Azure's host endpoint (WireServer, DNS, health probes)
  [v4('161.26.0.0/16'), 'cloud-host'], // IBM Cloud's private service network
  [v4('166.8.0.0/14'), 'cloud-host'], // IBM Cloud's private service endpoints
  [v4('192.0.0.0/24'), 'ietf-protocol'], // includes Oracle Cloud's 192.0.0.192 metadata endpoint
  [v4('192.0.2.0/24'), 'documentation'],
  [v4('192.31.196.0/24'), 'as112'],
  [v4('192.52.193.0/24'), 'amt'],
  [v4('192.88.99.0/24'), 'reserved'], // former 6to4 relay anycast (RFC 7526)
  [v4('192.168.0.0/16'), 'private'],
  [v4('192.175.48.0/24'), 'as112'],
  [v4('198.18.0.0/15'), 'benchmarking'],
  [v4('198.51.100.0/24'), 'documentation'],
  [v4('203.0.113.0/24'), 'documentation'],
  [v4('224.0.0.0/4'), 'multicast'],
  [v4('255.255.255.255/32'), 'broadcast'],
  [v4('240.0.0.0/4'), 'reserved'],
];

const v6Rules: readonly V6Rule[] = [
  [v6('::/128'), 'unspecified'],
  [v6('::1/128'), 'loopback'],
  [v6('::ffff:0:0/96'), 'embedded-low32'], // IPv4-mapped: the socket talks IPv4 to the low 32 bits
  [v6('::ffff:0:0:0/96'), 'embedded-low32'], // IPv4-translated (RFC 6145)
  [v6('64:ff9b::/96'), 'embedded-low32'], // NAT64 well-known prefix: the gateway dials the low 32 bits
  [v6('64:ff9b:1::/48'), 'nat64-local'], // local-use NAT64: the embedding position is site-chosen
  [v6('::/96'), 'compatible'], // deprecated IPv4-compatible form
  [v6('100::/64'), 'discard'],
  [v6('2001::/32'), 'teredo'],
  [v6('2001:2::/48'), 'benchmarking'],
  [v6('2001:3::/32'), 'amt'],
  [v6('2001:4:112::/48'), 'as112'],
  [v6('2001:10::/28'), 'orchid'],
  [v6('2001:20::/28'), 'orchid'],
  [v6('2001:db8::/32'), 'documentation'],
  [v6('2001::/23'), 'ietf-protocol'],
  [v6('2002::/16'), 'six-to-four'], // 6to4: bits 16..47 are the IPv4 address of the site
  [v6('2620:4f:8000::/48'), 'as112'],
  [v6('3fff::/20'), 'documentation'],
  [v6('5f00::/16'), 'segment-routing'],
  [v6('fc00::/7'), 'unique-local'],
  [v6('fe80::/10'), 'link-local'],
  [v6('fec0::/10'), 'site-local'],
  [v6('ff00::/8'), 'multicast'],
  [v6('2000::/3'), 'global-unicast'],
];

// Strict dotted-quad: no leading zeros, no short or hex forms. WHATWG URL already rewrites those
// to this form; anything else reaching here is ambiguous (is 010 octal?) and so not trusted.
const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const dottedQuad = new RegExp(`^${octet}(?:\\.${octet}){3}$`);

/** 4 or 6 when `ip` is a strict IPv4 dotted quad or an IPv6 literal (brackets allowed), else 0. */
export function ipVersion(ip: string): 0 | 4 | 6 {
  if (dottedQuad.test(ip)) return 4;
  return parseV6(ip) ? 6 : 0;
}

/** The canonical text of an IP literal (IPv4-mapped IPv6 becomes dotted quad), or null. */
export function canonicalIp(ip: string): string | null {
  if (dottedQuad.test(ip)) return ipaddr.IPv4.parse(ip).toString();
  const addr = parseV6(ip);
  if (!addr) return null;
  if (addr.isIPv4MappedAddress()) return addr.toIPv4Address().toString();
  return addr.toRFC5952String(); // keeps a zone id if there is one
}

/** Whether `ip` (a strict IPv4 dotted quad or IPv6 literal) is a public internet address, and if not, which range it is in. */
export function classifyIp(ip: string): IpClass {
  if (dottedQuad.test(ip)) return classifyV4(ipaddr.IPv4.parse(ip));
  const addr = parseV6(ip);
  if (!addr) return { public: false, range: 'invalid' };
  const verdict = classifyV6(addr);
  // A zone id names an interface of the donor's machine; public addresses never carry one.
  if (verdict.public && addr.zoneId !== undefined) return { public: false, range: 'scoped' };
  return verdict;
}

function parseV6(ip: string): ipaddr.IPv6 | null {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (!bare.includes(':')) return null;
  const zoneAt = bare.indexOf('%');
  const address = zoneAt === -1 ? bare : bare.slice(0, zoneAt);
  const zone = zoneAt === -1 ? '' : bare.slice(zoneAt);
  // ipaddr.js reads "::a.b.c.d" as IPv4-mapped (::ffff:a.b.c.d); RFC 4291 and WHATWG URL read it
  // as ::<hex>, so a trailing dotted quad is rewritten into two hex groups before parsing.
  const dotted = /^(.*:)([^:]*\.[^:]*)$/.exec(address);
  let hexOnly = address;
  if (dotted) {
    const [, head = '', quad = ''] = dotted;
    if (!dottedQuad.test(quad)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = quad.split('.').map(Number);
    hexOnly = `${head}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const candidate = hexOnly + zone;
  if (!ipaddr.IPv6.isValid(candidate)) return null;
  try {
    return ipaddr.IPv6.parse(candidate);
  } catch {
    return null;
  }
}

function classifyV4(addr: ipaddr.IPv4): IpClass {
  for (const [[net, bits], range] of v4Rules) if (addr.match(net, bits)) return { public: false, range };
  // Anything ipaddr.js knows as special that our table does not name is refused all the same.
  const known = addr.range();
  if (known !== 'unicast') return { public: false, range: 'reserved' };
  return { public: true, version: 4 };
}

function v4FromWords(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function classifyV6(addr: ipaddr.IPv6): IpClass {
  const rule = v6Rules.find(([[net, bits]]) => addr.match(net, bits));
  const action: V6Action = rule ? rule[1] : 'reserved'; // outside 2000::/3 is unallocated
  const p = addr.parts;
  switch (action) {
    case 'embedded-low32':
      return classifyV4(v4FromWords(p[6] ?? 0, p[7] ?? 0));
    case 'six-to-four':
      return classifyV4(v4FromWords(p[1] ?? 0, p[2] ?? 0));
    case 'compatible': {
      const inner = classifyV4(v4FromWords(p[6] ?? 0, p[7] ?? 0));
      return inner.public ? { public: false, range: 'ipv4-compatible' } : inner;
    }
    case 'teredo': {
      // Teredo: bits 32..63 are the server, the low 32 bits the client's IPv4 inverted (RFC 4380).
      const server = classifyV4(v4FromWords(p[2] ?? 0, p[3] ?? 0));
      if (!server.public) return server;
      return classifyV4(v4FromWords(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff));
    }
    case 'global-unicast': {
      const known = addr.range();
      if (known !== 'unicast') return { public: false, range: 'reserved' };
      return { public: true, version: 6 };
    }
    default:
      return { public: false, range: action };
  }
}
