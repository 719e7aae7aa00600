// A news site whose pictures, stylesheets and font live on a second origin, its CDN, as every real
// site's do: an article under /news/ on the news origin (the test build's first origin) and its
// assets under /cdn/ on the CDN origin (the second), which sends no CORS headers. The article is
// realistically heavy (about 1.7 MB: five pictures, three stylesheets, a font) and has a picture
// with a srcset, one whose CDN address redirects (302) to another CDN path, and one on the news
// origin that redirects across to the CDN. Requests a browser makes directly (its user agent names
// Mozilla, where the donor's does not) are counted on both origins: a browse view must make none.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateBytes, type OriginServer } from './origin-server.ts';
import { rgbPng } from './solid-png.ts';
import { fontCandidates } from './test-site.ts';

/** The article's path on the news origin. */
export const cdnArticlePath = '/news/article.html';
/** A page whose picture redirects from the news origin to an origin the build does not list. */
export const cdnStrayPath = '/news/stray.html';
/** The font family the CDN's stylesheet declares with @font-face. */
export const cdnFontFamily = 'Porchlight News';
/** Colours the three stylesheets apply, as getComputedStyle reports them. */
export const cdnColours = {
  /** `h1`, from the CDN's article.css. */
  headline: 'rgb(24, 52, 92)',
  /** `.byline`, from the CDN's layout.css. */
  byline: 'rgb(120, 72, 20)',
  /** `.brand`, from the news origin's own site.css. */
  brand: 'rgb(170, 30, 40)',
} as const;

interface Picture {
  readonly width: number;
  readonly height: number;
  /** The picture's base colour; fine grain is added on top, so it weighs what a photo does. */
  readonly rgb: readonly [number, number, number];
}

/** The article's pictures by element id (`map` is a CSS background), at the size each decodes to. */
export const cdnPictures = {
  hero: { width: 640, height: 360, rgb: [40, 90, 140] },
  /** The srcset's 1x candidate, which a view at device pixel ratio 1 picks. */
  harbour: { width: 480, height: 270, rgb: [60, 120, 100] },
  ferry: { width: 400, height: 300, rgb: [150, 110, 60] },
  crane: { width: 320, height: 240, rgb: [110, 110, 130] },
  map: { width: 300, height: 150, rgb: [200, 190, 160] },
} as const satisfies Record<string, Picture>;
/** The srcset's 2x candidate: never wanted at device pixel ratio 1. */
const harbourLarge: Picture = { width: 960, height: 540, rgb: [60, 120, 100] };

/** The article's CDN addresses (paths), for tests that count what was fetched. */
export const cdnPaths = {
  articleCss: '/cdn/css/article.css',
  layoutCss: '/cdn/css/layout.css',
  font: '/cdn/fonts/news.ttf',
  hero: '/cdn/img/hero.png',
  harbourFallback: '/cdn/img/harbour-fallback.png',
  harbour1x: '/cdn/img/harbour-480.png',
  harbour2x: '/cdn/img/harbour-960.png',
  /** Redirects (302) to `ferry`, on the CDN. */
  ferryMoved: '/cdn/img/archive/ferry.png',
  ferry: '/cdn/img/2026/ferry.png',
  crane: '/cdn/img/wire/crane.png',
  map: '/cdn/img/map.png',
} as const;
/** The article's news-origin addresses besides the page. */
export const newsPaths = {
  siteCss: '/news/css/site.css',
  /** Redirects (302) across to the CDN's `crane`. */
  craneWire: '/news/wire/crane.png',
  /** Redirects (302) to the stray origin. */
  strayWire: '/news/wire/stray.png',
} as const;

/** The news site and its CDN installed on two origins, and what they saw. */
export interface CdnSite {
  readonly newsOrigin: string;
  readonly cdnOrigin: string;
  /** Absolute URL of the article. */
  readonly articleUrl: string;
  /** Absolute URL of the stray page. */
  readonly strayUrl: string;
  /** Requests so far for an absolute URL (its origin and path) on either origin, from anyone. */
  requestsFor(url: string): number;
  /** Requests a browser made directly (not through the donor), by absolute URL without query. */
  readonly directRequests: ReadonlyMap<string, number>;
  /** Forgets every count (between a bench's direct and donor rounds). */
  resetCounts(): void;
  /** True when a real font file is served (otherwise placeholder bytes). */
  readonly realFont: boolean;
  /** What the article and everything a view at device pixel ratio 1 loads for it weigh, bytes. */
  readonly articleBytes: number;
}

