import { describe, expect, it } from 'vitest';
import { cssString, findCssUrls, rewriteCssUrls } from './css-rewrite.ts';

describe('findCssUrls', () => {
  it.each([
    ['body { background: url(bg.png) }', [{ url: 'bg.png', kind: 'url' }]],
    ['a{background:url( "q uoted.png" )}', [{ url: 'q uoted.png', kind: 'url' }]],
    ["a{background:url('single.png')}", [{ url: 'single.png', kind: 'url' }]],
    ['a{background:URL(upper.png)}', [{ url: 'upper.png', kind: 'url' }]],
    ['a{background:\\75 rl(escaped-name.png)}', [{ url: 'escaped-name.png', kind: 'url' }]],
    ['a{background:url(sp\\ ace.png)}', [{ url: 'sp ace.png', kind: 'url' }]],
    ['a{background:url("\\2f abs.png")}', [{ url: '/abs.png', kind: 'url' }]],
    ['@import "base.css";', [{ url: 'base.css', kind: 'import' }]],
    ["@import url('print.css') print;", [{ url: 'print.css', kind: 'import' }]],
    ['@IMPORT url(x.css) layer(base) supports(display:grid);', [{ url: 'x.css', kind: 'import' }]],
    ['@font-face{font-family:F;src:local(F),url(f.woff2) format("woff2"),url(f.woff)}', [
      { url: 'f.woff2', kind: 'url' },
      { url: 'f.woff', kind: 'url' },
    ]],
    ['a{background-image:image-set("a.png" 1x, url(b.png) 2x)}', [
      { url: 'a.png', kind: 'image-set' },
      { url: 'b.png', kind: 'url' },
    ]],
    ['a{background-image:-webkit-image-set("w.png" 1x)}', [{ url: 'w.png', kind: 'image-set' }]],
    ['a{content:"url(not-a-url.png)"} /* url(comment.png) */', []],
    ['a{font-family:"x"; quotes:"«" "»"}', []],
    ['@namespace svg url(http://www.w3.org/2000/svg); a{b:url(c.png)}', [{ url: 'c.png', kind: 'url' }]],
    ['a{--x:url(custom.png); mask:myurl(no.png)}', [{ url: 'custom.png', kind: 'url' }]],
    ['a{filter:url(#shadow)}', [{ url: '#shadow', kind: 'url' }]],
    ['a{background:url(unterminated.png', [{ url: 'unterminated.png', kind: 'url' }]],
  ])('%s', (css, expected) => {
    expect(findCssUrls(css)).toEqual(expected);
  });
});

describe('rewriteCssUrls', () => {
  it('replaces each reference and keeps the rest byte for byte', () => {
    const css = '@import "a.css" screen;\n/* url(keep) */ body{background:#fff url( bg.png ) no-repeat;font:12px/1.5 "Noto Sans"}\na{b:image-set("x.png" 1x)}';
    const out = rewriteCssUrls(css, (ref) => `blob:test/${ref.kind}/${ref.url}`);
    expect(out).toBe(
      '@import "blob:test/import/a.css" screen;\n/* url(keep) */ body{background:#fff url("blob:test/url/bg.png") no-repeat;font:12px/1.5 "Noto Sans"}\na{b:image-set("blob:test/image-set/x.png" 1x)}',
    );
  });

  it('leaves nothing that still names the original address', () => {
    const css = 'a{background:url(http://tracker.example/p.gif)} b{background:u\\72l(http://tracker.example/q.gif)} @import url(http://tracker.example/s.css);';
    const out = rewriteCssUrls(css, () => 'data:,');
    expect(out).not.toContain('tracker.example');
    expect(findCssUrls(out).map((ref) => ref.url)).toEqual(['data:,', 'data:,', 'data:,']);
  });

  it('writes strings that cannot break out of their token', () => {
    expect(cssString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\a d"');
    const out = rewriteCssUrls('a{b:url(x)}', () => '") } body{color:red} a{b:url("');
    expect(findCssUrls(out)).toEqual([{ url: '") } body{color:red} a{b:url("', kind: 'url' }]);
  });

  it('drops a whole @import rule when told to, and nothing else', () => {
    const css = '@charset "utf-8";\n@import url(a.css) screen and (min-width: 1px);\n@import "b.css";\n@import url(c.css) layer(x)\n}body{background:url(d.png)}';
    const out = rewriteCssUrls(css, (ref) => (ref.kind === 'import' ? (ref.url === 'b.css' ? 'blob:b' : null) : null));
    expect(out).toBe('@charset "utf-8";\n\n@import "blob:b";\n}body{background:url("data:,")}');
  });
});
