import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createGeoipLookup, isPublicAddress, normalizeCountry } from './geoip.ts';

const request = { headers: { 'x-test-country': 'FR' } } as unknown as IncomingMessage;

describe('geoip', () => {
  it.each([
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['10.1.2.3', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['not an ip', false],
    ['8.8.8.8', true],
    ['::ffff:8.8.8.8', true],
    ['2001:4860:4860::8888', true],
  ])('%s is public: %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it('places loopback and private peers in ZZ and never reads headers', () => {
    const lookup = createGeoipLookup();
    expect(lookup('127.0.0.1', request)).toBe('ZZ');
    expect(lookup('10.0.0.1', request)).toBe('ZZ');
  });

  it('finds a public address in the embedded database', () => {
    // Google's resolver has been registered in the US for as long as GeoLite2 has existed.
    expect(createGeoipLookup()('8.8.8.8', request)).toBe('US');
    expect(createGeoipLookup()('::ffff:8.8.8.8', request)).toBe('US');
  });

  it.each([['DE', 'DE'], ['de', 'ZZ'], ['', 'ZZ'], [undefined, 'ZZ'], [42, 'ZZ'], ['DEU', 'ZZ']])(
    'normalizes %j to %s',
    (input, expected) => {
      expect(normalizeCountry(input)).toBe(expected);
    },
  );
});
