import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, 'en', '0 ms'],
    [849.6, 'en', '850 ms'],
    [1420, 'en', '1.4 sec'],
    [12_345, 'en', '12 sec'],
    [1420, 'ru', '1,4 с'],
    [-5, 'en', '0 ms'],
  ])('%d ms in %s → %j', (ms, language, expected) => {
    expect(formatDuration(ms, language)).toBe(expected);
  });
});
