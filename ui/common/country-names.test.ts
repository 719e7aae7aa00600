import { describe, expect, it } from 'vitest';
import { countryNames } from './country-names.ts';

describe('countryNames', () => {
  it('names countries in the given language, sorted and without repeats', () => {
    expect(countryNames(['IR', 'DE', 'DE', 'BR'], 'en')).toEqual(['Brazil', 'Germany', 'Iran']);
    expect(countryNames(['DE'], 'es')).toEqual(['Alemania']);
    expect(countryNames(['DE'], 'ru')).toEqual(['Германия']);
  });

  it('has nothing to say about no countries', () => {
    expect(countryNames([], 'fa')).toEqual([]);
  });
});