/** A `picture` of fine grain over its base colour: deterministic, and as hard to compress as a photo. */
function grainyPng(picture: Picture, seed: string): Buffer {
  const pixels = Buffer.alloc(picture.width * picture.height * 3);
  let offset = 0;
  for (const chunk of generateBytes(pixels.length, seed)) {
    for (let i = 0; i < chunk.length; i++, offset++) {
      const base = picture.rgb[offset % 3]!; // offset % 3 is 0, 1 or 2
      pixels[offset] = Math.min(255, Math.max(0, base + (chunk[i]! % 48) - 24)); // i < chunk.length
    }
  }
  return rgbPng(picture.width, picture.height, pixels);
}

function articleHtml(cdn: string): string {
  const c = (path: string): string => `${cdn}${path}`;
  const { hero, harbour, ferry, crane } = cdnPictures;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Night shift on the harbour ferries</title>
<link rel="stylesheet" href="${c(cdnPaths.articleCss)}">
<link rel="stylesheet" href="${c(cdnPaths.layoutCss)}">
<link rel="stylesheet" href="css/site.css">
</head>
<body>
<header class="masthead"><p class="brand">The Porchlight Gazette</p></header>
<main class="article">
<h1 id="headline">Night shift on the harbour ferries</h1>
<p class="byline" id="byline">By a staff reporter · 6 minute read</p>
<figure><img id="hero" src="${c(cdnPaths.hero)}" width="${hero.width}" height="${hero.height}" alt="The last ferry leaving the north pier at dusk"><figcaption>The last ferry of the day leaves the north pier.</figcaption></figure>
<p class="lead">When the city goes quiet, eleven crews keep the harbour moving. We spent a night with the people who run the ferries after dark.</p>
<p>The first boat of the night shift casts off at ten. Its captain has worked the crossing for nineteen years and still checks the weather board twice before every departure, because the wind off the estuary changes faster than any forecast.</p>
<figure><img id="harbour" src="${c(cdnPaths.harbourFallback)}" srcset="${c(cdnPaths.harbour1x)} 1x, ${c(cdnPaths.harbour2x)} 2x" width="${harbour.width}" height="${harbour.height}" alt="Harbour lights reflected in still water"><figcaption>Harbour lights on still water, shortly after midnight.</figcaption></figure>
<p>Passengers after midnight are mostly hospital staff, bakers and students. Many of them know the deckhands by name, and the conversations on the upper deck run from football to rent to the new bridge the council keeps promising.</p>
<figure><img id="ferry" src="${c(cdnPaths.ferryMoved)}" width="${ferry.width}" height="${ferry.height}" alt="A deckhand coiling a mooring line"><figcaption>A deckhand coils the mooring line at the south terminal.</figcaption></figure>
<p>At three in the morning the crews change over at the south terminal. Engineers trade notes about a pump that has been running hot, and someone always brings bread from the bakery that opens before anything else in the district.</p>
<figure><img id="crane" src="wire/crane.png" width="${crane.width}" height="${crane.height}" alt="Container cranes above the eastern docks"><figcaption>Container cranes above the eastern docks. Photo: wire service.</figcaption></figure>
<div id="map" class="map" role="img" aria-label="A map of the three ferry routes"></div>
<p>By six the first commuters arrive, and the night crews hand the harbour back to the day. Most of them will be back tomorrow at ten.</p>
</main>
</body>
</html>
`;
}

function strayHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A picture that wanders off</title></head>
<body><h1 id="stray-heading">A picture that wanders off</h1>
<p><img id="stray" src="wire/stray.png" width="10" height="10" alt="A picture whose address redirects to another port"></p></body></html>
`;
}

const articleCss = `@font-face { font-family: "${cdnFontFamily}"; src: url("../fonts/news.ttf") format("truetype"); }
body { margin: 0; background: #fbf8f2; color: #222; font-family: "${cdnFontFamily}", Georgia, serif; font-size: 18px; line-height: 1.6; }
h1 { color: ${cdnColours.headline}; font-size: 2.4rem; line-height: 1.2; margin: 0.4em 0 0.2em; }
figure { margin: 1.5em 0; }
figure img { display: block; max-inline-size: 100%; block-size: auto; border-radius: 4px; }
figcaption { font-size: 0.85rem; color: #555; margin-block-start: 0.4em; }
.map { background: url("../img/map.png") center / cover no-repeat; inline-size: ${cdnPictures.map.width}px; block-size: ${cdnPictures.map.height}px; border: 1px solid #ccc; border-radius: 4px; }
`;

