// The website the extension suites browse through a donor, under /site/ on the loopback test
// origin: a page with a stylesheet (background image, @font-face, @import), an image, a link and a
// GET search form that echoes its query; a 50 MiB file; and a hostile page whose every attempt to
// run script, load something directly or navigate the top frame would leave a trace here (a
// beacon hit) or in the page (a marker). Requests a browser makes directly (its user agent names
// Mozilla, where the Node donor's fetch does not) are counted too: the browse view must make none.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bytesSha256, streamBytes, type OriginServer } from './origin-server.ts';
import { solidPng } from './solid-png.ts';
import { fidelityPrefix, serveFidelityPage } from './test-site-fidelity.ts';
import { installRefusalPages } from './test-site-refusals.ts';

/** Size of /site/file.bin. */
export const testSiteFileBytes = 50 * 1024 * 1024;
/** Seed of /site/file.bin's deterministic bytes (origin-server.ts `generateBytes`). */
export const testSiteFileSeed = 'porchlight-test-site-file';

/** Hex SHA-256 of /site/file.bin. */
export function testSiteFileSha256(): string {
  return bytesSha256(testSiteFileBytes, testSiteFileSeed);
}

/** The font family /site/style.css declares with @font-face. */
export const testSiteFontFamily = 'Porchlight Test';
/** Colours the stylesheet applies, as getComputedStyle reports them. */
export const testSiteColours = { heading: 'rgb(0, 110, 60)', body: 'rgb(250, 244, 232)', imported: 'rgb(120, 40, 140)' } as const;
/** Size of the picture at /site/images/photo.png. */
export const testSitePhotoSize = { width: 48, height: 24 } as const;

/** System fonts a test site serves as its web font, the first that exists: a real font makes `document.fonts` report the face loaded; Debian's Chromium pulls in Liberation. */
export const fontCandidates = [
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];

/** The test site installed on an origin, and what it saw. */
export interface TestSite {
  /** Absolute URL of `path` (e.g. '/site/index.html'). */
  url(path: string): string;
  /** Beacon hits by the name in `?x=`; the hostile page's attempts, so any hit is a failure. */
  readonly beacons: ReadonlyMap<string, number>;
  /** /site/ requests a browser made directly (not through the donor), by path. */
  readonly directRequests: ReadonlyMap<string, number>;
  /** Requests for a /site/ path so far, from anyone. */
  requestsFor(path: string): number;
  /** True when a real font file is served at /site/fonts/test.ttf (otherwise placeholder bytes). */
  readonly realFont: boolean;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Porchlight test site</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<h1 id="heading">Porchlight test site</h1>
<p class="lead">This page is served by the loopback test site and shown through a donor.</p>
<p><img id="photo" src="images/photo.png" alt="A green test picture" width="${testSitePhotoSize.width}" height="${testSitePhotoSize.height}"></p>
<div id="banner" class="banner">A banner with a background image</div>
<p class="imported">Styled by an imported stylesheet.</p>
<p><a id="second-link" href="second.html">Go to the second page</a></p>
<form id="search" action="search.html" method="get">
  <label>Search <input id="search-input" name="q"></label>
  <button id="search-submit" type="submit">Search</button>
</form>
<p><a id="file-link" href="file.bin">The 50 MiB file</a></p>
</body>
</html>
`;
}

const styleCss = `@import url("imported.css");
@font-face { font-family: "${testSiteFontFamily}"; src: url(fonts/test.ttf) format("truetype"); }
body { background-color: ${testSiteColours.body}; font-family: "${testSiteFontFamily}", sans-serif; }
h1 { color: ${testSiteColours.heading}; }
.banner { background-image: url("images/bg.png"); inline-size: 200px; block-size: 20px; }
`;

const importedCss = `.imported { color: ${testSiteColours.imported}; }\n`;

const secondHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Second page</title></head>
<body><h1 id="second-heading">The second page</h1><p><a href="index.html">Back to the start</a></p></body></html>
`;

function searchHtml(query: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Search results</title></head>
<body><h1>Search results</h1><p id="echo">You searched for: <span id="query">${escapeHtml(query)}</span></p></body></html>
`;
}

/** The hostile page: each attempt names itself in the beacon it would hit. */
function hostileHtml(origin: string): string {
  const beacon = (name: string): string => `${origin}/site/beacon?x=${name}`;
  const ping = (name: string): string => `new Image().src='${beacon(name)}'`;
  const mark = (name: string): string => `document.documentElement.setAttribute('data-pwned','${name}')`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hostile page</title>
<meta http-equiv="refresh" content="0; url=${beacon('meta-refresh')}">
<meta http-equiv="Content-Security-Policy" content="default-src *">
<base href="javascript:${ping('base-href')}//">
<base href="${origin}/site/beacon-base/">
<link rel="prefetch" href="${beacon('prefetch')}">
<link rel="preload" as="image" href="${beacon('preload')}">
<link rel="icon" href="${beacon('icon')}">
<link rel="import" href="${beacon('html-import')}">
<script>${ping('inline-script')};${mark('inline-script')};</script>
<script src="${beacon('script-src')}"></script>
<script>try { top.location = '${beacon('top-navigation')}'; } catch (e) { ${ping('top-navigation-blocked')} }</script>
<script>try { chrome.storage.local.set({ pwned: true }); parent.chrome.storage.local.set({ pwned: true }); ${ping('extension-api')} } catch (e) {}</script>
</head>
<body onload="${ping('body-onload')};${mark('body-onload')}">
<h1 id="hostile-heading">A hostile page</h1>
<img id="broken" src="missing.png" onerror="${ping('img-onerror')};${mark('img-onerror')}" alt="">
<img src="images/photo.png" onload="${ping('img-onload')};${mark('img-onload')}" alt="">
<svg width="10" height="10" onload="${ping('svg-onload')}"><script>${ping('svg-script')}</script><a id="svg-link" href="javascript:${ping('svg-link')}"><rect width="10" height="10"/></a></svg>
<p><a id="js-link" href="javascript:${ping('js-link')};void 0">A javascript: link</a></p>
<p><a id="top-link" href="second.html" target="_top">A link aimed at the top frame</a></p>
<p><a id="blank-link" href="second.html" target="_blank" rel="opener">A link aimed at a new window</a></p>
<iframe src="${beacon('iframe')}"></iframe>
<iframe srcdoc="<script>${ping('iframe-srcdoc')}</script>"></iframe>
<object data="${beacon('object')}"></object>
<embed src="${beacon('embed')}">
<video src="${beacon('video')}" autoplay muted></video>
<audio src="${beacon('audio')}" autoplay></audio>
<details open ontoggle="${ping('ontoggle')}"><summary>Details</summary></details>
<input autofocus onfocus="${ping('onfocus')}">
<div style="background-image: url('javascript:${ping('css-javascript')}')">Styled</div>
<form id="js-form" action="javascript:${ping('js-form')}"><button id="js-form-submit">Submit (javascript:)</button></form>
<form id="post-form" method="post" action="${beacon('post-form')}"><input name="a" value="1"><button id="post-submit">Submit (POST)</button></form>
<form id="target-form" action="${beacon('target-form')}" target="_top" method="dialog"><button id="dialog-submit">Submit (dialog)</button></form>
<math href="javascript:${ping('mathml-link')}"><mi>x</mi></math>
<a id="data-link" href="data:text/html,<script>${ping('data-link')}</script>">A data: link</a>
<form id="spoof" data-porchlight-action="${beacon('spoofed-action')}" data-porchlight-method="get"><button id="spoof-submit">Spoofed</button></form>
</body>
</html>
`;
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length) });
  response.end(bytes);
}

