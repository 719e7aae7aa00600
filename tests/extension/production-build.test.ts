// The production build cannot widen the exit policy: it carries no test origin, and a donor
// running it refuses loopback targets — every origin a test build lists (the test site and its
// CDN) and the rest — proven against the built bundle in a real Chromium.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import type { Client } from '../../offscreen/peers/client.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { buildExtension, extensionCdnOrigin, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { patchDonorSettings, waitForDonorStatus } from '../support/extension-donor.ts';
import { startNodeClient } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let signaling: SignalingServer;
let origin: OriginServer;
let cdn: OriginServer;
let extensionPath: string;
let donor: ExtensionBrowser;
let client: Client | undefined;

async function bundleText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile() && /\.(js|html|json)$/.test(e.name)).map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  );
  return texts.join('\n');
}

beforeAll(async () => {
  signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => 'NL' });
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  origin.serveStatic('/secret.html', { contentType: 'text/html', body: '<p>on the donor’s own machine</p>' });
  cdn = await startOriginServer({ port: Number(new URL(extensionCdnOrigin).port), cors: false });
  cdn.serveStatic('/secret.png', { contentType: 'image/png', body: 'also on the donor’s own machine' });
  extensionPath = await buildExtension({ browser: 'chrome' });
  donor = await launchWithExtension('production-donor', extensionPath);
  // A donor may point the extension at any signaling server; that does not touch the exit policy.
  await patchDonorSettings(donor, { sharing: true, signalingUrl: signaling.url });
  await waitForDonorStatus(donor, (s) => s.state === 'connected');
}, 120_000);

afterAll(async () => {
  client?.close();
  await donor?.close();
  await signaling?.close();
  await origin?.close();
  await cdn?.close();
});

describe('production build', () => {
  it('carries no test origin in any file of the bundle', async () => {
    const text = await bundleText(extensionPath);
    for (const listed of [extensionTestOrigin, extensionCdnOrigin]) expect(text).not.toContain(new URL(listed).host);
    expect(text).not.toContain('test-bridge');
  });

  it('refuses the loopback origins a test build would allow, and every other loopback target', async () => {
    client = await startNodeClient(signaling.url);
    for (const url of [`${extensionTestOrigin}/secret.html`, `${extensionCdnOrigin}/secret.png`, `http://127.0.0.1:${signaling.port}/`, 'http://localhost/', 'http://[::1]/']) {
      const error = await client.fetch(url).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(TunnelFetchError);
      expect((error as TunnelFetchError).code, url).toBe(ErrorCode.POLICY_DENIED);
    }
    expect(origin.requests.byPath.get('/secret.html') ?? 0).toBe(0);
    expect(cdn.requests.total).toBe(0);
  }, 60_000);
});
