// A page whose images, stylesheets and font come from a second origin — its CDN, which sends no
// CORS headers — read through a real donor: two Chromium profiles with the test build, which lists
// both loopback origins (tests/support/extension-build.ts). Every picture (src, srcset, a redirect
// on the CDN, a redirect from the news origin across to the CDN) decodes at its natural size, the
// three stylesheets apply, the web font loads, and the journalist's browser itself asks neither
// origin for anything. A picture that redirects to a loopback port the build does not list is
// refused by the donor, and that port hears nothing. Inside the loopback-only namespace.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { go, inView, waitForTotal, waitForView } from '../support/browse-page.ts';
import { extensionCdnOrigin } from '../support/extension-build.ts';
import { patchDonorSettings, waitForDonorStatus } from '../support/extension-donor.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { cdnColours, cdnFontFamily, cdnPaths, cdnPictures, installCdnSite, newsPaths, type CdnSite } from '../support/test-site-cdn.ts';
import { startTwoProfiles, type TwoProfiles } from '../support/two-profiles.ts';

const artifactsDir = 'test-artifacts';
const viewport = { width: 1280, height: 900 };

let setup: TwoProfiles | undefined;
let cdn: OriginServer | undefined;
let stray: OriginServer | undefined;
let site: CdnSite;
let browse: Page;

beforeAll(async () => {
  await mkdir(artifactsDir, { recursive: true });
  // The CDN and the stray origin first: a setup that fails must not leave them listening.
  cdn = await startOriginServer({ port: Number(new URL(extensionCdnOrigin).port), cors: false });
  // Any port the build does not list; the stray page's picture redirects here.
  stray = await startOriginServer({ cors: false });
  setup = await startTwoProfiles('browse-cdn', 'DE');
  site = installCdnSite(setup.origin, cdn, stray.origin);
  await patchDonorSettings(setup.donor, { sharing: true });
  await waitForDonorStatus(setup.donor, (s) => s.state === 'connected', 60_000);
  browse = await setup.journalist.openPage('browse.html');
  browse.on('pageerror', (error) => console.error(`[browse] page error: ${String(error)}`));
  await browse.setViewport(viewport);
}, 240_000);

afterAll(async () => {
  await setup?.close();
  await Promise.allSettled([cdn?.close(), stray?.close()]);
});

