import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { utf8ToBytes } from './bytes.ts';

// RFC 4648 §10 test vectors.
const rfc4648 = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
] as const;

describe('base64', () => {
  it.each(rfc4648)('encodes and decodes "%s" as RFC 4648 does', (plain, encoded) => {
    expect(bytesToBase64(utf8ToBytes(plain))).toBe(encoded);
    expect(base64ToBytes(encoded)).toEqual(utf8ToBytes(plain));
  });

  it('round-trips every byte value and inputs longer than one chunk', () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
  });

  it.each(['Zg', 'Zg=', 'Z===', 'Zm9v\n', 'Zm-v', 'Zm_v', ' Zm9v'])('refuses %j', (text) => {
    expect(() => base64ToBytes(text)).toThrow(TypeError);
  });
});
