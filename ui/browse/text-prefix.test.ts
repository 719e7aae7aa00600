import { describe, expect, it } from 'vitest';
import { textPrefix } from './text-prefix.ts';

describe('textPrefix', () => {
  it.each([
    ['short text, whole', 'hello', 100, 'hello'],
    ['ASCII, cut at the budget', 'a'.repeat(50), 10, 'a'.repeat(10)],
    ['two-byte letters, whole ones only', 'ёёёё', 5, 'ёё'],
    ['a surrogate pair is never split', 'a😀b', 4, 'a'],
    ['Persian', 'سلام', 4, 'سل'],
  ])('%s', (_, text, maxBytes, expected) => {
    expect(textPrefix(text, maxBytes)).toBe(expected);
  });
});
