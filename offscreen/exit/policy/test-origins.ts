// Test builds only: the short, fixed list of loopback origins a test build's exit may fetch (a test
// site and its CDN, say). Chosen at build time (wxt.config.ts) and enforced by the exit policy; both
// call this one parser, so a list the build accepts is exactly the list the policy allows.
import { canonicalIp, classifyIp } from './ip-ranges.ts';

/** The most loopback origins one test build may allow: a site, its CDN, and room for two more. */
export const maxTestOrigins = 4;

/** One allowed test origin: its serialised origin and the loopback address its host is. */
export interface TestOrigin {
  readonly origin: string;
  readonly ip: string;
}

// Not a port the repository's test builds list: the production bundle carries this text, and
// tests/extension/production-build.test.ts checks it names none of them.
const example = 'http://127.0.0.1:47810';

/**
 * Parses one test origin: http(s), a loopback IP literal as host, an explicit port, nothing else.
 * Host names (even `localhost`) are refused: a name is resolved by whatever the machine's resolver
 * says, while an IP literal is never resolved, so nothing can rebind it.
 * @throws {TypeError} when `origin` is not a string.
 * @throws {RangeError} naming the expected shape when it is anything else.
 */
export function parseTestOrigin(origin: string): TestOrigin {
  if (typeof origin !== 'string') throw new TypeError('testOrigin: expected a string');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new RangeError(`testOrigin: expected an origin like ${example}, got ${origin}`);
  }
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    throw new RangeError(`testOrigin: expected a loopback IP literal, not a host name; write http://127.0.0.1:${url.port || '<port>'} instead of ${origin}`);
  }
  const ip = canonicalIp(url.hostname);
  const found = ip === null ? null : classifyIp(ip);
  const isLoopback = found !== null && !found.public && found.range === 'loopback';
  const isBareOrigin = url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isBareOrigin || !isLoopback || ip === null) {
    throw new RangeError(`testOrigin: expected an http(s) origin on a loopback IP literal like ${example}, got ${origin}`);
  }
  // WHATWG URL drops a port that is the scheme's default, so '' also means ":80" was written.
  if (url.port === '') {
    throw new RangeError(`testOrigin: expected an explicit port other than the scheme's default, like ${example}, got ${origin}`);
  }
  return { origin: url.origin, ip };
}

/**
 * Parses a list of test origins: each as `parseTestOrigin`, none twice, at most `maxTestOrigins`.
 * @throws {TypeError} when `origins` is not an array of strings.
 * @throws {RangeError} for a malformed entry, a repeated one, or too many.
 */
export function parseTestOrigins(origins: readonly string[]): readonly TestOrigin[] {
  if (!Array.isArray(origins)) throw new TypeError('testOrigins: expected an array of origins');
  if (origins.length > maxTestOrigins) {
    throw new RangeError(`testOrigins: expected at most ${maxTestOrigins} origins, got ${origins.length}`);
  }
  const parsed = origins.map(parseTestOrigin);
  const seen = new Set<string>();
  for (const { origin } of parsed) {
    if (seen.has(origin)) throw new RangeError(`testOrigins: ${origin} is listed twice`);
    seen.add(origin);
  }
  return parsed;
}

/**
 * Parses a build setting's comma-separated list of test origins (`''` means none), for wxt.config.ts.
 * Resolves with the serialised origins in the order given.
 * @throws {RangeError} naming `setting` and the entry at fault when any entry is refused.
 */
export function parseTestOriginList(text: string, setting: string): readonly string[] {
  if (text.trim() === '') return [];
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) throw new RangeError(`${setting}: expected comma-separated origins like ${example},http://127.0.0.1:47811 with no empty entry, got "${text}"`);
  try {
    return parseTestOrigins(entries).map((entry) => entry.origin);
  } catch (error) {
    throw new RangeError(`${setting}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
