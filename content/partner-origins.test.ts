import { describe, expect, it } from 'vitest';
import { partnerMatchPatterns, partnerOrigins } from './partner-origins.ts';

describe('partnerMatchPatterns', () => {
  it('declares the bridge for exactly the listed origins', () => {
    expect(partnerMatchPatterns(['https://donate.example.org', 'https://xn--80ak6aa92e.example'])).toEqual(['https://donate.example.org/*', 'https://xn--80ak6aa92e.example/*']);
    expect(partnerMatchPatterns([])).toEqual([]);
  });

  // A typo must not widen the script to more sites than the one partner meant.
  it.each([
    ['every https site', 'https://*/*'],
    ['a wildcard subdomain', 'https://*.example.org'],
    ['plain http', 'http://donate.example.org'],
    ['a path', 'https://donate.example.org/campaign'],
    ['a trailing slash', 'https://donate.example.org/'],
    ['a port', 'https://donate.example.org:8443'],
    ['not a URL', 'donate.example.org'],
  ])('refuses %s (%s)', (_name, origin) => {
    expect(() => partnerMatchPatterns([origin])).toThrow(TypeError);
  });

  it('the shipped list is valid', () => {
    expect(() => partnerMatchPatterns(partnerOrigins)).not.toThrow();
  });
});
