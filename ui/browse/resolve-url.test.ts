import { describe, expect, it } from 'vitest';
import { addressFromInput, fragmentOf, isSameDocument, resolveHttpUrl, withFragmentOf } from './resolve-url.ts';

describe('resolveHttpUrl', () => {
  const base = 'https://news.example/world/story.html?id=7';
  it.each([
    ['photo.jpg', 'https://news.example/world/photo.jpg'],
    ['/site.css', 'https://news.example/site.css'],
    ['../index.html', 'https://news.example/index.html'],
    ['//cdn.example/a.png', 'https://cdn.example/a.png'],
    ['?page=2', 'https://news.example/world/story.html?page=2'],
    ['#comments', 'https://news.example/world/story.html?id=7#comments'],
    ['', 'https://news.example/world/story.html?id=7'],
    ['  http://other.example/\n', 'http://other.example/'],
    ['HTTP://UPPER.example/', 'http://upper.example/'],
  ])('%j resolves against the response URL', (reference, expected) => {
    expect(resolveHttpUrl(reference, base)).toBe(expected);
  });

  it.each(['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>', 'blob:https://news.example/1', 'file:///etc/passwd', 'mailto:a@b', 'ftp://x/', 'http://[bad'])(
    '%j is refused',
    (reference) => {
      expect(resolveHttpUrl(reference, base)).toBeNull();
    },
  );
});

describe('addressFromInput', () => {
  it.each([
    ['example.org', 'https://example.org/'],
    ['example.org/news?q=1', 'https://example.org/news?q=1'],
    ['http://example.org', 'http://example.org/'],
    ['  https://example.org/a  ', 'https://example.org/a'],
    ['127.0.0.1:47615/site/index.html', 'https://127.0.0.1:47615/site/index.html'],
  ])('%j becomes %j', (input, expected) => {
    expect(addressFromInput(input)).toBe(expected);
  });

  it.each(['', '   ', 'javascript:alert(1)', 'data:text/html,hi', 'file:///etc/passwd', 'about:blank'])('%j is not a web address', (input) => {
    expect(addressFromInput(input)).toBeNull();
  });
});

describe('isSameDocument and fragmentOf', () => {
  it('tells a jump within the page from a navigation', () => {
    expect(isSameDocument('https://a.example/p#x', 'https://a.example/p')).toBe(true);
    expect(isSameDocument('https://a.example/p?q#x', 'https://a.example/p')).toBe(false);
  });

  it.each([
    ['https://a.example/p#caf%C3%A9', 'caf%C3%A9'],
    ['https://a.example/p#café', 'caf%C3%A9'],
    ['https://a.example/p#part-2', 'part-2'],
    ['https://a.example/p#', ''],
    ['https://a.example/p', null],
    ['not a url', null],
  ])('fragmentOf(%j) is %j', (url, fragment) => {
    expect(fragmentOf(url)).toBe(fragment);
  });

  it.each([
    ['https://a.example/final', 'https://a.example/asked#part', 'https://a.example/final#part'],
    ['https://a.example/final#own', 'https://a.example/asked#part', 'https://a.example/final#own'],
    ['https://a.example/final', 'https://a.example/asked', 'https://a.example/final'],
    ['https://a.example/final', 'https://a.example/asked#', 'https://a.example/final#'],
  ])('withFragmentOf(%j, %j) is %j', (url, requested, expected) => {
    expect(withFragmentOf(url, requested)).toBe(expected);
  });
});
