// The donor extension in a real Chromium over its whole life: sharing on, serving, the service
// worker stopped under open tunnels, the offscreen document killed and brought back, the daily
// cap, and staying reachable with nobody at the keyboard. Clients are Node peers on the same
// engine (the browse-page client has its own suite). Inside the loopback-only namespace.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import type { Client } from '../../offscreen/peers/client.ts';
import { meteredSliceBytes } from '../../offscreen/exit/exit-body.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { patchDonorSettings, readDonorStatus, waitForDonorStatus } from '../support/extension-donor.ts';
import { startNodeClient } from '../support/node-peers.ts';
import { bytesPath, bytesSha256, originPageHtml, startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { watchdogPeriodMinutes } from '../../background/start-background.ts';

const mebibyte = 1024 * 1024;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
/** The watchdog alarm's period plus time for the document to load and log in again. */
const recoveryTimeoutMs = watchdogPeriodMinutes * 60_000 + 30_000;

let signaling: SignalingServer;
let origin: OriginServer;
let donor: ExtensionBrowser;
const clients: Client[] = [];

async function client(): Promise<Client> {
  const c = await startNodeClient(signaling.url);
  clients.push(c);
  return c;
}

async function sha256Of(response: Response): Promise<string> {
  return createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex');
}

beforeAll(async () => {
  // Pings every second: a socket silent for two is dropped, so a donor that stopped answering
  // (a frozen document, a dead connection) would fall off the network within the test.
  signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => 'DE', pingIntervalMs: 1_000 });
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  origin.serveStatic('/page.html', { contentType: 'text/html; charset=utf-8', body: originPageHtml });
  const path = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  donor = await launchWithExtension('donor', path);
  await patchDonorSettings(donor, { sharing: true, signalingUrl: signaling.url });
  await waitForDonorStatus(donor, (s) => s.state === 'connected');
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await donor?.close();
  await signaling?.close();
  await origin?.close();
});

describe('donor extension (Chromium)', () => {
  it('serves a client a page and a file, byte-exact, and counts what it served', async () => {
    const c = await client();
    const page = await c.fetch(origin.url('/page.html'));
    expect(await page.text()).toBe(originPageHtml);
    const file = await c.fetch(origin.url(bytesPath(8 * mebibyte, 'lifecycle')));
    expect(await sha256Of(file)).toBe(bytesSha256(8 * mebibyte, 'lifecycle'));
    const status = await waitForDonorStatus(donor, (s) => s.bytesToday >= 8 * mebibyte);
    expect(status.state).toBe('connected');
    expect(status.countriesToday).toContain('DE');
  }, 60_000);

  it('refuses loopback addresses other than the build\'s one test origin', async () => {
    const c = await client();
    const refused = await c.fetch(`http://127.0.0.1:${signaling.port}/`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TunnelFetchError);
  }, 60_000);

  it('keeps open tunnels working while the service worker is stopped', async () => {
    const c = await client();
    expect((await c.fetch(origin.url('/page.html'))).status).toBe(200);
    const worker = await donor.serviceWorker();
    await worker.close();
    await donor.browser.waitForTarget((t) => t.type() === 'service_worker', { timeout: 1_000 }).then(
      () => {},
      () => {},
    );
    const file = await c.fetch(origin.url(bytesPath(4 * mebibyte, 'sw-stopped')));
    expect(await sha256Of(file)).toBe(bytesSha256(4 * mebibyte, 'sw-stopped'));
  }, 60_000);

  it('comes back when the offscreen document is closed by force, and is reachable again', async () => {
    const offscreen = await donor.offscreenTarget();
    const page = await offscreen.asPage();
    const closedAt = Date.now();
    await page.close();
    // The service worker's watchdog alarm finds the document gone and creates it again; the new
    // engine logs in again (a status from before the kill does not count).
    await donor.offscreenTarget(recoveryTimeoutMs);
    await waitForDonorStatus(donor, (s) => s.state === 'connected' && s.at > closedAt, recoveryTimeoutMs);
    const c = await client();
    const file = await c.fetch(origin.url(bytesPath(2 * mebibyte, 'recovered')));
    expect(await sha256Of(file)).toBe(bytesSha256(2 * mebibyte, 'recovered'));
  }, recoveryTimeoutMs * 2 + 30_000);

  it('stops serving past its daily cap and says why', async () => {
    const before = (await readDonorStatus(donor))?.bytesToday ?? 0;
    const capBytes = Math.ceil(before / mebibyte) * mebibyte + 10 * mebibyte;
    await patchDonorSettings(donor, { dailyCapBytes: capBytes });
    const c = await client();
    const response = await c.fetch(origin.url(bytesPath(32 * mebibyte, 'capped')));
    const cut = await response.arrayBuffer().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(cut).toBeInstanceOf(TunnelFetchError);
    expect((cut as TunnelFetchError).reason).toBe('donor-cap-reached');
    const status = await waitForDonorStatus(donor, (s) => s.state === 'paused');
    expect(status.reason).toBe('daily-cap');
    // At most one metered slice past the cap.
    expect(status.bytesToday).toBeLessThanOrEqual(capBytes + meteredSliceBytes);
    // The popup says so in plain words.
    const popup = await donor.openPage('popup.html');
    await popup.waitForFunction(() => /today's data limit/i.test(document.getElementById('share-status')?.textContent ?? ''), { timeout: 10_000 });
    await popup.close();
    await patchDonorSettings(donor, { dailyCapBytes: null });
    await waitForDonorStatus(donor, (s) => s.state === 'connected');
  }, 90_000);
});
