// The test site's fidelity pages, under /site/fidelity/: what a site means must survive the browse
// view. A page with <base href> whose every relative address (image, srcset, stylesheet, <style>
// and style url(), link, form) resolves against the base, and pages whose first base has a hostile
// scheme; a page whose <noscript> holds a note, a picture and a stylesheet, and hostile tries
// (script, handlers, meta refresh, a picture from a host the donor may not fetch); GET forms whose
// fields carry names that collide with DOM properties (Wikipedia's search form); a long page of
// fragments and a second one to jump into. Addresses only a wrong resolution would ask for are
// answered 404 and counted by test-site.ts like every /site/ request.
import type { ServerResponse } from 'node:http';
import { solidPng } from './solid-png.ts';

/** Where these pages live on the test site. */
export const fidelityPrefix = '/site/fidelity/';

/** Colours the pages' styles set, as getComputedStyle reports them. */
export const fidelityColours = { baseSheet: 'rgb(10, 120, 200)', noscriptSheet: 'rgb(160, 30, 90)', noscriptStyle: 'rgb(30, 90, 160)' } as const;

/** Sizes of the pictures, so a suite can tell which one arrived. */
export const fidelityPictures = {
  '/site/fidelity/assets/pic.png': { width: 48, height: 24 },
  '/site/fidelity/assets/pic-srcset.png': { width: 30, height: 30 },
  '/site/fidelity/assets/noscript.png': { width: 64, height: 16 },
  '/site/fidelity/assets/tall.png': { width: 40, height: 1200 },
} as const;

/** The relative addresses the base pages use. */
export const baseRelativeAddresses = ['pic.png', 'pic-srcset.png', 'base.css', 'bg.png', 'bg-inline.png', 'target.html', 'echo.html', 'assets/pic.png', 'assets/target.html'] as const;
/** Bases a wrong resolution would use (the page's own folder, the second base): nothing there may be asked for. */
export const wrongBases = ['/site/fidelity/base/', '/site/fidelity/wrong/'] as const;

/** The hostile schemes a first <base href> may carry: each must be ignored. */
export const hostileBaseSchemes = { javascript: 'javascript:void(0)//', data: 'data:text/html,x/', file: 'file:///etc/' } as const;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Wikipedia's search form as it ships: hidden `lang` and `title` first, a button with its own name. */
export const wikipediaForm = `<form id="wiki-search" action="echo.html">
  <input type="hidden" name="lang" value="en">
  <input type="hidden" name="title" value="Special:Search">
  <input id="wiki-q" type="search" name="search" placeholder="Search Wikipedia" aria-label="Search Wikipedia">
  <input type="hidden" name="go" value="Go">
  <button id="wiki-fulltext" type="submit" name="fulltext" value="1">Search pages</button>
</form>`;

/** A form with every kind of control, names colliding with DOM properties, and a control outside it. */
export const everyControlForm = `<form id="every" action="echo.html">
  <p><label>Action <input id="every-action" name="action" value="a"></label> <label>Method <input name="method" value="m"></label></p>
  <p><label><input id="every-box" type="checkbox" name="box"> box</label> <label><input type="checkbox" name="box" value="two" checked> two</label></p>
  <p><label><input type="radio" name="size" value="s" checked> small</label> <label><input id="every-large" type="radio" name="size" value="l"> large</label></p>
  <p><select id="every-pick" name="pick"><option>one</option><option>two</option></select>
  <select name="many" multiple><option selected>a</option><option disabled selected>b</option><option selected>c</option></select></p>
  <p><textarea id="every-text" name="text">first line</textarea></p>
  <p><input name="off" value="no" disabled><fieldset disabled><input name="fieldset" value="no"></fieldset></p>
  <p><button id="every-first" type="submit" name="submit" value="first">First</button> <button id="every-second" type="submit" name="title" value="second">Second</button></p>
</form>
<p><input form="every" name="outside" value="o" aria-label="Outside the form"></p>`;

function page(title: string, head: string, body: string): string {
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n${head}\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
}

