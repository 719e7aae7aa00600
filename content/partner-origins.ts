// The partner sites whose pages may offer a "Donate bandwidth" button: the one list the partner
// bridge's content script is declared for (extension/partner.content.ts), so the extension runs in
// no other site's pages and no other site can tell it is installed. Adding a partner is a release:
// the store reviewers see the list in the manifest. Test builds add their loopback test origin
// (wxt.config.ts); with no partner and no test origin, the build leaves the content script out.

/** https origins of partner sites, e.g. 'https://donate.example.org'. None yet. */
export const partnerOrigins: readonly string[] = [];

/**
 * The content-script match patterns for `origins`, one per origin.
 * @throws {TypeError} when an entry is not a bare https origin (no path, query, port or wildcard).
 */
export function partnerMatchPatterns(origins: readonly string[]): string[] {
  return origins.map((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.origin !== origin || url.port !== '' || origin.includes('*')) {
      throw new TypeError(`partner origin: expected a bare https origin like https://donate.example.org, got ${JSON.stringify(origin)}`);
    }
    return `${origin}/*`;
  });
}
