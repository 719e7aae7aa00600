// Builds the real extension (wxt build) for the extension suites: a test build that may fetch a
// short fixed list of loopback origins (the test site and its CDN), or a production build for the
// tests that prove it cannot fetch any.
// Builds are cached by configuration and a digest of the sources, so the suites of one run (in
// separate worker processes) share one build per configuration; a lock folder serialises them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The loopback origin test builds allow first; the test site listens here (inside the namespace). */
export const extensionTestOrigin = 'http://127.0.0.1:47615';
/** The second origin test builds allow: the test site's CDN (tests/support/test-site-cdn.ts), which sends no CORS headers. */
export const extensionCdnOrigin = 'http://127.0.0.1:47617';
/** The loopback port test builds use as their default signaling server. */
export const extensionTestSignalingPort = 47616;
export const extensionTestSignalingUrl = `ws://127.0.0.1:${extensionTestSignalingPort}`;

export type TargetBrowser = 'chrome' | 'firefox';

export interface ExtensionBuildOptions {
  browser: TargetBrowser;
  /** Omit for a production build. The test site's origin: first of the build's list, where the test and partner bridges run. */
  testOrigin?: string;
  /**
   * The other loopback origins the test build's exit may fetch besides `testOrigin` (at most 3;
   * wxt.config.ts refuses more, or anything but `http://127.0.0.1:<port>`-style origins).
   * Default: the CDN origin, so every suite shares one test build. Ignored without `testOrigin`.
   */
  moreTestOrigins?: readonly string[];
  signalingUrl?: string;
}

const cacheRoot = join('node_modules', '.cache', 'porchlight-extension');
/** What goes into a build: every file under these, plus the config and lockfile. */
// contracts/ and chain/: the build computes the receipt domain from the deploy plan.
const sourceRoots = ['extension', 'assets', 'offscreen', 'protocol', 'settings', 'background', 'ui', 'content', 'locales', 'public', 'types', 'contracts', 'chain'];
const sourceFiles = ['wxt.config.ts', 'package-lock.json', 'tsconfig.json'];
const lockPollMs = 250;
const lockStaleMs = 5 * 60_000;
/** Builds kept in the cache; older ones are removed when a new one is made. */
const maxCachedBuilds = 8;

async function pruneCache(root: string, keep: string): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const builds = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !e.name.endsWith('.lock') && e.name !== keep)
      .map(async (e) => ({ path: join(root, e.name), mtime: (await stat(join(root, e.name))).mtimeMs })),
  );
  builds.sort((a, b) => b.mtime - a.mtime);
  for (const old of builds.slice(maxCachedBuilds - 1)) await rm(old.path, { recursive: true, force: true }).catch(() => {});
}

async function sourceDigest(): Promise<string> {
  const hash = createHash('sha256');
  const files = [...sourceFiles];
  for (const root of sourceRoots) {
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isFile() && !entry.name.endsWith('.test.ts')) files.push(join(entry.parentPath, entry.name));
  }
  for (const file of files.sort()) {
    hash.update(file);
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function withLock<T>(dir: string, action: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const since = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (since > lockStaleMs) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, lockPollMs));
    }
  }
  try {
    return await action();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Runs `wxt build` (or reuses this configuration's build of the same sources); resolves with the
 * unpacked extension's path. Suites must not write into it.
 * @throws {Error} with wxt's output when the build fails.
 */
export async function buildExtension(options: ExtensionBuildOptions): Promise<string> {
  const signalingUrl = options.signalingUrl ?? extensionTestSignalingUrl;
  const testOrigins = options.testOrigin === undefined ? [] : [options.testOrigin, ...(options.moreTestOrigins ?? [extensionCdnOrigin])];
  const key = createHash('sha256').update(JSON.stringify([options.browser, testOrigins, signalingUrl, await sourceDigest()])).digest('hex').slice(0, 20);
  const outDir = join(process.cwd(), cacheRoot, key);
  const extensionDir = join(outDir, options.browser === 'chrome' ? 'chrome-mv3' : 'firefox-mv2');
  await mkdir(join(process.cwd(), cacheRoot), { recursive: true });
  return withLock(outDir, async () => {
    const done = join(outDir, '.complete');
    if (await stat(done).then(() => true, () => false)) return extensionDir;
    await rm(outDir, { recursive: true, force: true });
    await pruneCache(join(process.cwd(), cacheRoot), key);
    const env = { ...process.env, WXT_OUT_DIR: outDir, WXT_TEST_ORIGINS: testOrigins.join(','), WXT_TEST_ORIGIN: '', WXT_SIGNALING_URL: signalingUrl };
    try {
      await run('npx', ['wxt', 'build', '-b', options.browser], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`wxt build failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
    await mkdir(done);
    return extensionDir;
  });
}
