// A page's CSS made safe to show: for the first paint every reference is replaced by a placeholder
// that loads nothing; the final version has each image and font fetched through the donor as a
// blob: URL, and each @import built the same way into a blob: stylesheet of its own.
import { findCssUrls, rewriteCssUrls, type CssUrlRef } from './css-rewrite.ts';
import { resolveHttpUrl } from './resolve-url.ts';
import type { SubresourceLoader } from './subresources.ts';

/** Nested @import levels followed; deeper ones (and import cycles) are dropped. */
export const maxImportDepth = 4;

/** A URL that loads nothing: an empty data: resource (decodes as no image and no font). */
export const inertUrl = 'data:,';

/** What building a stylesheet needs from the page's loader. */
export type StylesheetLoader = Pick<SubresourceLoader, 'blobUrl' | 'stylesheet' | 'cssBlobUrl'>;

/** True for references that never reach the network: an element of this document, or inline data. */
function staysLocal(ref: CssUrlRef): boolean {
  if (ref.kind === 'import') return false;
  return ref.url.startsWith('#') || /^\s*data:/i.test(ref.url);
}

/** `css` for the first paint: local references kept, @imports left out, every other reference replaced by `inertUrl`. */
export function provisionalCss(css: string): string {
  return rewriteCssUrls(css, (ref) => (staysLocal(ref) ? ref.url : ref.kind === 'import' ? null : inertUrl));
}

/**
 * `css` (found at `baseUrl`) with every image, font and import fetched through the loader; what
 * cannot be loaded becomes `inertUrl` (an import that cannot is left out). Nothing in the result
 * points at the network.
 */
export async function buildStylesheet(css: string, baseUrl: string, loader: StylesheetLoader, depth = 0): Promise<string> {
  const replacements = new Map<string, Promise<string | null>>();
  const keyOf = (ref: CssUrlRef): string => `${ref.kind === 'import' ? 'import' : 'asset'} ${ref.url}`;
  for (const ref of findCssUrls(css)) {
    const key = keyOf(ref);
    if (!replacements.has(key)) replacements.set(key, replacement(ref, baseUrl, loader, depth));
  }
  const resolved = new Map<string, string | null>();
  await Promise.all([...replacements].map(async ([key, pending]) => resolved.set(key, await pending)));
  return rewriteCssUrls(css, (ref) => resolved.get(keyOf(ref)) ?? null);
}

/** The URL to write for `ref`; null for an import that is left out. */
async function replacement(ref: CssUrlRef, baseUrl: string, loader: StylesheetLoader, depth: number): Promise<string | null> {
  if (staysLocal(ref)) return ref.url;
  const url = resolveHttpUrl(ref.url, baseUrl);
  if (ref.kind !== 'import') return url === null ? inertUrl : ((await loader.blobUrl(url, 'asset')) ?? inertUrl);
  if (url === null || depth >= maxImportDepth) return null;
  const sheet = await loader.stylesheet(url);
  if (sheet === null) return null;
  return loader.cssBlobUrl(await buildStylesheet(sheet.css, sheet.url, loader, depth + 1));
}
