// The browse view shows what the site means, in the built extension through a Node donor: a
// page's <base href> decides where every relative address goes (and a hostile one is ignored);
// <noscript> content shows, its hostile tries achieving nothing; GET forms send every field the
// site's form would, as Chromium itself submits them; fragment links scroll without a request, and
// other pages' fragments load, then scroll. Run inside the loopback-only namespace (scripts/netns.mjs).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling/server.ts';
import { clickInView, go, inView, openBrowsePage, waitForTotal, waitForView } from '../support/browse-page.ts';
import { startQuietSignaling } from '../support/browser-harness.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { startNodeDonor, type NodeDonor } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { baseRelativeAddresses, everyControlForm, fidelityColours, fidelityPictures, hostileBaseSchemes, wikipediaForm, wrongBases } from '../support/test-site-fidelity.ts';
import { installTestSite, type TestSite } from '../support/test-site.ts';

const artifactsDir = 'test-artifacts';
const viewport = { width: 1280, height: 900 };

let signaling: SignalingServer;
let origin: OriginServer;
let site: TestSite;
let donor: NodeDonor;
let extension: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  await mkdir(artifactsDir, { recursive: true });
  signaling = await startQuietSignaling('DE');
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  site = installTestSite(origin);
  donor = await startNodeDonor(signaling.url, extensionTestOrigin);
  const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  extension = await launchWithExtension('browse-fidelity', extensionPath);
  // The browse page reads the signaling server from the settings, as a real install does.
  page = await openBrowsePage(extension, signaling.url, viewport);
}, 240_000);

afterAll(async () => {
  await extension?.close();
  await donor?.close();
  await Promise.allSettled([origin?.close(), signaling?.close()]);
});

/** Opens `path` of the test site in the view and waits until everything on it has loaded. */
async function open(path: string, readyId: string): Promise<void> {
  await go(page, site.url(path));
  await waitForView(page, (doc, id) => doc.getElementById(id) !== null, 30_000, readyId);
  await waitForTotal(page);
}

const address = (): Promise<string> => page.$eval('#address', (el) => (el as HTMLInputElement).value);

async function waitForAddress(expected: string): Promise<void> {
  await page.waitForFunction((url) => (document.querySelector('#address') as HTMLInputElement | null)?.value === url, { timeout: 10_000 }, expected);
}

/** The natural width of the picture the site gave `id`, once decoded (0 while it is not). */
function pictureWidth(id: string): Promise<number> {
  return inView(page, (doc, imageId) => (doc.getElementById(imageId) as HTMLImageElement | null)?.naturalWidth ?? -1, id);
}

/** Requests for relative addresses resolved against a wrong base. */
function wrongRequests(): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const base of wrongBases) {
    for (const relative of baseRelativeAddresses) {
      const count = site.requestsFor(base + relative);
      if (count > 0) hits[base + relative] = count;
    }
  }
  return hits;
}

/** Where the site's element `id` (also one the sanitizer kept aside) sits: its top edge in the view, and the view's scroll. */
function placeOf(id: string): Promise<{ top: number; scrollY: number }> {
  return inView(
    page,
    (doc, elementId) => {
      const element = doc.getElementById(elementId) ?? [...doc.querySelectorAll('[data-porchlight-id]')].find((e) => e.getAttribute('data-porchlight-id') === elementId);
      return { top: element ? element.getBoundingClientRect().top : Number.NaN, scrollY: doc.defaultView!.scrollY }; // a rendered document has a window
    },
    id,
  );
}

/** Waits until the view shows `id` at its top edge ('target') or is scrolled to the very top ('top'). */
async function waitForPlace(where: 'target' | 'top', id: string): Promise<void> {
  await waitForView(
    page,
    (doc, elementId, mode) => {
      if (mode === 'top') return doc.defaultView!.scrollY === 0; // a rendered document has a window
      const element = doc.getElementById(elementId) ?? [...doc.querySelectorAll('[data-porchlight-id]')].find((e) => e.getAttribute('data-porchlight-id') === elementId);
      return !!element && Math.abs(element.getBoundingClientRect().top) < 2;
    },
    10_000,
    id,
    where,
  );
}

