import { describe, expect, it } from 'vitest';
import { findCssUrls } from './css-rewrite.ts';
import { buildStylesheet, inertUrl, maxImportDepth, provisionalCss, type StylesheetLoader } from './stylesheets.ts';

/** A loader over tables of assets and stylesheets; blob URLs are fake and readable. */
function fakeLoader(sheets: Record<string, string>, assets: string[]) {
  const built: string[] = [];
  const asked: string[] = [];
  const loader: StylesheetLoader = {
    async blobUrl(url) {
      asked.push(url);
      return assets.includes(url) ? `blob:asset/${url}` : null;
    },
    async stylesheet(url) {
      asked.push(url);
      const css = sheets[url];
      return css === undefined ? null : { css, url };
    },
    cssBlobUrl(css) {
      built.push(css);
      return `blob:css/${built.length - 1}`;
    },
  };
  return { loader, built, asked };
}

describe('provisionalCss', () => {
  it('keeps local references, leaves imports out and makes every other reference inert', () => {
    const css = '@import "a.css"; a{background:url(x.png)} b{filter:url(#blur)} c{background:url(data:image/png;base64,AA)}';
    const out = provisionalCss(css);
    expect(out.startsWith(' a{')).toBe(true);
    expect(findCssUrls(out).map((r) => r.url)).toEqual([inertUrl, '#blur', 'data:image/png;base64,AA']);
  });
});

describe('buildStylesheet', () => {
  it('fetches assets against the sheet URL and inlines imports as blob: stylesheets', async () => {
    const { loader, built, asked } = fakeLoader(
      { 'https://s.example/css/print.css': '@font-face{src:url(../fonts/f.woff2)} p{background:url(p.png)}' },
      ['https://s.example/img/bg.png', 'https://s.example/fonts/f.woff2'],
    );
    const css = '@import url(print.css) print; body{background:url(../img/bg.png)} h1{background:url(../img/bg.png)} i{background:url(gone.png)}';
    const out = await buildStylesheet(css, 'https://s.example/css/site.css', loader);
    expect(out).toBe(
      '@import url("blob:css/0") print; body{background:url("blob:asset/https://s.example/img/bg.png")} h1{background:url("blob:asset/https://s.example/img/bg.png")} i{background:url("data:,")}',
    );
    expect(built[0]).toBe('@font-face{src:url("blob:asset/https://s.example/fonts/f.woff2")} p{background:url("data:,")}');
    // The repeated background is asked for once.
    expect(asked.filter((u) => u === 'https://s.example/img/bg.png')).toHaveLength(1);
  });

  it('leaves no reference that points at the network, whatever the sheet says', async () => {
    const { loader } = fakeLoader({}, []);
    const out = await buildStylesheet('@import "http://t.example/y.css" screen; @import url(javascript:x); a{b:url(javascript:alert(1))} c{d:url(http://t.example/x)}', 'https://s.example/', loader);
    // An unquoted url( with "(" inside is a bad URL token ending at the first ")", as in browsers.
    expect(out).toBe('  a{b:url("data:,"))} c{d:url("data:,")}');
  });

  it('stops following imports after the depth limit (and so breaks cycles)', async () => {
    const { loader, asked } = fakeLoader({ 'https://s.example/loop.css': '@import "loop.css"; a{color:red}' }, []);
    await buildStylesheet('@import "loop.css";', 'https://s.example/', loader);
    expect(asked.filter((u) => u === 'https://s.example/loop.css')).toHaveLength(maxImportDepth);
  });
});
