// Builds the real extension (wxt build) for the extension suites: a test build that may fetch
// exactly one loopback origin, or a production build for the tests that prove it cannot.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The loopback origin test builds allow; the test site listens here (inside the namespace). */
export const extensionTestOrigin = 'http://127.0.0.1:47615';
/** The loopback port test builds use as their default signaling server. */
export const extensionTestSignalingPort = 47616;
export const extensionTestSignalingUrl = `ws://127.0.0.1:${extensionTestSignalingPort}`;

export type TargetBrowser = 'chrome' | 'firefox';

export interface ExtensionBuildOptions {
  browser: TargetBrowser;
  /** Omit for a production build. */
  testOrigin?: string;
  signalingUrl?: string;
}

/**
 * Runs `wxt build` into a fresh temporary folder; resolves with the unpacked extension's path.
 * @throws {Error} with wxt's output when the build fails.
 */
export async function buildExtension(options: ExtensionBuildOptions): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), `porchlight-${options.browser}-`));
  const env = {
    ...process.env,
    WXT_OUT_DIR: outDir,
    WXT_TEST_ORIGIN: options.testOrigin ?? '',
    WXT_SIGNALING_URL: options.signalingUrl ?? extensionTestSignalingUrl,
  };
  try {
    await run('npx', ['wxt', 'build', '-b', options.browser], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wxt build failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  return join(outDir, options.browser === 'chrome' ? 'chrome-mv3' : 'firefox-mv2');
}
