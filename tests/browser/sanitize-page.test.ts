// The browse view's sanitizer in real Chromium, against script and leak vectors: nothing that runs,
// loads or navigates survives; what the page needs comes back as tasks for the donor.
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumFlags, chromiumPath } from '../support/browser-harness.ts';
import type { FillStep, SanitizeReport } from '../support/sanitize-page-entry.ts';

const pageUrl = 'https://news.example/world/story.html';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../support/sanitize-page-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'silent',
  });
  browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumFlags] });
  page = await browser.newPage();
  // Any request at all is a failure of the sanitizer: it works in an inert document.
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url().startsWith('data:') || request.url() === 'about:blank') return void request.continue();
    leaks.push(request.url());
    void request.abort();
  });
  await page.setContent('<!doctype html><html><head><title>sanitizer</title></head><body></body></html>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const leaks: string[] = [];

function sanitize(html: string, head = ''): Promise<SanitizeReport> {
  return page.evaluate((h, u) => window.sanitizeForTest(h, u), `<!doctype html><html><head><title>T</title>${head}</head><body>${html}</body></html>`, pageUrl);
}

/** The HTML without the attributes the sanitizer wrote (links may point anywhere: they navigate through the donor). */
function withoutViewAttributes(html: string): string {
  return html.replace(/\sdata-porchlight-[a-z]+="[^"]*"/g, '');
}

describe('sanitizePage', () => {
  it.each([
    ['<img src=x onerror=alert(1)>'],
    ['<svg onload=alert(1)><script>alert(1)</script></svg>'],
    ['<body onload=alert(1)>'],
    ['<details open ontoggle=alert(1)>'],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
    ['<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'],
    ['<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>'],
    ['<svg><animate onbegin=alert(1) attributeName=x dur=1s>'],
    ['<template><img src=x onerror=alert(1)></template>'],
    ['<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
    ['<object data="https://evil.example/o"></object><embed src="https://evil.example/e">'],
    ['<meta http-equiv="refresh" content="0;url=https://evil.example/">'],
    ['<base href="https://evil.example/">'],
    ['<script src="https://evil.example/s.js"></script>'],
  ])('removes script and embedding: %s', async (html) => {
    const report = await sanitize(html);
    expect(report.html).not.toMatch(/<(script|iframe|object|embed|meta|base|template)\b/i);
    expect(report.html).not.toMatch(/\son[a-z]+=/i);
    expect(report.html).not.toContain('evil.example');
    expect(report.html).not.toMatch(/alert/);
  });

  it.each([
    ['<a href="javascript:alert(1)">x</a>'],
    ['<a href="JaVaScRiPt:alert(1)">x</a>'],
    ['<a href="&#106;avascript:alert(1)">x</a>'],
    ['<a href=" java\tscript:alert(1)">x</a>'],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>'],
    ['<svg><a xlink:href="javascript:alert(1)"><rect/></a></svg>'],
    ['<math href="javascript:alert(1)"><mi>x</mi></math>'],
    ['<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>'],
  ])('neutralises script URLs: %s', async (html) => {
    const report = await sanitize(html);
    expect(report.html).not.toMatch(/javascript|data:text/i);
    expect(report.html).not.toMatch(/\shref="(?!#")/);
  });

  it('moves link targets into data attributes, resolved against the page, and drops targets and pings', async () => {
    const report = await sanitize('<a id=a href="../sport/" target=_top ping="https://evil.example/p">Sport</a><a id=b href="#top">Top</a><a id=c href="file.pdf" download="notes.pdf">PDF</a><a id=d data-porchlight-href="https://evil.example/">Spoof</a>');
    expect(report.html).toContain('<a id="a" data-porchlight-href="https://news.example/sport/" href="#">Sport</a>');
    expect(report.html).toContain('<a id="b" data-porchlight-href="https://news.example/world/story.html#top" href="#">Top</a>');
    expect(report.html).toContain('<a id="c" data-porchlight-href="https://news.example/world/file.pdf" data-porchlight-download="notes.pdf" href="#">PDF</a>');
    expect(report.html).toContain('<a id="d">Spoof</a>');
    expect(report.html).not.toContain('evil.example');
  });

  it('keeps forms, moving their targets out of reach', async () => {
    const report = await sanitize('<form id=f action="search" method=get target=_blank><input name=q><button formaction="/other" formmethod=post formtarget=_top>Go</button></form><form id=g><input name=x></form>');
    expect(report.html).toContain('<form id="f" data-porchlight-action="https://news.example/world/search" data-porchlight-method="get">');
    expect(report.html).toContain('<button data-porchlight-formaction="https://news.example/other" data-porchlight-formmethod="post">Go</button>');
    expect(report.html).toContain('<form id="g" data-porchlight-action="https://news.example/world/story.html" data-porchlight-method="">');
    expect(report.html).not.toMatch(/\s(action|formaction|target|formtarget)=/);
  });

  it('turns every image source into a task for the donor, choosing one candidate', async () => {
    const report = await sanitize(
      [
        '<img id=plain src="a.png">',
        '<img id=set src="small.jpg" srcset="small.jpg 1x, big.jpg 2x">',
        '<img id=widths srcset="s.jpg 400w, m.jpg 900w, l.jpg 1600w" sizes="100vw">',
        '<picture><source type="image/x-unknown" srcset="u.img"><source media="(max-width: 10px)" srcset="tiny.webp"><source srcset="w.webp"><img id=pic src="fallback.jpg"></picture>',
        '<input type=image src="button.png">',
        '<video poster="poster.png" src="movie.mp4"><source src="s.mp4"><track src="t.vtt"></video>',
        '<svg><image href="https://img.example/i.png"/><image href="#local"/></svg>',
        '<img id=inline src="data:image/png;base64,iVBORw0KGgo=">',
        '<table background="https://evil.example/bg.png"><tr><td>x</td></tr></table>',
      ].join(''),
    );
    expect(report.images).toEqual([
      { tag: 'img', attribute: 'src', url: 'https://news.example/world/a.png' },
      { tag: 'img', attribute: 'src', url: 'https://news.example/world/small.jpg' },
      { tag: 'img', attribute: 'src', url: 'https://news.example/world/m.jpg' },
      { tag: 'img', attribute: 'src', url: 'https://news.example/world/w.webp' },
      { tag: 'input', attribute: 'src', url: 'https://news.example/world/button.png' },
      { tag: 'video', attribute: 'poster', url: 'https://news.example/world/poster.png' },
      { tag: 'image', attribute: 'href', url: 'https://img.example/i.png' },
    ]);
    expect(report.html).toContain('<img id="inline" src="data:image/png;base64,iVBORw0KGgo=">');
    expect(report.html).toContain('<image href="#local"></image>');
    expect(withoutViewAttributes(report.html)).not.toMatch(/\s(src|srcset|poster|background)="(?!data:)/);
    expect(report.html).not.toMatch(/<(source|track)\b/);
    expect(report.html).not.toContain('evil.example');
  });

  it('turns stylesheets into <style> tasks and leaves CSS that loads nothing until built', async () => {
    const report = await sanitize(
      '<link rel=stylesheet href="/css/site.css" media=screen><link rel="alternate stylesheet" href="alt.css"><link rel=preload href="https://evil.example/f.woff2"><link rel=icon href="https://evil.example/i.ico">' +
        '<style>@import "https://evil.example/x.css"; body{background:url(https://evil.example/b.png)}</style>' +
        '<div style="background-image:url(https://evil.example/d.png)">d</div>' +
        '<svg><rect fill="url(https://evil.example/p.svg#g)"/><rect fill="url(#g)"/></svg>',
    );
    expect(report.stylesheets).toEqual([
      { href: 'https://news.example/css/site.css', text: '' },
      { css: '@import "https://evil.example/x.css"; body{background:url(https://evil.example/b.png)}', text: ' body{background:url("data:,")}' },
    ]);
    expect(report.inlineStyles).toEqual([{ css: 'background-image:url(https://evil.example/d.png)', now: 'background-image:url("data:,")' }]);
    expect(report.html).toContain('<style media="screen"></style>');
    expect(report.html).toContain('<rect fill="url(#g)"></rect>');
    expect(report.html).not.toMatch(/<link\b/);
    expect(report.html.replace(/<style>@import[^<]*<\/style>/, '')).not.toContain('evil.example');
  });

  it.each([
    ['<base href="https://cdn.example/assets/">', 'https://cdn.example/assets/'],
    ['<base href="../assets/">', 'https://news.example/assets/'],
    ['<base href="/">', 'https://news.example/'],
    ['<base target="_blank"><base href="https://cdn.example/second/">', 'https://cdn.example/second/'],
    ['<base href="https://cdn.example/first/"><base href="https://evil.example/second/">', 'https://cdn.example/first/'],
    ['<base href="javascript:alert(1)//"><base href="https://evil.example/">', pageUrl],
    ['<base href="data:text/html,x/">', pageUrl],
    ['<base href="file:///etc/">', pageUrl],
    ['<base href="http://[bad">', pageUrl],
    ['', pageUrl],
  ])('resolves every address against the first <base href> when it is http(s): %s', async (head, base) => {
    const report = await sanitize(
      '<a id=l href="next.html">n</a><form id=f action="find"><button id=b formaction="other">go</button></form><form id=self></form>' +
        '<img src="a.png"><img srcset="b.png 1x, b2.png 2x"><svg><image href="c.png"/></svg><video poster="p.png"></video>' +
        '<style>.x{background:url(s.png)}</style><div style="background:url(d.png)">d</div>',
      `${head}<link rel=stylesheet href="site.css">`,
    );
    const at = (path: string) => new URL(path, base).href;
    expect(report.baseUrl).toBe(base);
    expect(report.html).not.toMatch(/<base\b/);
    expect(report.html).toContain(`data-porchlight-href="${at('next.html')}"`);
    expect(report.html).toContain(`data-porchlight-action="${at('find')}"`);
    expect(report.html).toContain(`data-porchlight-formaction="${at('other')}"`);
    // A form without an action submits to the page itself, whatever the base (HTML says so).
    expect(report.html).toContain(`<form id="self" data-porchlight-action="${pageUrl}"`);
    expect(report.images.map((task) => task.url)).toEqual([at('a.png'), at('b.png'), at('c.png'), at('p.png')]);
    expect(report.stylesheets.map((task) => task.href ?? task.css)).toEqual([at('site.css'), '.x{background:url(s.png)}']);
    expect(report.inlineStyles.map((task) => task.css)).toEqual(['background:url(d.png)']);
    expect(report.html).not.toContain('evil.example');
  });

  it('shows <noscript> content as ordinary content, sanitized like the rest', async () => {
    const report = await sanitize(
      '<noscript><p id=note>Turn on JavaScript, or read on.</p><img id=fallback src="lazy.jpg" alt="A photo"></noscript>' +
        '<noscript><script>alert(1)</script><img src=x onerror=alert(2)><p onclick=alert(3)>p</p><meta http-equiv=refresh content="0;url=https://evil.example/"><a href="javascript:alert(4)">j</a><iframe src="https://evil.example/f"></iframe><img src="https://evil.example/beacon.gif"></noscript>',
      '<noscript><link rel=stylesheet href="noscript.css"><style>.lazy{display:none}</style><meta http-equiv=refresh content="0;url=https://evil.example/"></noscript>',
    );
    expect(report.html).toContain('<p id="note">Turn on JavaScript, or read on.</p>');
    expect(report.html).toContain('<img id="fallback" alt="A photo">');
    expect(report.html).not.toMatch(/<(noscript|script|meta|iframe)\b/i);
    expect(report.html).not.toMatch(/\son[a-z]+=|alert|evil\.example/i);
    expect(report.images.map((task) => task.url)).toEqual(['https://news.example/world/lazy.jpg', 'https://news.example/world/x', 'https://evil.example/beacon.gif']);
    expect(report.stylesheets.map((task) => task.href ?? task.css)).toEqual(['https://news.example/world/noscript.css', '.lazy{display:none}']);
  });

  it('keeps the names and ids DOM-clobbering protection takes off aside, out of the document', async () => {
    const report = await sanitize('<form id=f><input type=hidden name=lang value=en><input name=title><input name=q><button name=submit value=1>Go</button></form><h2 id=title>T</h2><a name=forms>a</a>');
    expect(report.html).toContain('<input type="hidden" value="en" data-porchlight-name="lang">');
    expect(report.html).toContain('<input data-porchlight-name="title">');
    expect(report.html).toContain('<input name="q">');
    expect(report.html).toContain('<button value="1" data-porchlight-name="submit">Go</button>');
    expect(report.html).toContain('<h2 data-porchlight-id="title">T</h2>');
    expect(report.html).toContain('<a data-porchlight-name="forms">a</a>');
    expect(report.html).not.toMatch(/\s(name|id)="(lang|title|submit|forms)"/);
  });

  // Wikipedia's search form, and one with every kind of control and names that collide with DOM properties.
  const wikipedia =
    '<form id=search action="/w/index.php"><input type=hidden name=lang value=en><input type=hidden name=title value="Special:Search">' +
    '<input id=q type=search name=search><input type=hidden name=go value=Go><button id=full name=fulltext value=1>Search pages</button><button id=go>Go</button></form>';
  const everything =
    '<form id=all action="find?old=1#results"><input name=action value=a><input name=method value=m><input name=submit value=s>' +
    '<input name=id value=i><input name=elements value=e><input id=box type=checkbox name=box><input type=checkbox name=box value=two checked>' +
    '<input type=radio name=r value=x><input id=ry type=radio name=r value=y><select id=sel name=pick><option>one</option><option>two</option></select>' +
    '<select id=multi name=many multiple><option>a</option><option disabled selected>b</option><option>c</option></select>' +
    '<textarea id=area name=text>line</textarea><input name=off disabled value=no><fieldset disabled><input name=fs value=no></fieldset>' +
    '<input name=dir dirname=dir.dir value=x><input type=hidden name=_charset_><input name="" value=nameless><input value=unnamed>' +
    '<datalist><input name=listed value=no></datalist><input type=file name=upload><button id=first name=submit value=first>1</button><button id=second name=lang value=second>2</button></form>' +
    '<input form=all name=outside value=o>';
  it.each<[string, string, string, string | null, FillStep[]]>([
    ['Wikipedia search, button clicked', wikipedia, 'search', 'full', [{ id: 'q', value: 'porch light' }]],
    ['Wikipedia search, Enter', wikipedia, 'search', null, [{ id: 'q', value: 'café & co' }]],
    ['every control', everything, 'all', 'second', [{ id: 'box', checked: true }, { id: 'ry', checked: true }, { id: 'sel', selected: [1] }, { id: 'multi', selected: [0, 1, 2] }, { id: 'area', value: 'two\nlines' }]],
    ['every control, other button', everything, 'all', 'first', []],
    ['with a base', `<base href="https://cdn.example/x/">${wikipedia}`, 'search', 'go', [{ id: 'q', value: 'b' }]],
  ])('a GET form submits what the browser would: %s', async (_name, html, formId, submitterId, fill) => {
    const urls = await page.evaluate((h, u, f, b, s) => window.submitForTest(h, u, f, b, s), `<!doctype html><html><head></head><body>${html}</body></html>`, pageUrl, formId, submitterId, fill);
    expect(urls.view).toBe(urls.browser);
  });

  it('reads the title and sanitizes without a single request', async () => {
    const report = await page.evaluate(
      (u) => window.sanitizeForTest('<!doctype html><html lang=fr dir=ltr><head><title>  Le   monde </title><link rel=stylesheet href=a.css></head><body><img src=b.png><video src=c.mp4 autoplay></video></body></html>', u),
      pageUrl,
    );
    expect(report.title).toBe('Le monde');
    expect(report.html).toMatch(/^<html lang="fr" dir="ltr">/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(leaks).toEqual([]);
  });
});
