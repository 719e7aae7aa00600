// A page's images, stylesheets and fonts, fetched through the same donor as the page and handed
// to the view as blob: URLs, so the frame itself never loads anything from the network. One
// fetch per address per page, a few at a time, each capped in size; everything is released with
// the page.
import { mimeEssence } from './content-kind.ts';
import { decodeText, detectCharset } from './decode-text.ts';
import { joinChunks, readBody } from './read-body.ts';

/** fetch() through the donor. */
export type FetchThrough = (input: string, init?: RequestInit) => Promise<Response>;

/** What a resource is for (it decides the Accept header). */
export type AssetKind = 'image' | 'asset';

/** How much one page may load besides itself. */
export interface SubresourceLimits {
  /** Requests in flight at once (browsers use about six per host). */
  readonly concurrency: number;
  /** Largest single resource; bigger ones are left out. */
  readonly maxBytesEach: number;
  /** Resources per page; the rest are left out. */
  readonly maxCount: number;
}

/** The limits a page gets by default. */
export const defaultSubresourceLimits: SubresourceLimits = {
  concurrency: 6,
  maxBytesEach: 16 * 1024 * 1024,
  maxCount: 400,
};

const acceptHeaders: Readonly<Record<AssetKind | 'stylesheet', string>> = {
  image: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
  asset: '*/*',
  stylesheet: 'text/css,*/*;q=0.1',
};

/** Counters of one page's resources. */
export interface SubresourceStats {
  readonly loaded: number;
  readonly failed: number;
  readonly bytes: number;
}

/** A stylesheet's text as fetched. */
export interface FetchedStylesheet {
  readonly css: string;
  /** The final URL after redirects: relative references inside resolve against it. */
  readonly url: string;
}

/** The handle `createSubresourceLoader` returns. */
export interface SubresourceLoader {
  /** A blob: URL for `url` fetched through the donor (once per page), or null when it could not be loaded. */
  blobUrl(url: string, kind: AssetKind): Promise<string | null>;
  /** A stylesheet's text fetched through the donor (once per page), or null when it could not be loaded. */
  stylesheet(url: string): Promise<FetchedStylesheet | null>;
  /** A blob: URL holding CSS this page built (an imported stylesheet after rewriting). */
  cssBlobUrl(css: string): string;
  stats(): SubresourceStats;
  /** Revokes every blob: URL made for the page; later loads resolve to null. */
  dispose(): void;
}

/** Options of `createSubresourceLoader`. */
export interface SubresourceLoaderOptions {
  readonly fetch: FetchThrough;
  /** Aborts every request of the page (navigating away). */
  readonly signal: AbortSignal;
  readonly limits?: Partial<SubresourceLimits>;
  /** Called whenever a resource finishes, loaded or not. */
  readonly onProgress?: (stats: SubresourceStats) => void;
}

/** Creates the loader for one page. */
export function createSubresourceLoader(options: SubresourceLoaderOptions): SubresourceLoader {
  const limits: SubresourceLimits = { ...defaultSubresourceLimits, ...options.limits };
  const blobs = new Map<string, Promise<string | null>>();
  const sheets = new Map<string, Promise<FetchedStylesheet | null>>();
  const made: string[] = [];
  const waiting: Array<() => void> = [];
  let active = 0;
  let started = 0;
  let loaded = 0;
  let failed = 0;
  let bytes = 0;
  let disposed = false;

  const stats = (): SubresourceStats => ({ loaded, failed, bytes });

  async function slot<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limits.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  /** Fetches `url` and reads its body, or null (counted as failed) when anything goes wrong. */
  function load(url: string, accept: string): Promise<{ response: Response; body: Uint8Array<ArrayBuffer>[]; size: number } | null> {
    if (disposed || options.signal.aborted || started >= limits.maxCount) return Promise.resolve(null);
    started++;
    return slot(async () => {
      try {
        const response = await options.fetch(url, { headers: { accept }, signal: options.signal });
        if (!response.ok) {
          await response.body?.cancel().catch(() => {});
          throw new Error(`status ${response.status}`);
        }
        const body = await readBody(response, { maxBytes: limits.maxBytesEach });
        bytes += body.bytes;
        loaded++;
        return { response, body: body.chunks, size: body.bytes };
      } catch {
        failed++;
        return null;
      } finally {
        options.onProgress?.(stats());
      }
    });
  }

  function remember(blob: Blob): string | null {
    if (disposed) return null;
    const url = URL.createObjectURL(blob);
    made.push(url);
    return url;
  }

  return {
    blobUrl(url, kind) {
      let pending = blobs.get(url);
      if (pending === undefined) {
        pending = load(url, acceptHeaders[kind]).then((result) => {
          if (result === null) return null;
          const type = mimeEssence(result.response.headers.get('content-type'));
          return remember(new Blob(result.body, { type }));
        });
        blobs.set(url, pending);
      }
      return pending;
    },
    stylesheet(url) {
      let pending = sheets.get(url);
      if (pending === undefined) {
        pending = load(url, acceptHeaders.stylesheet).then((result) => {
          if (result === null) return null;
          // An error page in HTML is not a stylesheet, whatever its status.
          if (mimeEssence(result.response.headers.get('content-type')) === 'text/html') return null;
          const joined = joinChunks({ chunks: result.body, bytes: result.size });
          const css = decodeText(joined, detectCharset(result.response.headers.get('content-type'), joined));
          return { css, url: result.response.url || url };
        });
        sheets.set(url, pending);
      }
      return pending;
    },
    cssBlobUrl(css) {
      // Blobs made after dispose are never handed out; a stale page gets a harmless empty answer.
      return remember(new Blob([css], { type: 'text/css' })) ?? 'data:,';
    },
    stats,
    dispose() {
      disposed = true;
      for (const url of made.splice(0)) URL.revokeObjectURL(url);
    },
  };
}
