import { describe, expect, it } from 'vitest';
import { charsetParameter, contentKind, mimeEssence } from './content-kind.ts';

describe('contentKind', () => {
  it.each([
    ['text/html; charset=utf-8', null, 'html'],
    ['APPLICATION/XHTML+XML', null, 'html'],
    ['image/png', null, 'image'],
    ['image/svg+xml', null, 'image'],
    ['image/x-unknown', null, 'file'],
    ['text/plain', null, 'text'],
    ['application/vnd.api+json', null, 'text'],
    ['application/octet-stream', null, 'file'],
    ['application/pdf', null, 'file'],
    [null, null, 'file'],
    ['text/html', 'attachment; filename="page.html"', 'file'],
    ['text/html', 'inline', 'html'],
  ] as const)('%j with disposition %j → %s', (type, disposition, kind) => {
    expect(contentKind(type, disposition)).toBe(kind);
  });

  it('reads the essence and the charset', () => {
    expect(mimeEssence(' Text/HTML ; charset=UTF-8')).toBe('text/html');
    expect(mimeEssence('nonsense')).toBe('');
    expect(charsetParameter('text/html; charset="Shift_JIS"')).toBe('shift_jis');
    expect(charsetParameter('text/html;charset=windows-1251')).toBe('windows-1251');
    expect(charsetParameter('text/html')).toBeUndefined();
  });
});
