// Showing one address in the view: fetch it through the donor, decide how to show it, make an
// HTML page inert, put it in the frame as soon as its stylesheets' text is in (or after a short
// wait), then fetch its images, fonts and imports through the same donor and fill them in. Reports
// the moments a person notices: headers, first content, everything loaded.
import { contentKind, mimeEssence, type ContentKind } from './content-kind.ts';
import { decodeText, detectCharset } from './decode-text.ts';
import { downloadName } from './download-name.ts';
import { installImage, installPage, installText, jumpToFragment } from './frame-document.ts';
import { joinChunks, readBody } from './read-body.ts';
import { pageNeedsScripts } from './needs-scripts.ts';
import { fragmentOf, withFragmentOf } from './resolve-url.ts';
import { sanitizePage, type StylesheetTask } from './sanitize-page.ts';
import type { ImageSlot } from './srcset.ts';
import { buildStylesheet, provisionalCss } from './stylesheets.ts';
import { createSubresourceLoader, type FetchThrough, type FetchedStylesheet, type SubresourceLimits, type SubresourceStats } from './subresources.ts';

/** Largest HTML page shown, in bytes. */
export const maxPageBytes = 10 * 1024 * 1024;
/** Largest image shown on its own, in bytes. */
export const maxImageBytes = 64 * 1024 * 1024;
/** Largest text file shown, in bytes; bigger ones are offered as downloads. */
export const maxTextBytes = 4 * 1024 * 1024;
/** How long the first paint waits for external stylesheets' text, in milliseconds (browsers wait for all of it). */
export const firstPaintStylesheetWaitMs = 3_000;

const acceptHtml = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** The frame the page is shown in, as the loader needs it. */
export interface ViewSurface {
  /** The view's document, once the frame is ready. */
  document(): Promise<Document>;
  /** The room images get, for choosing among srcset candidates. */
  slot(): ImageSlot;
  /** Evaluates a media query for the view. */
  matchesMedia(query: string): boolean;
  /** Resolves once the browser has painted what the view holds now. */
  nextPaint(): Promise<void>;
}

/** What the browse page shows about a response. */
export interface PageResponse {
  /** The final address, after redirects, with the fragment asked for (a response URL carries none). */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly redirected: boolean;
  readonly kind: ContentKind;
  /** The MIME type essence, '' when the site sent none. */
  readonly contentType: string;
}

/** Moments and counters reported while a page loads. */
export interface PageLoadEvents {
  onResponse(response: PageResponse, headersMs: number): void;
  onRendered(title: string, firstContentMs: number): void;
  onSubresources(stats: SubresourceStats): void;
  /** An HTML page's markup as the site sent it, and whether its content needs scripts (needs-scripts.ts). */
  onPageSource?(html: string, needsScripts: boolean): void;
}

/** How a load ended. */
export type PageOutcome =
  | { readonly kind: 'shown'; readonly totalMs: number }
  /** Not something the view shows: offered for download (the body was not read). */
  | { readonly kind: 'file'; readonly url: string; readonly name: string; readonly contentType: string };

/** Options of `loadPage`. */
export interface PageLoadOptions {
  readonly url: string;
  readonly fetch: FetchThrough;
  /** Aborting stops the load and releases the page's blob: URLs (do it when leaving the page). */
  readonly signal: AbortSignal;
  readonly view: ViewSurface;
  /** When the person asked for the page, on `now`'s clock. */
  readonly startedAt: number;
  readonly now: () => number;
  readonly events: PageLoadEvents;
  /** A file name for downloads whose address names none. */
  readonly fallbackName: string;
  readonly limits?: Partial<SubresourceLimits>;
}

/**
 * Loads `url` into the view.
 * @throws {DOMException} AbortError when `signal` aborts; the fetch's errors (TunnelFetchError,
 *   DonorLostError, SignalingError); BodyTooLargeError for a page over `maxPageBytes`.
 */
export async function loadPage(options: PageLoadOptions): Promise<PageOutcome> {
  const { signal, events, now, startedAt } = options;
  const response = await options.fetch(options.url, { headers: { accept: acceptHtml }, signal });
  const contentType = response.headers.get('content-type');
  const summary: PageResponse = {
    url: withFragmentOf(response.url || options.url, options.url),
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    redirected: response.redirected,
    kind: contentKind(contentType, response.headers.get('content-disposition')),
    contentType: mimeEssence(contentType),
  };
  events.onResponse(summary, now() - startedAt);

  const offerFile = async (): Promise<PageOutcome> => {
    await response.body?.cancel().catch(() => {});
    return { kind: 'file', url: summary.url, name: downloadName(response.headers.get('content-disposition'), summary.url, options.fallbackName), contentType: summary.contentType };
  };

  switch (summary.kind) {
    case 'file':
      return offerFile();
    case 'image': {
      const body = await readBody(response, { maxBytes: maxImageBytes });
      const blobUrl = URL.createObjectURL(new Blob(body.chunks, { type: summary.contentType }));
      signal.addEventListener('abort', () => URL.revokeObjectURL(blobUrl), { once: true });
      installImage(await options.view.document(), blobUrl, summary.url);
      await rendered(options, '');
      return { kind: 'shown', totalMs: now() - startedAt };
    }
    case 'text': {
      if (Number(response.headers.get('content-length') ?? 0) > maxTextBytes) return offerFile();
      const body = joinChunks(await readBody(response, { maxBytes: maxTextBytes }));
      installText(await options.view.document(), decodeText(body, detectCharset(contentType, body)));
      await rendered(options, '');
      return { kind: 'shown', totalMs: now() - startedAt };
    }
    case 'html':
      return showHtml(options, response, summary);
  }
}