describe('a news article whose assets live on a CDN origin without CORS, through a real donor', () => {
  it('shows every picture at its natural size: src, srcset, a redirect on the CDN, a redirect across to it', async () => {
    const pressed = Date.now();
    await go(browse, site.articleUrl);
    await waitForView(browse, (doc) => doc.getElementById('headline') !== null);
    const totalMs = await waitForTotal(browse);
    console.info(`article (${(site.articleBytes / 1e6).toFixed(2)} MB) through the donor: everything in ${totalMs.toFixed(0)} ms (${Date.now() - pressed} ms seen by the test, including the first dial)`);
    await waitForView(browse, (doc) => ['hero', 'harbour', 'ferry', 'crane'].every((id) => {
      const img = doc.getElementById(id) as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    }));
    const images = await inView(browse, (doc) =>
      Object.fromEntries(['hero', 'harbour', 'ferry', 'crane'].map((id) => {
        const img = doc.getElementById(id) as HTMLImageElement;
        return [id, { src: img.getAttribute('src'), width: img.naturalWidth, height: img.naturalHeight }];
      })),
    );
    for (const id of ['hero', 'harbour', 'ferry', 'crane'] as const) {
      expect(images[id], id).toEqual({ src: expect.stringMatching(/^blob:chrome-extension:/), width: cdnPictures[id].width, height: cdnPictures[id].height });
    }

    // One picture, one request: the srcset's 1x candidate, never the 2x or the fallback src.
    const cdnUrl = (path: string): string => `${site.cdnOrigin}${path}`;
    expect(site.requestsFor(cdnUrl(cdnPaths.harbour1x))).toBe(1);
    expect(site.requestsFor(cdnUrl(cdnPaths.harbour2x))).toBe(0);
    expect(site.requestsFor(cdnUrl(cdnPaths.harbourFallback))).toBe(0);
    // Both hops of each redirect were fetched by the donor.
    expect([site.requestsFor(cdnUrl(cdnPaths.ferryMoved)), site.requestsFor(cdnUrl(cdnPaths.ferry))]).toEqual([1, 1]);
    expect([site.requestsFor(`${site.newsOrigin}${newsPaths.craneWire}`), site.requestsFor(cdnUrl(cdnPaths.crane))]).toEqual([1, 1]);
  }, 120_000);

  it('applies the stylesheets of both origins, with the CDN stylesheet\'s background image', async () => {
    const styles = await inView(browse, (doc) => {
      const view = doc.defaultView!; // a rendered document has a window
      const of = (selector: string) => view.getComputedStyle(doc.querySelector(selector)!); // the article has each
      return { headline: of('#headline').color, byline: of('#byline').color, brand: of('.brand').color, map: of('#map').backgroundImage };
    });
    expect(styles).toMatchObject({ headline: cdnColours.headline, byline: cdnColours.byline, brand: cdnColours.brand });
    expect(styles.map).toMatch(/^url\("blob:chrome-extension:/);
    expect(site.requestsFor(`${site.cdnOrigin}${cdnPaths.map}`)).toBe(1);
    // The background image decodes at its size (loaded again here from its blob: URL, inside the view).
    const map = await inView(browse, (doc) => {
      const url = /url\("([^"]+)"\)/.exec(doc.defaultView!.getComputedStyle(doc.getElementById('map')!).backgroundImage)?.[1] ?? ''; // checked above
      const img = new (doc.defaultView! as unknown as typeof globalThis).Image();
      img.src = url;
      return img.decode().then(() => ({ width: img.naturalWidth, height: img.naturalHeight }), () => ({ width: 0, height: 0 }));
    });
    expect(map).toEqual({ width: cdnPictures.map.width, height: cdnPictures.map.height });
  }, 30_000);

  it('loads the CDN\'s @font-face font, which a plain page could not (no CORS headers)', async () => {
    expect(site.requestsFor(`${site.cdnOrigin}${cdnPaths.font}`)).toBe(1);
    if (!site.realFont) {
      console.warn('No system font found to serve: the font face is checked for a blob: source only.');
      const css = await inView(browse, (doc) => [...doc.querySelectorAll('style')].map((s) => s.textContent ?? '').find((text) => text.includes('@font-face')) ?? '');
      expect(css).toMatch(/src:\s*url\("blob:chrome-extension:[^"]+"\)/);
      return;
    }
    // The predicate runs in the page, so the family is written out (and checked against the site's).
    expect(cdnFontFamily).toBe('Porchlight News');
    await waitForView(browse, (doc) => [...doc.fonts].some((face) => face.family.includes('Porchlight News') && face.status === 'loaded'), 15_000);
    const headlineFont = await inView(browse, (doc) => doc.defaultView!.getComputedStyle(doc.getElementById('headline')!).fontFamily); // both exist
    expect(headlineFont).toContain('Porchlight News');
    await browse.screenshot({ path: join(artifactsDir, 'browse-cdn-article.png'), fullPage: true });
  }, 30_000);

  it('asks neither origin for anything from the journalist\'s browser itself', () => {
    expect([...site.directRequests]).toEqual([]);
  });

  it('refuses a picture that redirects from the news origin to a loopback port the build does not list', async () => {
    await go(browse, site.strayUrl);
    await waitForView(browse, (doc) => doc.getElementById('stray-heading') !== null);
    await waitForTotal(browse);
    expect(site.requestsFor(`${site.newsOrigin}${newsPaths.strayWire}`)).toBe(1);
    expect(stray?.requests.total).toBe(0);
    const picture = await inView(browse, (doc) => {
      const img = doc.getElementById('stray') as HTMLImageElement | null;
      return { present: img !== null, width: img?.naturalWidth ?? 0, src: img?.getAttribute('src') ?? null };
    });
    expect(picture.width).toBe(0);
    expect(picture.src ?? '').not.toContain(stray!.origin); // started in beforeAll
    expect([...site.directRequests]).toEqual([]);
  }, 60_000);
});
