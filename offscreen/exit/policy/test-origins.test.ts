// The build's list of test origins: what a test build may be told to allow, and what fails the build.
import { describe, expect, it } from 'vitest';
import { maxTestOrigins, parseTestOrigin, parseTestOriginList, parseTestOrigins } from './test-origins.ts';

describe('parseTestOrigin', () => {
  it.each([
    ['http://127.0.0.1:47615', 'http://127.0.0.1:47615', '127.0.0.1'],
    ['http://127.0.0.1:47615/', 'http://127.0.0.1:47615', '127.0.0.1'],
    ['https://127.0.0.2:8443', 'https://127.0.0.2:8443', '127.0.0.2'],
    ['http://[::1]:47810', 'http://[::1]:47810', '::1'],
  ])('accepts %s', (text, origin, ip) => {
    expect(parseTestOrigin(text)).toEqual({ origin, ip });
  });

  it.each([
    ['no port', 'http://127.0.0.1'],
    ["the scheme's default port, written out", 'http://127.0.0.1:80'],
    ['a host name', 'http://localhost:47615'],
    ['a .localhost name', 'http://news.localhost:47615'],
    ['a public name', 'http://example.com:47615'],
    ['a private address', 'http://10.0.0.1:47615'],
    ['a public address', 'http://93.184.215.14:47615'],
    ['a path', 'http://127.0.0.1:47615/site/'],
    ['a query', 'http://127.0.0.1:47615/?a=1'],
    ['credentials', 'http://user@127.0.0.1:47615'],
    ['another scheme', 'ws://127.0.0.1:47615'],
    ['not a URL', '127.0.0.1:47615'],
  ])('refuses %s (%s)', (_what, text) => {
    expect(() => parseTestOrigin(text)).toThrow(RangeError);
  });

  it('says what to write instead of localhost', () => {
    expect(() => parseTestOrigin('http://localhost:47615')).toThrow('write http://127.0.0.1:47615 instead');
  });
});

describe('parseTestOrigins', () => {
  it(`takes up to ${maxTestOrigins} origins, in order`, () => {
    const origins = ['http://127.0.0.1:47615', 'http://127.0.0.1:47617', 'http://127.0.0.1:47618', 'http://[::1]:47619'];
    expect(parseTestOrigins(origins).map((o) => o.origin)).toEqual(origins);
  });

  it('refuses more than the fixed maximum', () => {
    const five = [47615, 47616, 47617, 47618, 47619].map((port) => `http://127.0.0.1:${port}`);
    expect(() => parseTestOrigins(five)).toThrow(/at most 4/);
  });

  it('refuses an origin listed twice, however it is written', () => {
    expect(() => parseTestOrigins(['http://127.0.0.1:47615', 'http://127.0.0.1:47615/'])).toThrow(/listed twice/);
  });

  it('refuses a list with one bad entry', () => {
    expect(() => parseTestOrigins(['http://127.0.0.1:47615', 'http://192.168.1.1:47617'])).toThrow(RangeError);
  });

  it('refuses what is not a list', () => {
    expect(() => parseTestOrigins('http://127.0.0.1:47615' as unknown as string[])).toThrow(TypeError);
  });
});

describe('parseTestOriginList (the build setting)', () => {
  it('reads a comma-separated list, spaces allowed', () => {
    expect(parseTestOriginList('http://127.0.0.1:47615, http://127.0.0.1:47617', 'WXT_TEST_ORIGINS')).toEqual(['http://127.0.0.1:47615', 'http://127.0.0.1:47617']);
  });

  it('reads nothing as no origin at all (a production build)', () => {
    expect(parseTestOriginList('', 'WXT_TEST_ORIGINS')).toEqual([]);
    expect(parseTestOriginList('  ', 'WXT_TEST_ORIGINS')).toEqual([]);
  });

  it.each([
    'http://127.0.0.1:47615,',
    'http://127.0.0.1:47615,,http://127.0.0.1:47617',
    'http://127.0.0.1:47615;http://127.0.0.1:47617',
    'http://127.0.0.1:47615,http://localhost:47617',
    'http://127.0.0.1',
  ])('fails the build for %s, naming the setting', (text) => {
    expect(() => parseTestOriginList(text, 'WXT_TEST_ORIGINS')).toThrow(/^WXT_TEST_ORIGINS: /);
  });
});
