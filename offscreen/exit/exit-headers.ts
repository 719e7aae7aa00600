// Header hygiene at the exit. Requests leave the donor's browser carrying only what the client
// means the site to see: no hop-by-hop framing from the client's side of the tunnel, nothing that
// names the client or the donor, no cookies. Responses go back without cookies the site tries to
// set and without framing that fetch has already undone. Runs in the browser and Node.

import { isHttpToken } from '../../protocol/http-syntax.ts';

export type HeaderPair = [string, string];

// RFC 9110 §5.5 field-value: no control characters except HTAB. CR/LF/NUL would split or end the
// header block (request smuggling); the other controls are refused by servers and proxies alike.
const invalidValuePattern = /[\u0000-\u0008\u000a-\u001f\u007f]/;

// Hop-by-hop: they describe one connection, and the client's connection ends at the tunnel.
const hopByHop: ReadonlyMap<string, string> = new Map([
  ['connection', 'names the hop-by-hop headers of one connection (RFC 9110 §7.6.1)'],
  ['keep-alive', 'tunes one connection, not the request (RFC 9112 appendix C.2.2)'],
  ['te', 'negotiates transfer codings for one hop (RFC 9110 §10.1.4)'],
  ['trailer', 'announces trailers of a chunked body fetch re-frames itself (RFC 9110 §6.6.2)'],
  ['transfer-encoding', 'framing of one hop; fetch frames the body itself (RFC 9112 §6.1)'],
  ['upgrade', 'protocol switch of one connection; the exit only does plain HTTP (RFC 9110 §7.8)'],
]);

// Request-only: set by fetch, or refused because they carry identity or steer the exit.
const requestOnly: ReadonlyMap<string, string> = new Map([
  ['host', 'fetch derives it from the URL; a different Host would reach a different site than the policy checked'],
  ['content-length', 'fetch computes it from the body; a wrong value desynchronises the connection'],
  ['expect', 'undici refuses 100-continue, and a client has no use for it through a tunnel'],
  ['cookie', "the donor never sends cookies; a client's cookies must not mix with the donor's jar"],
  ['cookie2', 'obsolete cookie header, same reason as cookie'],
  ['forwarded', "would name the client or a proxy chain; the site sees only the donor's IP (RFC 7239)"],
  ['via', 'would announce a proxy hop and identify the software'],
  ['x-real-ip', 'forwarding header naming a client address'],
  ['client-ip', 'forwarding header naming a client address'],
  ['true-client-ip', 'forwarding header naming a client address (Akamai, Cloudflare)'],
  ['cf-connecting-ip', 'forwarding header naming a client address (Cloudflare)'],
  ['x-client-ip', 'forwarding header naming a client address'],
  ['x-cluster-client-ip', 'forwarding header naming a client address'],
  ['fastly-client-ip', 'forwarding header naming a client address (Fastly)'],
  ['x-originating-ip', 'forwarding header naming a client address'],
]);

// Response-only: the site may not plant state in the client, and fetch has already decoded the body.
const responseOnly: ReadonlyMap<string, string> = new Map([
  ['set-cookie', 'the exit runs with credentials omitted; a cookie has no jar to live in'],
  ['set-cookie2', 'obsolete cookie header, same reason as set-cookie'],
  ['content-encoding', 'fetch has already decompressed the body, so the header would lie about it'],
  ['content-length', 'describes the encoded body fetch already decoded; the tunnel frames its own length'],
]);

/** A Content-Length the client may see: one decimal number of bytes. */
const contentLengthPattern = /^\d{1,15}$/;

// Prefix families: proxy-* headers talk to a proxy (RFC 9110 §11.7), x-forwarded-* name clients.
const requestPrefixes: readonly string[] = ['proxy-', 'x-forwarded-'];
const responsePrefixes: readonly string[] = ['proxy-'];

/** True when `name` is an RFC 9110 token, i.e. a well-formed header name. */
export function isValidHeaderName(name: string): boolean {
  return isHttpToken(name);
}

/** True when `value` holds no control characters other than horizontal tab. */
export function isValidHeaderValue(value: string): boolean {
  return !invalidValuePattern.test(value);
}

/** The client's request headers minus hop-by-hop, identifying and malformed ones, in order. */
export function sanitizeRequestHeaders(headers: readonly (readonly [string, string])[]): HeaderPair[] {
  return sanitize(headers, requestOnly, requestPrefixes);
}

/**
 * The site's response headers minus cookies, hop-by-hop, decoded-body framing and malformed ones, in
 * order. An unencoded body's Content-Length stays (it is then the length the client receives, and
 * what a download's progress needs); an encoded body's describes bytes fetch already decoded.
 */
export function sanitizeResponseHeaders(headers: readonly (readonly [string, string])[]): HeaderPair[] {
  const kept = sanitize(headers, responseOnly, responsePrefixes);
  const encodings = headers.filter(([name]) => typeof name === 'string' && name.toLowerCase() === 'content-encoding').map(([, value]) => String(value).trim().toLowerCase());
  const lengths = headers.filter(([name]) => typeof name === 'string' && name.toLowerCase() === 'content-length').map(([, value]) => String(value).trim());
  const unencoded = encodings.every((encoding) => encoding === '' || encoding === 'identity');
  if (unencoded && lengths.length === 1 && contentLengthPattern.test(lengths[0]!)) kept.push(['content-length', lengths[0]!]); // length checked just above
  return kept;
}

function sanitize(
  headers: readonly (readonly [string, string])[],
  dropped: ReadonlyMap<string, string>,
  prefixes: readonly string[],
): HeaderPair[] {
  const wellFormed = headers.filter(
    (pair): pair is readonly [string, string] =>
      Array.isArray(pair) &&
      typeof pair[0] === 'string' &&
      typeof pair[1] === 'string' &&
      isValidHeaderName(pair[0]) &&
      isValidHeaderValue(pair[1]),
  );
  // Connection may list further headers that only concern this hop; they go too (RFC 9110 §7.6.1).
  const listed = new Set<string>();
  for (const [name, value] of wellFormed) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) listed.add(token.trim().toLowerCase());
  }
  return wellFormed
    .filter(([name]) => {
      const lower = name.toLowerCase();
      if (hopByHop.has(lower) || dropped.has(lower) || listed.has(lower)) return false;
      return !prefixes.some((prefix) => lower.startsWith(prefix));
    })
    .map(([name, value]) => [name, value]);
}
