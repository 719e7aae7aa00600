import { describe, expect, it } from 'vitest';
import { formGetUrl, formMethod } from './form-submission.ts';

describe('formMethod', () => {
  it.each([
    [null, null, 'get'],
    ['POST', null, 'post'],
    ['post', 'get', 'get'],
    ['get', 'PoSt', 'post'],
    ['put', null, 'get'],
    ['post', 'bogus', 'post'],
    [' dialog ', null, 'dialog'],
  ] as const)('form %j, submitter %j → %s', (form, submitter, expected) => {
    expect(formMethod(form, submitter)).toBe(expected);
  });
});

describe('formGetUrl', () => {
  it.each([
    ['https://s.example/search', [['q', 'porch light']], 'https://s.example/search?q=porch+light'],
    ['https://s.example/search?old=1', [['q', 'a&b=c']], 'https://s.example/search?q=a%26b%3Dc'],
    ['https://s.example/search#top', [['q', 'x']], 'https://s.example/search?q=x#top'],
    ['https://s.example/s', [['q', 'été'], ['lang', 'fr']], 'https://s.example/s?q=%C3%A9t%C3%A9&lang=fr'],
    ['https://s.example/s', [['q', '1'], ['q', '2']], 'https://s.example/s?q=1&q=2'],
    ['https://s.example/s', [['upload', { name: 'notes.txt' }]], 'https://s.example/s?upload=notes.txt'],
    ['https://s.example/s?x=1', [], 'https://s.example/s?'],
    ['https://s.example/s', [['a+b', ' ~*']], 'https://s.example/s?a%2Bb=+%7E*'],
    // Wikipedia's search form: hidden lang and title first, in order.
    ['https://en.wikipedia.org/w/index.php', [['lang', 'en'], ['title', 'Special:Search'], ['search', 'porch'], ['fulltext', '1']], 'https://en.wikipedia.org/w/index.php?lang=en&title=Special%3ASearch&search=porch&fulltext=1'],
    // A textarea's line breaks go as CRLF, however they were typed.
    ['https://s.example/s', [['text', 'a\nb\rc\r\nd']], 'https://s.example/s?text=a%0D%0Ab%0D%0Ac%0D%0Ad'],
  ] as const)('%s with %j', (action, entries, expected) => {
    expect(formGetUrl(action, entries)).toBe(expected);
  });
});
