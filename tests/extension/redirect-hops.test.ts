// Redirect hops in real donor browsers: the built extension in Chromium and in Firefox ESR serves
// a Node client, and a public https site answers with redirects into the donor's home network.
// The "router" listens at 192.168.1.1 and the site at a public-looking address, both on this
// namespace's own loopback interface; the browsers resolve the attacker's names to them. The proof
// is what reached the router: no request body ever, and on Firefox (which resolves every hop first)
// no request at all. Inside the loopback-only namespace (scripts/netns.mjs).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../offscreen/peers/client.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { patchDonorSettings, waitForDonorStatus } from '../support/extension-donor.ts';
import { firefoxPath, launchFirefoxWithExtension, testBridgePage, updateSettingsVia, waitForStatusVia, type FirefoxWithExtension } from '../support/firefox-browser.ts';
import { newsHost, publicIp, rebindingHost, routerName, startLanStandIns, type LanStandIns } from '../support/lan-stand-ins.ts';
import { startNodeClient } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const news = (path: string): string => `https://${newsHost}${path}`;
/** A public name that does not exist. */
const goneHost = 'gone.porchlight.network';

let lan: LanStandIns;
let origin: OriginServer;

const redirect = (status: number, location: string) => (_: IncomingMessage, response: ServerResponse) =>
  void response.writeHead(status, { location, 'content-length': '0' }).end();

beforeAll(async () => {
  lan = await startLanStandIns(firefoxPath);
  // The site's answers: each path is one trick.
  lan.route('/comment', redirect(307, `http://${rebindingHost}/apply`));
  lan.route('/upload', redirect(307, `https://${rebindingHost}/apply`));
  lan.route('/settings', redirect(308, `http://${rebindingHost}/settings`));
  lan.route('/moved', redirect(302, `http://${rebindingHost}/admin`));
  lan.route('/box', redirect(302, `http://${routerName}/`));
  lan.route('/old', redirect(301, news('/new')));
  // A public name nothing resolves in this namespace, and a public address where nothing listens on port 80.
  lan.route('/gone', redirect(302, `https://${goneHost}/`));
  lan.route('/closed', redirect(302, `http://${publicIp}/`));
  lan.route('/new', (_, response) => void response.writeHead(200, { 'content-type': 'text/plain' }).end('the new page'));
  // The test build's one origin: the Firefox test bridge lives there.
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  origin.serveStatic(testBridgePage.path, testBridgePage);
}, 60_000);

afterAll(async () => {
  await lan?.close();
  await origin?.close();
});

/** The refusal a request through the donor ends in. */
async function refusal(client: Client, url: string, init?: RequestInit): Promise<TunnelFetchError> {
  const outcome = await client.fetch(url, init).then(async (r) => `status ${r.status}: ${await r.text()}`, (e: unknown) => e);
  expect(outcome).toBeInstanceOf(TunnelFetchError);
  return outcome as TunnelFetchError;
}

type DonorKind = 'chromium' | 'firefox';