describe('browse view fidelity', () => {
  it('resolves every relative address against the page’s <base href>', async () => {
    await open('/site/fidelity/base/page.html', 'base-heading');
    await waitForView(page, (doc) => [...doc.images].every((img) => img.complete && img.naturalWidth > 0));
    expect(await pictureWidth('base-img')).toBe(fidelityPictures['/site/fidelity/assets/pic.png'].width);
    expect(await pictureWidth('base-srcset')).toBe(fidelityPictures['/site/fidelity/assets/pic-srcset.png'].width);
    const styles = await inView(page, (doc) => {
      const view = doc.defaultView!; // a rendered document has a window
      const style = (id: string) => view.getComputedStyle(doc.getElementById(id)!);
      return { sheet: style('base-styled').color, styleElement: style('base-bg').backgroundImage, styleAttribute: style('base-inline').backgroundImage, bases: doc.querySelectorAll('base').length };
    });
    expect(styles).toEqual({ sheet: fidelityColours.baseSheet, styleElement: expect.stringMatching(/^url\("blob:chrome-extension:/), styleAttribute: expect.stringMatching(/^url\("blob:chrome-extension:/), bases: 0 });
    for (const path of ['pic.png', 'pic-srcset.png', 'base.css', 'bg.png', 'bg-inline.png']) expect(site.requestsFor(`/site/fidelity/assets/${path}`), path).toBe(1);
    await page.screenshot({ path: join(artifactsDir, 'browse-fidelity-base.png') });

    // The link and the form go where the base says.
    await clickInView(page, '#base-link');
    await waitForView(page, (doc) => doc.getElementById('target-heading') !== null);
    expect(await address()).toBe(site.url('/site/fidelity/assets/target.html'));
    await page.click('button[aria-label="Back"]');
    await waitForView(page, (doc) => doc.getElementById('base-submit') !== null);
    await waitForTotal(page);
    await clickInView(page, '#base-submit');
    await waitForView(page, (doc) => doc.getElementById('echo-query') !== null);
    expect(await address()).toBe(site.url('/site/fidelity/assets/echo.html?q=based'));
    expect(wrongRequests()).toEqual({});
  }, 90_000);

  it.each(Object.keys(hostileBaseSchemes))('ignores a first <base href> of scheme %s: addresses resolve against the page', async (scheme) => {
    await open(`/site/fidelity/hostile-base.html?scheme=${scheme}`, 'hostile-base-heading');
    await waitForView(page, (doc) => {
      const img = doc.getElementById('hostile-base-img') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    expect(await pictureWidth('hostile-base-img')).toBe(fidelityPictures['/site/fidelity/assets/pic.png'].width);
    await clickInView(page, '#hostile-base-link');
    await waitForView(page, (doc) => doc.getElementById('target-heading') !== null);
    expect(await address()).toBe(site.url('/site/fidelity/assets/target.html'));
    expect(wrongRequests()).toEqual({});
    expect(Object.fromEntries(site.beacons)).toEqual({});
  }, 60_000);

  it('shows <noscript> content as ordinary content, and its hostile tries achieve nothing', async () => {
    const topUrl = page.url();
    await open('/site/fidelity/noscript.html', 'ns-heading');
    await waitForView(page, (doc) => (doc.getElementById('ns-img') as HTMLImageElement | null)?.naturalWidth === 64);
    const shown = await inView(page, (doc) => {
      const view = doc.defaultView!; // a rendered document has a window
      const note = doc.getElementById('ns-note');
      return {
        note: note?.textContent,
        noteHeight: note?.getBoundingClientRect().height ?? 0,
        styled: view.getComputedStyle(doc.getElementById('ns-styled')!).color,
        sheet: view.getComputedStyle(doc.getElementById('ns-sheet')!).color,
      };
    });
    expect(shown).toMatchObject({ note: 'This site works best with JavaScript. Here is the plain version.', styled: fidelityColours.noscriptStyle, sheet: fidelityColours.noscriptSheet });
    expect(shown.noteHeight).toBeGreaterThan(0);
    expect(await pictureWidth('ns-img')).toBe(fidelityPictures['/site/fidelity/assets/noscript.png'].width);
    await page.screenshot({ path: join(artifactsDir, 'browse-fidelity-noscript.png') });

    // Long enough for a refresh or a handler to have fired had they survived.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const dom = await inView(page, (doc) => ({
      forbidden: doc.querySelectorAll('script, iframe, noscript, meta:not([data-porchlight-policy]), base, link').length,
      handlers: [...doc.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((name) => name.startsWith('on'))),
      far: doc.getElementById('ns-far')?.getAttribute('src') ?? null,
      marker: doc.documentElement.getAttribute('data-pwned'),
    }));
    expect(dom).toEqual({ forbidden: 0, handlers: [], far: null, marker: null });
    await page.hover('iframe.view-frame');
    await clickInView(page, '#ns-handler');
    await clickInView(page, '#ns-js');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await inView(page, (doc) => doc.getElementById('ns-heading') !== null)).toBe(true);
    expect(page.url()).toBe(topUrl);
    expect(Object.fromEntries(site.beacons)).toEqual({});
    expect([...site.directRequests]).toEqual([]);
  }, 60_000);

  /**
   * What Chromium itself requests when the same markup's form is submitted in a plain page (at the
   * forms page's address, by a base), after `act` fills it the same way: the request is stopped
   * before it leaves the browser.
   */
  async function chromiumSubmits(markup: string, act: (target: Page) => Promise<void>): Promise<string> {
    const plain = await extension.browser.newPage();
    try {
      await plain.setViewport(viewport);
      await plain.setContent(`<!doctype html><html><head><base href="${site.url('/site/fidelity/forms.html')}"></head><body>${markup}</body></html>`);
      await plain.setRequestInterception(true);
      const submitted = new Promise<string>((resolve) => {
        plain.on('request', (request) => {
          if (request.isNavigationRequest()) resolve(request.url());
          void request.abort();
        });
      });
      await act(plain);
      return await submitted;
    } finally {
      await plain.close();
    }
  }

  it('submits Wikipedia’s search form with its hidden lang and title, as Chromium does', async () => {
    await open('/site/fidelity/forms.html', 'forms-heading');
    await page.screenshot({ path: join(artifactsDir, 'browse-fidelity-forms.png') });
    await clickInView(page, '#wiki-q');
    await page.keyboard.type('porch light');
    await clickInView(page, '#wiki-fulltext');
    await waitForView(page, (doc) => doc.getElementById('echo-query') !== null);
    const expected = await chromiumSubmits(wikipediaForm, async (plain) => {
      await plain.type('#wiki-q', 'porch light');
      await plain.click('#wiki-fulltext');
    });
    expect(expected).toBe(site.url('/site/fidelity/echo.html?lang=en&title=Special%3ASearch&search=porch+light&go=Go&fulltext=1'));
    expect(await address()).toBe(expected);
    expect(await inView(page, (doc) => doc.getElementById('echo-query')?.textContent)).toBe('?lang=en&title=Special%3ASearch&search=porch+light&go=Go&fulltext=1');

    // Enter in the field: implicit submission, the first button's name and value included.
    await page.click('button[aria-label="Back"]');
    await waitForView(page, (doc) => doc.getElementById('wiki-q') !== null);
    await waitForTotal(page);
    await clickInView(page, '#wiki-q');
    await page.keyboard.type('café');
    await page.keyboard.press('Enter');
    await waitForView(page, (doc) => doc.getElementById('echo-query') !== null);
    const viaEnter = await chromiumSubmits(wikipediaForm, async (plain) => {
      await plain.type('#wiki-q', 'café');
      await plain.keyboard.press('Enter');
    });
    expect(await address()).toBe(viaEnter);
  }, 90_000);

  it('submits every kind of control, names that collide with DOM properties included, as Chromium does', async () => {
    await open('/site/fidelity/forms.html', 'forms-heading');
    const fill = async (target: Page, click: (selector: string) => Promise<void>): Promise<void> => {
      await click('#every-box');
      await click('#every-large');
      await click('#every-text');
      await target.keyboard.press('End');
      await target.keyboard.type('\nsecond line');
      await click('#every-action');
      await target.keyboard.type('+');
      await click('#every-second');
    };
    await fill(page, (selector) => clickInView(page, selector));
    await waitForView(page, (doc) => doc.getElementById('echo-query') !== null);
    const expected = await chromiumSubmits(everyControlForm, (plain) => fill(plain, (selector) => plain.click(selector)));
    expect(expected).toContain('action=a%2B&method=m&box=on&box=two&size=l&pick=one&many=a&many=c&text=first+line%0D%0Asecond+line&title=second&outside=o');
    expect(await address()).toBe(expected);
  }, 90_000);

  it('jumps to fragments on the page without a request, and to other pages’ fragments once they load', async () => {
    await open('/site/fidelity/fragments.html', 'fragments-heading');
    const pageUrl = site.url('/site/fidelity/fragments.html');
    expect(site.requestsFor('/site/fidelity/fragments.html')).toBe(1);
    for (const [link, target, fragment] of [
      ['#to-part', 'part-2', '#part-2'],
      ['#to-named', null, '#named'],
      ['#to-title', 'title', '#title'],
      ['#to-cafe', 'café', '#caf%C3%A9'],
    ] as const) {
      await inView(page, (doc) => doc.defaultView!.scrollTo(0, 0)); // a rendered document has a window
      await clickInView(page, link);
      await waitForAddress(pageUrl + fragment);
      if (target !== null) await waitForPlace('target', target);
      else await waitForView(page, (doc) => Math.abs(doc.querySelector('a[name="named"]')!.getBoundingClientRect().top) < 2);
    }
    await page.screenshot({ path: join(artifactsDir, 'browse-fidelity-fragment.png') });
    // '#' and '#top' go to the top.
    for (const [link, fragment] of [['#bare', '#'], ['#to-top', '#top']] as const) {
      await clickInView(page, link);
      await waitForAddress(pageUrl + fragment);
      await waitForPlace('top', 'fragments-heading');
    }
    // Back walks the jumps within the page, still without a request.
    await page.click('button[aria-label="Back"]');
    await waitForAddress(`${pageUrl}#`);
    await page.click('button[aria-label="Back"]');
    await waitForAddress(`${pageUrl}#caf%C3%A9`);
    await waitForPlace('target', 'café');
    expect(site.requestsFor('/site/fidelity/fragments.html')).toBe(1);

    // Another page's fragment: it loads, then scrolls there, and stays there when a tall picture above arrives.
    await inView(page, (doc) => doc.defaultView!.scrollTo(0, 0)); // a rendered document has a window
    await clickInView(page, '#to-other');
    await waitForView(page, (doc) => doc.getElementById('other-heading') !== null);
    await waitForTotal(page);
    expect(await address()).toBe(site.url('/site/fidelity/fragments-other.html#part-2'));
    expect(await pictureWidth('other-tall')).toBe(fidelityPictures['/site/fidelity/assets/tall.png'].width);
    const place = await placeOf('part-2');
    expect(Math.abs(place.top)).toBeLessThan(2);
    expect(place.scrollY).toBeGreaterThan(fidelityPictures['/site/fidelity/assets/tall.png'].height);
    expect(site.requestsFor('/site/fidelity/fragments-other.html')).toBe(1);
    // The browse page itself never scrolled.
    expect(await page.evaluate(() => [window.scrollY, document.querySelector('.view')!.scrollTop])).toEqual([0, 0]);
  }, 90_000);
});