/** Serves the test site under /site/ on `origin`. */
export function installTestSite(origin: OriginServer): TestSite {
  installRefusalPages(origin); // before /site/: the first matching route answers
  const beacons = new Map<string, number>();
  const directRequests = new Map<string, number>();
  const requests = new Map<string, number>();
  const fontPath = fontCandidates.find((path) => existsSync(path));
  const font = fontPath ? readFileSync(fontPath) : Buffer.from('not a font');
  const photo = solidPng(testSitePhotoSize.width, testSitePhotoSize.height, [30, 160, 80]);
  const background = solidPng(4, 4, [200, 80, 40]);
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };

  origin.route('/site/', (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const path = url.pathname;
    bump(requests, path);
    if (/Mozilla/.test(request.headers['user-agent'] ?? '')) bump(directRequests, path);
    switch (path) {
      case '/site/':
      case '/site/index.html':
        return send(response, 200, 'text/html; charset=utf-8', indexHtml());
      case '/site/style.css':
        return send(response, 200, 'text/css; charset=utf-8', styleCss);
      case '/site/imported.css':
        return send(response, 200, 'text/css; charset=utf-8', importedCss);
      case '/site/images/photo.png':
        return send(response, 200, 'image/png', photo);
      case '/site/images/bg.png':
        return send(response, 200, 'image/png', background);
      case '/site/fonts/test.ttf':
        return send(response, 200, 'font/ttf', font);
      case '/site/second.html':
        return send(response, 200, 'text/html; charset=utf-8', secondHtml);
      case '/site/search.html':
        return send(response, 200, 'text/html; charset=utf-8', searchHtml(url.searchParams.get('q') ?? ''));
      case '/site/hostile.html':
        return send(response, 200, 'text/html; charset=utf-8', hostileHtml(origin.origin));
      case '/site/file.bin':
        return streamBytes(request, response, testSiteFileBytes, testSiteFileSeed);
      default:
        if (path.startsWith(fidelityPrefix)) return serveFidelityPage(response, url, origin.origin);
        if (path === '/site/beacon' || path.startsWith('/site/beacon')) {
          bump(beacons, url.searchParams.get('x') ?? path);
          return send(response, 200, 'image/png', background);
        }
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });

  return {
    url: (path) => origin.url(path),
    beacons,
    directRequests,
    requestsFor: (path) => requests.get(path) ?? 0,
    realFont: fontPath !== undefined,
  };
}
