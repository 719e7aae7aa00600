// Where a link, form or resource of a page points, as an address the donor may be asked for.
// Only http(s) survives: javascript:, data:, blob:, file: and the like never leave the frame.

const webSchemes: readonly string[] = ['http:', 'https:'];

/** Absolute http(s) URL of `reference` against `base`, or null for any other scheme or a malformed one. */
export function resolveHttpUrl(reference: string, base: string): string | null {
  let url: URL;
  try {
    // The URL parser strips surrounding whitespace and inner tabs/newlines, as browsers do for attributes.
    url = new URL(reference, base);
  } catch {
    return null;
  }
  return webSchemes.includes(url.protocol) ? url.href : null;
}

/**
 * The address a person typed into the URL bar as an http(s) URL: https:// is assumed when no
 * scheme is given ("example.org/news"). Null for empty input or another scheme.
 */
export function addressFromInput(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  // "host:port/path" parses as a scheme "host:", so only an explicit "scheme://" or a known web scheme counts.
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /^(?:https?|javascript|data|blob|file|about|mailto):/i.test(trimmed);
  return resolveHttpUrl(hasScheme ? trimmed : `https://${trimmed}`, 'https://invalid.invalid/');
}

/** True when `target` is `current` with at most a different fragment (a jump within the page). */
export function isSameDocument(target: string, current: string): boolean {
  try {
    const a = new URL(target);
    const b = new URL(current);
    a.hash = '';
    b.hash = '';
    return a.href === b.href;
  } catch {
    return false;
  }
}

/**
 * The fragment of `url` without '#', as written (percent-encoded); '' for a bare '#', and null
 * when the URL has no fragment at all (HTML tells "page#" from "page": only the first is a jump).
 */
export function fragmentOf(url: string): string | null {
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    return null;
  }
  const hash = href.indexOf('#');
  return hash === -1 ? null : href.slice(hash + 1);
}

/** `url` with the fragment of `requested` when it has none of its own (as a redirect keeps the fragment asked for). */
export function withFragmentOf(url: string, requested: string): string {
  const fragment = fragmentOf(requested);
  return fragment === null || fragmentOf(url) !== null ? url : `${url}#${fragment}`;
}