async function rendered(options: PageLoadOptions, title: string): Promise<void> {
  options.signal.throwIfAborted();
  await options.view.nextPaint();
  options.events.onRendered(title, options.now() - options.startedAt);
}

async function showHtml(options: PageLoadOptions, response: Response, summary: PageResponse): Promise<PageOutcome> {
  const { signal, view, now, startedAt } = options;
  const bytes = joinChunks(await readBody(response, { maxBytes: maxPageBytes }));
  const html = decodeText(bytes, detectCharset(response.headers.get('content-type'), bytes));
  const doc = await view.document();
  signal.throwIfAborted();
  const page = sanitizePage(html, { pageUrl: summary.url, slot: view.slot(), matchesMedia: (query) => view.matchesMedia(query) });
  options.events.onPageSource?.(html, pageNeedsScripts(html, page.root));
  const loader = createSubresourceLoader({ fetch: options.fetch, signal, limits: options.limits, onProgress: options.events.onSubresources });
  signal.addEventListener('abort', () => loader.dispose(), { once: true });

  // Stylesheet text first, so the first paint is styled (its images and fonts come after).
  const sources = new Map<StylesheetTask, Promise<FetchedStylesheet | null>>();
  for (const task of page.stylesheets) {
    sources.set(task, 'href' in task.source ? loader.stylesheet(task.source.href) : Promise.resolve({ css: task.source.css, url: page.baseUrl }));
  }
  const provisional = (task: StylesheetTask, sheet: FetchedStylesheet | null): void => {
    if (sheet !== null && 'href' in task.source) task.element.textContent = provisionalCss(sheet.css);
  };
  const early = new Set<StylesheetTask>();
  await Promise.race([
    Promise.all([...sources].map(async ([task, pending]) => {
      provisional(task, await pending);
      early.add(task);
    })),
    new Promise((resolve) => setTimeout(resolve, firstPaintStylesheetWaitMs)),
  ]);
  signal.throwIfAborted();
  installPage(doc, page.root);
  const fragmentJump = jumpOnArrival(doc, fragmentOf(summary.url), signal);
  await rendered(options, page.title);

  const apply = (action: () => void): void => {
    if (!signal.aborted) action();
  };
  await Promise.allSettled([
    ...page.images.map(async (task) => {
      const blobUrl = await loader.blobUrl(task.url, 'image');
      if (blobUrl === null) return;
      apply(() => task.element.setAttribute(task.attribute, blobUrl));
      // Loaded means laid out at its size (as a page's load event waits for its images), so
      // the fragment jump after this finds its target where it will stay.
      if (task.attribute === 'src' && typeof (task.element as HTMLImageElement).decode === 'function') await (task.element as HTMLImageElement).decode().catch(() => {});
    }),
    ...[...sources].map(async ([task, pending]) => {
      const sheet = await pending;
      if (sheet === null) return;
      if (!early.has(task)) apply(() => provisional(task, sheet));
      const built = await buildStylesheet(sheet.css, sheet.url, loader);
      apply(() => (task.element.textContent = built));
    }),
    ...page.inlineStyles.map(async (task) => {
      const built = await buildStylesheet(task.css, page.baseUrl, loader);
      apply(() => task.element.setAttribute('style', built));
    }),
  ]);
  signal.throwIfAborted();
  fragmentJump.settle();
  return { kind: 'shown', totalMs: now() - startedAt };
}

/**
 * Scrolls to the page's fragment (if its URL has one) as soon as it is in the view, and once more
 * when its images and stylesheets are in, since they move what comes below them; unless the
 * reader has scrolled, clicked or typed meanwhile (browsers keep the fragment in view the same way).
 */
function jumpOnArrival(doc: Document, fragment: string | null, signal: AbortSignal): { settle(): void } {
  if (fragment === null) return { settle() {} };
  jumpToFragment(doc, fragment);
  const reading = new AbortController();
  const stop = (): void => reading.abort();
  signal.addEventListener('abort', stop, { once: true });
  let moved = false;
  for (const type of ['wheel', 'keydown', 'pointerdown', 'touchstart']) {
    doc.addEventListener(type, () => (moved = true), { capture: true, passive: true, signal: reading.signal });
  }
  return {
    settle() {
      if (!moved && !signal.aborted) jumpToFragment(doc, fragment);
      stop();
      signal.removeEventListener('abort', stop);
    },
  };
}