const layoutCss = `.article { max-inline-size: 680px; margin: 0 auto; padding: 0 24px 48px; }
.byline { color: ${cdnColours.byline}; font-size: 0.9rem; letter-spacing: 0.02em; }
.lead { font-size: 1.2rem; }
`;

const siteCss = `.masthead { border-block-end: 3px double #333; padding: 12px 24px; text-align: center; }
.brand { color: ${cdnColours.brand}; font-size: 1.6rem; font-weight: bold; margin: 0; letter-spacing: 0.05em; }
`;

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length) });
  response.end(bytes);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location, 'content-length': '0' }).end();
}

/**
 * Serves the article under /news/ on `news` and its assets under /cdn/ on `cdn` (start that one
 * with `cors: false`, as a CDN that never expected a cross-origin fetch). `strayOrigin` is where
 * the stray page's picture redirects: an origin the test build does not list.
 */
export function installCdnSite(news: OriginServer, cdn: OriginServer, strayOrigin = 'http://127.0.0.1:47618'): CdnSite {
  const requests = new Map<string, number>();
  const directRequests = new Map<string, number>();
  const fontPath = fontCandidates.find((path) => existsSync(path));
  const font = fontPath ? readFileSync(fontPath) : Buffer.from('not a font');
  const pictures = new Map<string, Buffer>([
    [cdnPaths.hero, grainyPng(cdnPictures.hero, 'cdn-hero')],
    [cdnPaths.harbourFallback, grainyPng({ ...cdnPictures.harbour, rgb: [200, 40, 40] }, 'cdn-harbour-fallback')],
    [cdnPaths.harbour1x, grainyPng(cdnPictures.harbour, 'cdn-harbour-1x')],
    [cdnPaths.harbour2x, grainyPng(harbourLarge, 'cdn-harbour-2x')],
    [cdnPaths.ferry, grainyPng(cdnPictures.ferry, 'cdn-ferry')],
    [cdnPaths.crane, grainyPng(cdnPictures.crane, 'cdn-crane')],
    [cdnPaths.map, grainyPng(cdnPictures.map, 'cdn-map')],
  ]);
  const count = (request: IncomingMessage, origin: string, url: URL): void => {
    const key = `${origin}${url.pathname}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (/Mozilla/.test(request.headers['user-agent'] ?? '')) directRequests.set(key, (directRequests.get(key) ?? 0) + 1);
  };

  news.route('/news/', (request, response, url) => {
    count(request, news.origin, url);
    switch (url.pathname) {
      case cdnArticlePath:
        return send(response, 200, 'text/html; charset=utf-8', articleHtml(cdn.origin));
      case cdnStrayPath:
        return send(response, 200, 'text/html; charset=utf-8', strayHtml());
      case newsPaths.siteCss:
        return send(response, 200, 'text/css; charset=utf-8', siteCss);
      case newsPaths.craneWire:
        return redirect(response, `${cdn.origin}${cdnPaths.crane}`);
      case newsPaths.strayWire:
        return redirect(response, `${strayOrigin}/stolen.png`);
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });

  cdn.route('/cdn/', (request, response, url) => {
    count(request, cdn.origin, url);
    const picture = pictures.get(url.pathname);
    if (picture !== undefined) return send(response, 200, 'image/png', picture);
    switch (url.pathname) {
      case cdnPaths.articleCss:
        return send(response, 200, 'text/css; charset=utf-8', articleCss);
      case cdnPaths.layoutCss:
        return send(response, 200, 'text/css; charset=utf-8', layoutCss);
      case cdnPaths.font:
        return send(response, 200, 'font/ttf', font);
      case cdnPaths.ferryMoved:
        return redirect(response, cdnPaths.ferry);
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });

  const loaded = [cdnPaths.hero, cdnPaths.harbour1x, cdnPaths.ferry, cdnPaths.crane, cdnPaths.map].map((path) => pictures.get(path)!.length); // all registered above
  const articleBytes = Buffer.byteLength(articleHtml(cdn.origin)) + Buffer.byteLength(articleCss) + Buffer.byteLength(layoutCss) + Buffer.byteLength(siteCss) + font.length + loaded.reduce((a, b) => a + b, 0);

  return {
    newsOrigin: news.origin,
    cdnOrigin: cdn.origin,
    articleUrl: news.url(cdnArticlePath),
    strayUrl: news.url(cdnStrayPath),
    requestsFor: (url) => {
      const parsed = new URL(url);
      return requests.get(`${parsed.origin}${parsed.pathname}`) ?? 0;
    },
    directRequests,
    resetCounts() {
      requests.clear();
      directRequests.clear();
    },
    realFont: fontPath !== undefined,
    articleBytes,
  };
}
