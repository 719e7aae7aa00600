import { describe, expect, it } from 'vitest';
import { dataSizeParts } from './data-size.ts';

describe('dataSizeParts', () => {
  it.each([
    [0, 0, 'b'],
    [1023, 1023, 'b'],
    [1024, 1, 'kib'],
    [1536, 1.5, 'kib'],
    [5 * 1024 ** 2, 5, 'mib'],
    [1024 ** 3 - 1, (1024 ** 3 - 1) / 1024 ** 2, 'mib'],
    [3 * 1024 ** 3, 3, 'gib'],
    [2 * 1024 ** 4, 2, 'tib'],
  ] as const)('%d bytes is %d %s', (bytes, amount, unit) => {
    expect(dataSizeParts(bytes)).toEqual({ amount, unit });
  });
});
