// Firefox ESR as the donor: the built extension (a test build that may fetch only the loopback
// test origin) turns sharing on as a donor would, reports 'connected', and serves a Chromium
// client — the browser harness page — a web page and a file, byte-exact, over real WebRTC.
// Runs inside the loopback-only namespace; Firefox is reached through the test bridge.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling/server.ts';
import { fetchDigestIn, fetchFailureIn, fetchTextIn, harnessPagePath, launchPeer, serveHarnessPage, startClientIn, startQuietSignaling, type PeerBrowser } from '../support/browser-harness.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchFirefoxWithExtension, testBridgePage, updateSettingsVia, waitForStatusVia, type FirefoxWithExtension } from '../support/firefox-browser.ts';
import { bytesPath, bytesSha256, originPageHtml, startOriginServer, type OriginServer } from '../support/origin-server.ts';

/** The file the client downloads through the Firefox donor. */
const fileBytes = 8 * 1024 * 1024;
const fileSeed = 'firefox-donor';
/** A stand-in for a device on the donor's home network: another loopback address, outside the test origin. */
const lanHost = '127.0.0.2';
const lanPort = 47620;
/** A public-looking name Firefox resolves to loopback (`network.dns.localDomains`): a rebinding attack's answer. */
const rebindingName = 'rebind.porchlight.network';

describe('Firefox ESR donor, Chromium client', () => {
  let signaling: SignalingServer;
  let origin: OriginServer;
  let firefox: FirefoxWithExtension;
  let client: PeerBrowser;
  let lan: Server;
  const lanRequests: string[] = [];

  beforeAll(async () => {
    lan = createServer((request, response) => {
      lanRequests.push(request.url ?? '');
      response.end('router admin page');
    });
    await new Promise<void>((resolve, reject) => lan.once('error', reject).listen(lanPort, lanHost, resolve));
    signaling = await startQuietSignaling('DE');
    // The test build's one allowed origin: the site the client asks for, the bridge page and the harness page.
    origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
    origin.serveStatic(testBridgePage.path, testBridgePage);
    await serveHarnessPage(origin);
    const extensionPath = await buildExtension({ browser: 'firefox', testOrigin: extensionTestOrigin, signalingUrl: signaling.url });
    [firefox, client] = await Promise.all([launchFirefoxWithExtension('firefox-donor', extensionPath, { 'network.dns.localDomains': rebindingName }), launchPeer('chromium-client', origin.url(harnessPagePath))]);
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([firefox?.close(), client?.close()]);
    await Promise.allSettled([origin?.close(), signaling?.close()]);
    lan?.close();
  });

  it('turns sharing on and serves a page and a file byte-exact', async () => {
    const bridge = await firefox.openPage(origin.url(testBridgePage.path));
    // A fresh install shares nothing until the donor says so.
    const before = await waitForStatusVia(bridge, () => true);
    expect(before.state).toBe('off');

    const saved = await updateSettingsVia(bridge, { sharing: true });
    expect(saved.sharing).toBe(true);
    const connected = await waitForStatusVia(bridge, (status) => status.state === 'connected', 30_000);
    expect(connected.country).toBe('DE');
    expect(connected.peerId).toMatch(/^[0-9a-f]{64}$/);

    await startClientIn(client.page, signaling.url);
    const page = await fetchTextIn(client.page, origin.url('/page.html'));
    expect(page.status).toBe(200);
    expect(page.text).toBe(originPageHtml);

    const file = await fetchDigestIn(client.page, origin.url(bytesPath(fileBytes, fileSeed)));
    expect(file.status).toBe(200);
    expect(file.bytes).toBe(fileBytes);
    expect(file.sha256).toBe(bytesSha256(fileBytes, fileSeed));

    // The donor counted the person it helped and the bytes it served.
    const helped = await waitForStatusVia(bridge, (status) => status.bytesToday >= fileBytes, 15_000);
    expect(helped.state).toBe('connected');
  }, 120_000);

  it("never lets a redirect take the donor's browser to a private address", async () => {
    // After the first test: the client is logged in, and its donor is this Firefox.
    // The first URL passes the exit policy; its redirect points into the donor's network. The exit
    // checks the hop against the exit policy before sending it (tests/extension/redirect-hops.test.ts has the rest).
    const target = `http://${lanHost}:${lanPort}/admin`;
    const outcome = await fetchFailureIn(client.page, origin.url(`/redirect?to=${encodeURIComponent(target)}`));
    expect(outcome.ok).toBe(false);
    expect(lanRequests).toEqual([]);
  }, 60_000);

  it('refuses a public name that resolves into the donor\'s network before connecting', async () => {
    // Firefox resolves first (offscreen/exit/guarded-fetch/firefox-dns-check.ts): without that check the request would
    // go out and fail to connect ('upstream-failed'); with it, the exit policy refuses the address.
    const outcome = await fetchFailureIn(client.page, `https://${rebindingName}/`);
    expect(outcome).toMatchObject({ ok: false, reason: 'address-not-public' });
  }, 60_000);
});
