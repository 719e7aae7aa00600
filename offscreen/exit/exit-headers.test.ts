import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidHeaderName, isValidHeaderValue, sanitizeRequestHeaders, sanitizeResponseHeaders } from './exit-headers.ts';

const names = (pairs: readonly (readonly [string, string])[]): string[] => pairs.map(([name]) => name.toLowerCase());

describe('sanitizeRequestHeaders', () => {
  it.each([
    'Connection',
    'Keep-Alive',
    'Proxy-Authorization',
    'Proxy-Connection',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'Upgrade',
    'Host',
    'Content-Length',
    'Expect',
    'Cookie',
    'Cookie2',
    'Forwarded',
    'Via',
    'X-Forwarded-For',
    'X-Forwarded-Host',
    'X-Forwarded-Proto',
    'X-Real-IP',
    'Client-IP',
    'True-Client-IP',
    'CF-Connecting-IP',
    'X-Client-IP',
    'X-Cluster-Client-IP',
    'Fastly-Client-IP',
    'X-Originating-IP',
  ])('drops %s', (name) => {
    expect(sanitizeRequestHeaders([[name, 'x'], ['Accept', 'text/html']])).toEqual([['Accept', 'text/html']]);
  });

  it('drops the headers Connection names, whatever their case', () => {
    const out = sanitizeRequestHeaders([
      ['Connection', 'close, X-Secret-Hop , x-other'],
      ['X-Secret-Hop', '1'],
      ['x-other', '2'],
      ['X-Kept', '3'],
    ]);
    expect(out).toEqual([['X-Kept', '3']]);
  });

  it('keeps what the client means the site to see, in order, duplicates included', () => {
    const input: [string, string][] = [
      ['Accept', 'text/html'],
      ['Accept-Language', 'de'],
      ['Authorization', 'Bearer t'],
      ['Content-Type', 'application/json'],
      ['If-None-Match', '"abc"'],
      ['User-Agent', 'Mozilla/5.0'],
      ['X-Custom', 'a'],
      ['X-Custom', 'b'],
      ['Referer', 'https://example.com/'],
      ['Range', 'bytes=0-99'],
      ['Accept', '\ttabbed value\t'],
    ];
    expect(sanitizeRequestHeaders(input)).toEqual(input);
  });

  it.each([
    ['', 'x'],
    ['Bad Name', 'x'],
    ['Bad:Name', 'x'],
    ['Näme', 'x'],
    ['X-Split', 'a\r\nInjected: 1'],
    ['X-Lf', 'a\nb'],
    ['X-Cr', 'a\rb'],
    ['X-Nul', 'a\u0000b'],
    ['X-Bell', 'a\u0007b'],
    ['X-Del', 'a\u007fb'],
  ])('drops malformed %j: %j', (name, value) => {
    expect(sanitizeRequestHeaders([[name, value], ['Accept', '*/*']])).toEqual([['Accept', '*/*']]);
  });

  it('ignores pairs that are not pairs of strings', () => {
    const hostile = [['Accept', 1], 'Accept: x', null, ['X-Ok', 'y']] as unknown as [string, string][];
    expect(sanitizeRequestHeaders(hostile)).toEqual([['X-Ok', 'y']]);
  });

  it('returns fresh pairs the caller may mutate', () => {
    const input: [string, string][] = [['Accept', '*/*']];
    const out = sanitizeRequestHeaders(input);
    out[0]![1] = 'changed'; // non-null: the line above kept exactly one header
    expect(input[0]![1]).toBe('*/*');
  });
});

describe('sanitizeResponseHeaders', () => {
  it.each([
    'Set-Cookie',
    'set-cookie2',
    'Connection',
    'Keep-Alive',
    'Proxy-Authenticate',
    'Transfer-Encoding',
    'Trailer',
    'Upgrade',
    'TE',
    'Content-Encoding',
    'Content-Length',
  ])('drops %s', (name) => {
    expect(sanitizeResponseHeaders([[name, 'x'], ['Content-Type', 'text/html']])).toEqual([['Content-Type', 'text/html']]);
  });

  it('keeps caching, type and security headers', () => {
    const input: [string, string][] = [
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Cache-Control', 'max-age=60'],
      ['ETag', '"abc"'],
      ['Location', '/next'],
      ['Content-Security-Policy', "default-src 'self'"],
      ['Strict-Transport-Security', 'max-age=63072000'],
      ['Vary', 'Accept-Encoding'],
      ['X-Forwarded-For', '203.0.113.9'],
    ];
    expect(sanitizeResponseHeaders(input)).toEqual(input);
  });

  it('drops the headers Connection names', () => {
    expect(names(sanitizeResponseHeaders([['Connection', 'X-Hop'], ['X-Hop', '1'], ['ETag', '"a"']]))).toEqual(['etag']);
  });

  it.each([
    ['an unencoded body', [['Content-Length', '52428800']], [['content-length', '52428800']]],
    ['an identity-encoded body', [['Content-Encoding', 'identity'], ['Content-Length', '10']], [['content-length', '10']]],
    ['a gzip body (fetch decoded it)', [['Content-Encoding', 'gzip'], ['Content-Length', '10']], []],
    ['two lengths', [['Content-Length', '10'], ['Content-Length', '11']], []],
    ['a malformed length', [['Content-Length', '10, 10']], []],
    ['a negative length', [['Content-Length', '-1']], []],
  ] as const)('keeps Content-Length only for %s', (_case, input, expected) => {
    expect(sanitizeResponseHeaders(input as unknown as [string, string][])).toEqual(expected);
  });
});

describe('properties', () => {
  it('never emits a header that fails validation or that the exit strips', () => {
    const stripped = /^(connection|keep-alive|te|trailer|transfer-encoding|upgrade|host|content-length|cookie|forwarded|via|x-real-ip|proxy-.*|x-forwarded-.*)$/i;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom('Host', 'Cookie', 'X-Forwarded-For', 'Proxy-X', 'Accept', 'TE'), fc.string()),
            fc.string({ unit: 'binary' }),
          ),
          { maxLength: 8 },
        ),
        (pairs) => {
          for (const [name, value] of sanitizeRequestHeaders(pairs)) {
            expect(isValidHeaderName(name)).toBe(true);
            expect(isValidHeaderValue(value)).toBe(true);
            expect(name).not.toMatch(stripped);
          }
        },
      ),
    );
  });
});