describe.each<DonorKind>(['chromium', 'firefox'])('redirect hops through a %s donor', (kind) => {
  let signaling: SignalingServer;
  let chromium: ExtensionBrowser | undefined;
  let firefox: FirefoxWithExtension | undefined;
  let client: Client;

  // Plain-http GET/HEAD turned on (off by default): the donor who allows more is the one to attack.
  beforeAll(async () => {
    signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => 'DE' });
    if (kind === 'chromium') {
      const path = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
      // Chromium in a namespace without a network says ERR_INTERNET_DISCONNECTED for any name it must look up; the
      // rule makes its resolver answer "no such name" for this one, as DNS would for a name that does not exist.
      const extraArgs = lan.chromiumArgs.map((arg) => (arg.startsWith('--host-resolver-rules=') ? `${arg}, MAP ${goneHost} ~NOTFOUND` : arg));
      chromium = await launchWithExtension('redirect-donor', path, { extraArgs });
      await patchDonorSettings(chromium, { sharing: true, allowPlainHttp: true, signalingUrl: signaling.url });
      await waitForDonorStatus(chromium, (s) => s.state === 'connected');
    } else {
      const path = await buildExtension({ browser: 'firefox', testOrigin: extensionTestOrigin, signalingUrl: signaling.url });
      firefox = await launchFirefoxWithExtension('redirect-donor', path, {}, { executablePath: lan.firefoxExecutable, acceptInsecureCerts: true });
      const bridge = await firefox.openPage(origin.url(testBridgePage.path));
      await updateSettingsVia(bridge, { sharing: true, allowPlainHttp: true });
      await waitForStatusVia(bridge, (s) => s.state === 'connected', 30_000);
    }
    client = await startNodeClient(signaling.url);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await Promise.allSettled([chromium?.close(), firefox?.close()]);
    await signaling?.close();
  });

  it('follows a public redirect itself and serves the page it leads to', async () => {
    const response = await client.fetch(news('/old'));
    expect(response.status).toBe(200);
    expect(response.url).toBe(news('/new'));
    expect(response.redirected).toBe(true);
    expect(await response.text()).toBe('the new page');
  }, 60_000);

  it('refuses a 307 that would re-send a POST from https to a plain-http name in the LAN, before it leaves', async () => {
    lan.lanRequests.length = 0;
    const error = await refusal(client, news('/comment'), { method: 'POST', body: 'dns=203.0.113.66' });
    expect(error.reason).toBe('redirect-not-allowed');
    expect(error.message).toMatch(/from https to plain http/);
    expect(lan.lanRequests).toEqual([]);
  }, 60_000);

  it('refuses a 308 of a PUT to plain http in the LAN the same way', async () => {
    lan.lanRequests.length = 0;
    const error = await refusal(client, news('/settings'), { method: 'PUT', body: '{"admin":"pwned"}' });
    expect(error.reason).toBe('redirect-not-allowed');
    expect(lan.lanRequests).toEqual([]);
  }, 60_000);

  it('never sends a POST body to an https name that resolves into the LAN', async () => {
    lan.lanRequests.length = 0;
    const error = await refusal(client, news('/upload'), { method: 'POST', body: 'secret upload' });
    if (kind === 'firefox') {
      // Firefox resolves the hop's name first and refuses the address.
      expect(error.reason).toBe('address-not-public');
    } else {
      // Chrome cannot resolve first; the router cannot show a certificate for the attacker's name.
      expect(error.reason).toBe('upstream-failed');
    }
    expect(lan.lanRequests).toEqual([]);
  }, 60_000);

  it('says a hop to a name that does not resolve is a site not found, as the browser heard it', async () => {
    const error = await refusal(client, news('/gone'));
    expect(error.reason).toBe('site-not-found');
    expect(error.message).toMatch(/does not exist in DNS|could not be resolved/);
  }, 60_000);

  it('says a hop to an address where nothing listens is a site that is down', async () => {
    const error = await refusal(client, news('/closed'));
    expect(error.reason).toBe('site-down');
  }, 60_000);

  it("never sends a hop to a router's own name", async () => {
    lan.lanRequests.length = 0;
    const error = await refusal(client, news('/box'));
    expect(error.reason).toBe('hostname-not-public');
    expect(lan.lanRequests).toEqual([]);
  }, 60_000);

  it('refuses a GET hop to a public name that resolves into the LAN, and forwards nothing from it', async () => {
    lan.lanRequests.length = 0;
    const error = await refusal(client, news('/moved'));
    expect(error.reason).toBe('address-not-public');
    expect(error.message).toContain('192.168.1.1');
    if (kind === 'firefox') {
      expect(lan.lanRequests).toEqual([]);
    } else {
      // Chrome has no DNS API: the bodiless GET reaches the router; its answer is never forwarded.
      expect(lan.lanRequests).toEqual([{ scheme: 'http', method: 'GET', url: '/admin', host: rebindingHost, bodyBytes: 0 }]);
    }
  }, 60_000);
});
