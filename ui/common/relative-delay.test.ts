import { describe, expect, it } from 'vitest';
import { relativeDelay } from './relative-delay.ts';

const now = 1_700_000_000_000;

describe('relativeDelay', () => {
  it.each([
    [0, 'now'],
    [-5_000, 'now'],
    [1_000, 'in 1 second'],
    [29_200, 'in 30 seconds'],
    [90_000, 'in 90 seconds'],
    [91_000, 'in 2 minutes'],
    [10 * 60_000, 'in 10 minutes'],
  ])('%d ms ahead reads "%s"', (ahead, text) => {
    expect(relativeDelay(now + ahead, now, 'en')).toBe(text);
  });

  it('speaks the donor’s language', () => {
    expect(relativeDelay(now + 30_000, now, 'es')).toBe('dentro de 30 segundos');
  });
});