// The page is in base/, its base one level up in assets/: only the base gets these right.
const basePage = page(
  'A page with a base',
  `<base href="../assets/">
<base href="/site/fidelity/wrong/">
<link rel="stylesheet" href="base.css">
<style>#base-bg { background-image: url(bg.png); inline-size: 40px; block-size: 10px; }</style>`,
  `<h1 id="base-heading">A page with a base</h1>
<p id="base-styled">Styled by a stylesheet found through the base.</p>
<p><img id="base-img" src="pic.png" alt="Found through the base"> <img id="base-srcset" srcset="pic-srcset.png 1x, pic-srcset.png 2x" alt="Chosen from a srcset"></p>
<div id="base-bg"></div>
<div id="base-inline" style="background-image: url('bg-inline.png'); inline-size: 40px; block-size: 10px"></div>
<p><a id="base-link" href="target.html">A link relative to the base</a></p>
<form id="base-form" action="echo.html"><input id="base-q" name="q" value="based" aria-label="Query"><button id="base-submit">Search</button></form>`,
);

function hostileBasePage(scheme: keyof typeof hostileBaseSchemes): string {
  return page(
    'A page with a hostile base',
    `<base href="${hostileBaseSchemes[scheme]}">\n<base href="/site/fidelity/wrong/">`,
    `<h1 id="hostile-base-heading">A page whose base is ${scheme}:</h1>
<p><img id="hostile-base-img" src="assets/pic.png" alt="Found against the page"></p>
<p><a id="hostile-base-link" href="assets/target.html">A link relative to the page</a></p>`,
  );
}

function noscriptPage(origin: string): string {
  const beacon = (name: string): string => `${origin}/site/beacon?x=${name}`;
  const ping = (name: string): string => `new Image().src='${beacon(name)}'`;
  // The same server under a name no donor fetches (not the test origin, and a loopback name):
  // only a direct load from the view would reach it.
  const far = `${origin.replace('127.0.0.1', 'localhost')}/site/beacon?x=noscript-far`;
  return page(
    'A page with noscript',
    `<noscript><link rel="stylesheet" href="assets/noscript.css"><style>#ns-styled { color: ${fidelityColours.noscriptStyle}; }</style></noscript>
<noscript><meta http-equiv="refresh" content="0; url=${beacon('noscript-head-refresh')}"></noscript>`,
    `<h1 id="ns-heading">A page with noscript</h1>
<noscript><p id="ns-note">This site works best with JavaScript. Here is the plain version.</p></noscript>
<p><img class="lazy" data-src="assets/noscript.png" alt=""><noscript><img id="ns-img" src="assets/noscript.png" alt="The picture lazy loading would show"></noscript></p>
<p id="ns-styled">Styled by a style inside noscript.</p>
<p id="ns-sheet">Styled by a stylesheet inside noscript.</p>
<noscript>
<script>${ping('noscript-script')}</script>
<img id="ns-onerror" src="missing.png" onerror="${ping('noscript-onerror')}" alt="">
<p id="ns-handler" onclick="${ping('noscript-onclick')}" onmouseover="${ping('noscript-onmouseover')}">A paragraph with handlers</p>
<meta http-equiv="refresh" content="0; url=${beacon('noscript-refresh')}">
<img id="ns-far" src="${far}" alt="">
<a id="ns-js" href="javascript:${ping('noscript-js-link')}">A javascript: link</a>
<iframe src="${beacon('noscript-iframe')}"></iframe>
<p title="</noscript><img src=x onerror=${ping('noscript-breakout')}>">Breakout</p>
</noscript>`,
  );
}

const formsPage = page('Forms', '', `<h1 id="forms-heading">Forms</h1>\n${wikipediaForm}\n${everyControlForm}`);

const spacer = (px: number): string => `<div style="block-size: ${px}px; background: linear-gradient(#eef, #fee)"></div>`;

