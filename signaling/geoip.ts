// Country of a connecting peer, from the embedded GeoIP database (geoip-country, GeoLite2).
// Loopback, private and other non-public addresses are 'ZZ' (unknown): they say nothing about
// where a donor's traffic will exit.
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { unknownCountry } from '../protocol/signaling-messages.ts';

/**
 * Maps a remote address to an ISO 3166-1 alpha-2 code or 'ZZ'. The upgrade request is passed too
 * so a test double can read a header; the production lookup never looks at it (a header is
 * whatever the peer wants it to be).
 */
export type LookupCountry = (ip: string, request: IncomingMessage) => string;

/** True for addresses routable on the public internet (IPv4-mapped IPv6 is judged as IPv4). */
export function isPublicAddress(ip: string): boolean {
  try {
    return ipaddr.process(ip).range() === 'unicast';
  } catch {
    return false;
  }
}

/** `value` when it is a two-letter uppercase code, else 'ZZ'. */
export function normalizeCountry(value: unknown): string {
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) ? value : unknownCountry;
}

type GeoipModule = { lookup(ip: string): unknown };

/**
 * The production lookup. The database (~8 MB) loads on first use, not at import, so servers
 * that inject their own lookup never pay for it.
 */
export function createGeoipLookup(): LookupCountry {
  let geoip: GeoipModule | undefined;
  return (ip) => {
    if (!isPublicAddress(ip)) return unknownCountry;
    // geoip-country is CommonJS without type declarations; its answer is checked below.
    geoip ??= createRequire(import.meta.url)('geoip-country') as GeoipModule;
    const found = geoip.lookup(ipaddr.process(ip).toString());
    return normalizeCountry(typeof found === 'object' && found !== null && 'country' in found ? found.country : undefined);
  };
}
