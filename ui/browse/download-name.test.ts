import { describe, expect, it } from 'vitest';
import { downloadName, maxFileNameChars, safeFileName } from './download-name.ts';

describe('downloadName', () => {
  it.each([
    [null, 'https://a.example/files/report.pdf', 'report.pdf'],
    [null, 'https://a.example/files/r%C3%A9sum%C3%A9.pdf?x=1', 'résumé.pdf'],
    ['attachment; filename="q3 results.xlsx"', 'https://a.example/dl?id=3', 'q3 results.xlsx'],
    ['attachment; filename=plain.txt', 'https://a.example/dl', 'plain.txt'],
    ["attachment; filename=\"fallback.txt\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt", 'https://a.example/dl', 'отчёт.txt'],
    ["attachment; filename*=iso-8859-1'en'%E9t%E9.txt", 'https://a.example/dl', 'été.txt'],
    ['attachment; filename="../../etc/passwd"', 'https://a.example/dl', '_.._etc_passwd'],
    ['attachment; filename=".bashrc"', 'https://a.example/dl', 'bashrc'],
    [null, 'https://a.example/', 'download.bin'],
  ])('%j for %s → %j', (disposition, url, expected) => {
    expect(downloadName(disposition, url, 'download.bin')).toBe(expected);
  });

  it('keeps names short and printable', () => {
    expect(safeFileName('a\u0000b\u001fc<d>e|f')).toBe('abc_d_e_f');
    expect(Array.from(safeFileName('ж'.repeat(500)))).toHaveLength(maxFileNameChars);
  });
});
