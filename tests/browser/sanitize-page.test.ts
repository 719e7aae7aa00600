// The browse view's sanitizer in real Chromium, against script and leak vectors: nothing that runs,
// loads or navigates survives; what the page needs comes back as tasks for the donor.
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumFlags, chromiumPath } from '../support/browser-harness.ts';
import type { SanitizeReport } from '../support/sanitize-page-entry.ts';

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

function sanitize(html: string): Promise<SanitizeReport> {
  return page.evaluate((h, u) => window.sanitizeForTest(h, u), `<!doctype html><html><head><title>T</title></head><body>${html}</body></html>`, pageUrl);
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