const fragmentsPage = page(
  'Fragments',
  '<style>h2 { margin: 0; } a { display: block; }</style>',
  `<h1 id="fragments-heading">Fragments</h1>
<a id="to-part" href="#part-2">To part 2</a>
<a id="to-named" href="#named">To the named anchor</a>
<a id="to-title" href="#title">To a heading whose id collides with document.title</a>
<a id="to-cafe" href="#caf%C3%A9">To café</a>
<a id="to-other" href="fragments-other.html#part-2">To part 2 of the other page</a>
${spacer(2000)}
<h2 id="part-2">Part 2</h2>
<a id="bare" href="#">Back to the top (#)</a>
<a id="to-top" href="#top">Back to the top (#top)</a>
${spacer(1500)}
<p><a name="named">The named anchor</a></p>
${spacer(1500)}
<h2 id="title">The title heading</h2>
${spacer(1500)}
<h2 id="café">Café</h2>
${spacer(1500)}`,
);

// A tall picture with no size given sits above the target: it arrives after the first jump and
// pushes the target down. The page turns scroll anchoring off (some sites do), so only jumping
// again once it is in keeps the target in view, as browsers keep a fragment in view while loading.
const fragmentsOtherPage = page(
  'Fragments, the other page',
  '<style>html, body { overflow-anchor: none; }</style>',
  `<h1 id="other-heading">The other page</h1>
<p><img id="other-tall" src="assets/tall.png" alt="A tall picture"></p>
${spacer(1500)}
<h2 id="part-2" style="margin: 0">Part 2 of the other page</h2>
${spacer(2000)}`,
);

const targetPage = page('Found through the base', '', '<h1 id="target-heading">Found through the base</h1>');

function echoPage(search: string): string {
  return page('Echo', '', `<h1 id="echo-heading">What the form sent</h1>\n<pre id="echo-query">${escapeHtml(search)}</pre>`);
}

const pictures = new Map<string, Uint8Array>([
  ['/site/fidelity/assets/pic.png', solidPng(48, 24, [30, 160, 80])],
  ['/site/fidelity/assets/pic-srcset.png', solidPng(30, 30, [200, 160, 20])],
  ['/site/fidelity/assets/noscript.png', solidPng(64, 16, [90, 40, 160])],
  ['/site/fidelity/assets/tall.png', solidPng(40, 1200, [120, 120, 120])],
  ['/site/fidelity/assets/bg.png', solidPng(4, 4, [220, 60, 60])],
  ['/site/fidelity/assets/bg-inline.png', solidPng(4, 4, [60, 60, 220])],
]);

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length) });
  response.end(bytes);
}

/** Serves `url` (a path under {@link fidelityPrefix}) for the test site on `origin`. */
export function serveFidelityPage(response: ServerResponse, url: URL, origin: string): void {
  const html = (body: string): void => send(response, 200, 'text/html; charset=utf-8', body);
  const css = (body: string): void => send(response, 200, 'text/css; charset=utf-8', body);
  const picture = pictures.get(url.pathname);
  if (picture) return send(response, 200, 'image/png', picture);
  switch (url.pathname) {
    case '/site/fidelity/base/page.html':
      return html(basePage);
    case '/site/fidelity/hostile-base.html': {
      const scheme = url.searchParams.get('scheme') ?? 'javascript';
      return scheme in hostileBaseSchemes ? html(hostileBasePage(scheme as keyof typeof hostileBaseSchemes)) : send(response, 404, 'text/plain', 'no such scheme\n');
    }
    case '/site/fidelity/noscript.html':
      return html(noscriptPage(origin));
    case '/site/fidelity/forms.html':
      return html(formsPage);
    case '/site/fidelity/fragments.html':
      return html(fragmentsPage);
    case '/site/fidelity/fragments-other.html':
      return html(fragmentsOtherPage);
    case '/site/fidelity/assets/target.html':
      return html(targetPage);
    case '/site/fidelity/assets/echo.html':
    case '/site/fidelity/echo.html':
      return html(echoPage(url.search));
    case '/site/fidelity/assets/base.css':
      return css(`#base-styled { color: ${fidelityColours.baseSheet}; }\n`);
    case '/site/fidelity/assets/noscript.css':
      return css(`#ns-sheet { color: ${fidelityColours.noscriptSheet}; }\n`);
    default:
      return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}
