import { describe, expect, it } from 'vitest';
import { parseSrcset, pickSrcsetCandidate } from './srcset.ts';

describe('parseSrcset', () => {
  it.each([
    ['a.png', [{ url: 'a.png', density: 1 }]],
    ['a.png 1x, b.png 2x', [{ url: 'a.png', density: 1 }, { url: 'b.png', density: 2 }]],
    ['s.jpg 480w,m.jpg 800w , l.jpg 1200w', [{ url: 's.jpg', width: 480 }, { url: 'm.jpg', width: 800 }, { url: 'l.jpg', width: 1200 }]],
    ['data:image/png;base64,AAAA 1x', [{ url: 'data:image/png;base64,AAAA', density: 1 }]],
    ['a.png,, b.png 2x', [{ url: 'a.png', density: 1 }, { url: 'b.png', density: 2 }]],
    ['a.png 1q, b.png 2x', [{ url: 'b.png', density: 2 }]],
    ['a.png 100w 2x', []],
    ['', []],
  ])('%j', (value, expected) => {
    expect(parseSrcset(value)).toEqual(expected);
  });
});

describe('pickSrcsetCandidate', () => {
  const widths = parseSrcset('s.jpg 480w, m.jpg 800w, l.jpg 1200w');
  it.each([
    [{ devicePixelRatio: 1, width: 400 }, 's.jpg'],
    [{ devicePixelRatio: 1, width: 700 }, 'm.jpg'],
    [{ devicePixelRatio: 2, width: 500 }, 'l.jpg'],
    [{ devicePixelRatio: 3, width: 1000 }, 'l.jpg'],
  ])('by width: %j takes %s', (slot, url) => {
    expect(pickSrcsetCandidate(widths, slot)?.url).toBe(url);
  });

  it('by density: the smallest at least the device pixel ratio, else the largest', () => {
    const densities = parseSrcset('a.png 1x, b.png 2x');
    expect(pickSrcsetCandidate(densities, { devicePixelRatio: 1, width: 800 })?.url).toBe('a.png');
    expect(pickSrcsetCandidate(densities, { devicePixelRatio: 1.5, width: 800 })?.url).toBe('b.png');
    expect(pickSrcsetCandidate(densities, { devicePixelRatio: 3, width: 800 })?.url).toBe('b.png');
    expect(pickSrcsetCandidate([], { devicePixelRatio: 1, width: 800 })).toBeUndefined();
  });
});
