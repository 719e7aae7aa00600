import { describe, expect, it } from 'vitest';
import { markupSigns, needsScripts, visibleTextChars } from './needs-scripts.ts';

describe('markupSigns', () => {
  it.each([
    ['a React shell', '<body><div id="root"></div><script src="/static/js/main.js"></script></body>', 1, true],
    ['a Next.js shell', '<div id="__next">\n  </div><script src="a.js"></script><script src="b.js"></script>', 2, true],
    ['an Angular shell', '<app-root></app-root><script type="module" src="main.js"></script>', 1, true],
    ['a Vue root, single quotes', "<div id='app' class='x'></div><script>start()</script>", 1, true],
    ['a root with content (server-rendered)', '<div id="root"><h1>News</h1></div><script src="a.js"></script>', 1, false],
    ['a different empty id', '<div id="rooted"></div><div id="spacer"></div>', 0, false],
    ['JSON and templates', '<script type="application/ld+json">{}</script><script type="text/template"></script><script type="importmap">{}</script>', 0, false],
    ['old-style JavaScript types', '<script type="text/javascript"></script><script language="javascript"></script><script type=module></script>', 3, false],
  ])('%s', (_, html, scripts, emptyAppRoot) => {
    expect(markupSigns(html)).toEqual({ scripts, emptyAppRoot });
  });
});

describe('needsScripts', () => {
  it.each([
    ['an empty app root with a noscript line', { scripts: 1, emptyAppRoot: true, textChars: 46 }, true],
    ['an empty body and one script', { scripts: 1, emptyAppRoot: false, textChars: 0 }, true],
    ['many scripts, a few words', { scripts: 8, emptyAppRoot: false, textChars: 30 }, true],
    ['an article with analytics scripts', { scripts: 12, emptyAppRoot: false, textChars: 1001 }, false],
    ['an app root, but a page of text around it', { scripts: 2, emptyAppRoot: true, textChars: 800 }, false],
    ['a short page with two scripts', { scripts: 2, emptyAppRoot: false, textChars: 60 }, false],
    ['a short page without scripts', { scripts: 0, emptyAppRoot: true, textChars: 0 }, false],
  ])('%s → %s', (_, signs, expected) => {
    expect(needsScripts(signs)).toBe(expected);
  });
});

// A minimal DOM: the walk needs only these properties.
interface FakeNode {
  nodeType: number;
  localName?: string;
  textContent?: string;
  firstChild: FakeNode | null;
  nextSibling: FakeNode | null;
}
const text = (value: string): FakeNode => ({ nodeType: 3, textContent: value, firstChild: null, nextSibling: null });
function element(localName: string, ...children: FakeNode[]): FakeNode {
  children.forEach((child, i) => (child.nextSibling = children[i + 1] ?? null));
  return { nodeType: 1, localName, firstChild: children[0] ?? null, nextSibling: null };
}

describe('visibleTextChars', () => {
  it('counts text with whitespace collapsed, and not styles', () => {
    const root = element('html', element('head', element('title', text('Title'))), element('body', element('style', text('body { color: red }')), element('p', text('  Hello,\n   world  ')), text('!')));
    expect(visibleTextChars(root as unknown as Element)).toBe('Hello, world'.length + 1);
  });

  it('counts an image as content', () => {
    const root = element('body', element('img'), element('script', text('track()')));
    expect(visibleTextChars(root as unknown as Element)).toBe(200);
  });

  it('stops counting past the cap', () => {
    const root = element('body', ...Array.from({ length: 500 }, () => element('p', text('some words here'))));
    expect(visibleTextChars(root as unknown as Element)).toBe(1001);
  });
});
