import { describe, expect, it } from 'vitest';
import { canonicalIp, classifyIp, ipRangeDescriptions, ipRanges, ipVersion, type IpRange } from './ip-ranges.ts';

// Examples from the IANA special-purpose registries (RFC 6890 and updates) and their RFCs.
const nonPublic: readonly (readonly [string, IpRange])[] = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'carrier-grade-nat'],
  ['100.127.255.254', 'carrier-grade-nat'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'ietf-protocol'],
  ['192.0.2.10', 'documentation'],
  ['192.31.196.1', 'as112'],
  ['192.52.193.1', 'amt'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['192.175.48.1', 'as112'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.7', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'orchid'],
  ['2001:20::1', 'orchid'],
  ['2001:100::1', 'ietf-protocol'],
  ['100::1', 'discard'],
  ['5f00::1', 'segment-routing'],
  ['64:ff9b:1::a00:1', 'nat64-local'],
  ['4000::1', 'reserved'], // outside 2000::/3, not allocated
  ['1::1', 'reserved'],
  // IPv4 carried inside IPv6 is judged by the IPv4 address.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:0:0', 'unspecified'],
  ['::ffff:0:c0a8:101', 'private'], // IPv4-translated, RFC 6145
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::c0a8:101', 'private'],
  ['2002:c0a8:0101::', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['::127.0.0.1', 'loopback'], // IPv4-compatible, deprecated
  ['::8.8.8.8', 'ipv4-compatible'],
  ['::c0a8:101', 'private'],
  // Teredo: server 65.54.227.120, client 192.168.1.1 inverted (3f57:fefe).
  ['2001:0:4136:e378:8000:63bf:3f57:fefe', 'private'],
  ['2001:0:a00:1:8000:63bf:3f57:fefe', 'private'], // server 10.0.0.1
  ['fe80::1%eth0', 'link-local'],
  ['2606:4700::1111%eth0', 'scoped'],
];

const invalid: readonly string[] = [
  '',
  'localhost',
  'example.com',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '0177.0.0.1',
  '010.0.0.1',
  '1.2.3.4.5',
  '256.0.0.1',
  ' 1.2.3.4',
  '::ffff:0x7f.1',
  ':::1',
  '[::1',
  'gggg::1',
];

const publicAddresses: readonly (readonly [string, 4 | 6])[] = [
  ['1.1.1.1', 4],
  ['8.8.8.8', 4],
  ['93.184.216.34', 4],
  ['100.63.255.255', 4], // just below CGNAT
  ['100.128.0.0', 4], // just above CGNAT
  ['172.15.255.255', 4],
  ['172.32.0.0', 4],
  ['192.0.3.1', 4],
  ['198.17.255.255', 4],
  ['198.20.0.0', 4],
  ['223.255.255.255', 4],
  ['2606:4700::1111', 6],
  ['[2606:4700::1111]', 6],
  ['2001:4860:4860::8888', 6],
  ['2a00:1450:4001:80b::200e', 6],
  ['::ffff:93.184.216.34', 4],
  ['64:ff9b::5db8:d822', 4], // NAT64 for 93.184.216.34: donors on IPv6-only mobile networks
  ['2002:5db8:d822::1', 4], // 6to4 of 93.184.216.34
  ['2001:0:4136:e378:8000:63bf:a247:27dd', 4], // Teredo, client 93.184.216.34
];

describe('classifyIp', () => {
  it.each(nonPublic)('%s is %s', (ip, range) => {
    expect(classifyIp(ip)).toEqual({ public: false, range });
  });

  it.each(invalid)('%j is not an IP literal, so not public', (text) => {
    expect(classifyIp(text)).toEqual({ public: false, range: 'invalid' });
    expect(ipVersion(text)).toBe(0);
  });

  it.each(publicAddresses)('%s is public', (ip, version) => {
    expect(classifyIp(ip).public).toBe(true);
    // Embedded forms report the family the traffic finally travels as.
    expect(classifyIp(ip)).toEqual({ public: true, version });
  });

  it('has a description for every range', () => {
    for (const range of Object.values(ipRanges)) expect(ipRangeDescriptions[range]).toMatch(/\w/);
  });
});

describe('ipVersion and canonicalIp', () => {
  it.each([
    ['8.8.8.8', 4, '8.8.8.8'],
    ['::1', 6, '::1'],
    ['[::1]', 6, '::1'],
    ['0:0:0:0:0:0:0:1', 6, '::1'],
    ['::ffff:127.0.0.1', 6, '127.0.0.1'],
    ['2001:DB8::1', 6, '2001:db8::1'],
    ['fe80::1%eth0', 6, 'fe80::1%eth0'],
  ] as const)('%s', (ip, version, canonical) => {
    expect(ipVersion(ip)).toBe(version);
    expect(canonicalIp(ip)).toBe(canonical);
  });

  it('has no canonical form for non-literals', () => {
    expect(canonicalIp('127.1')).toBeNull();
    expect(canonicalIp('example.com')).toBeNull();
  });
});

describe('embedded dotted quads', () => {
  // ::a.b.c.d is the IPv4-compatible form (::<hex>), not IPv4-mapped; WHATWG URL agrees.
  it('reads ::a.b.c.d the way WHATWG URL does', () => {
    expect(new URL('http://[::8.8.8.8]/').hostname).toBe('[::808:808]');
    expect(canonicalIp('::8.8.8.8')).toBe('::808:808');
    expect(classifyIp('::808:808')).toEqual(classifyIp('::8.8.8.8'));
  });
});
