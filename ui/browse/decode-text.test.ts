import { describe, expect, it } from 'vitest';
import { decodeText, detectCharset } from './decode-text.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('detectCharset', () => {
  it.each([
    ['text/html; charset=windows-1251', ascii('<html>'), 'windows-1251'],
    ['text/html; charset=bogus', ascii('<meta charset="shift_jis">'), 'shift_jis'],
    ['text/html', ascii('<!doctype html><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'), 'iso-8859-1'],
    ['text/html', ascii('<meta charset=utf-16le>'), 'utf-8'],
    ['text/html', new Uint8Array([0xef, 0xbb, 0xbf, 0x3c]), 'utf-8'],
    ['text/html; charset=windows-1252', new Uint8Array([0xff, 0xfe, 0x3c, 0x00]), 'utf-16le'],
    [null, ascii('<p>no declaration</p>'), 'utf-8'],
  ])('%j → %s', (type, head, expected) => {
    expect(detectCharset(type, head)).toBe(expected);
  });

  it('decodes with the label, UTF-8 when unknown', () => {
    expect(decodeText(new Uint8Array([0xcf, 0xf0, 0xe8]), 'windows-1251')).toBe('При');
    expect(decodeText(ascii('ok'), 'no-such-encoding')).toBe('ok');
  });
});
