// Debian's Firefox ESR with a fresh profile and the built extension installed as a temporary
// add-on (WebDriver BiDi `webExtension.install`), for the Firefox extension suites. Puppeteer
// cannot open moz-extension:// pages, so the suites reach the extension through the test bridge
// (a test-build content script on the test origin's /test-bridge page; content/test-bridge.ts).
// Run it inside the loopback-only namespace (scripts/netns.mjs).
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { testBridgeFrameAttribute, testBridgePath, testBridgeTag, type TestBridgeCommand, type TestBridgeMessage } from '../../content/test-bridge.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import { protocolTimeoutMs } from './browser-harness.ts';

/** Debian's Firefox ESR; override with PORCHLIGHT_FIREFOX. */
export const firefoxPath = process.env.PORCHLIGHT_FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Profile preferences on top of puppeteer's own (which already silence updates, safebrowsing
 * lists, Normandy and the health report): WebRTC over loopback, no media prompt, and no other
 * call home, so the only traffic is the suite's.
 */
export const firefoxPrefs: Readonly<Record<string, string | number | boolean>> = {
  // WebRTC between two processes on this machine, inside the loopback-only namespace.
  'media.peerconnection.ice.loopback': true,
  // Host candidates as plain addresses: the other browser cannot resolve mDNS (.local) names here.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'permissions.default.microphone': 1,
  'permissions.default.camera': 1,
  'media.navigator.permission.disabled': true,
  // Unsigned add-ons (ESR honours this; the suite installs a temporary add-on anyway).
  'xpinstall.signatures.required': false,
  // No telemetry, captive-portal or connectivity probes, remote settings, region or search lookups.
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'datareporting.usage.uploadEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.geoSpecificDefaults': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google.updateURL': '',
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.showPane': false,
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.normandy.enabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.topsites': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.topsites.contile.enabled': false,
  'network.trr.mode': 5,
  // Extension pages and background pages must not be slowed down while the window is unfocused.
  'dom.min_background_timeout_value': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
};

export interface FirefoxWithExtension {
  readonly browser: Browser;
  /** The add-on id Firefox reports (the manifest's gecko id). */
  readonly extensionId: string;
  /** Opens `url` in a new tab and waits for it to load. */
  openPage(url: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Firefox ESR (headless, fresh profile with {@link firefoxPrefs} and `extraPrefs`) and
 * installs the unpacked extension at `extensionPath`; `launch` may name a wrapper executable and
 * accept self-signed certificates (the redirect-hop suite's stand-in sites).
 */
export async function launchFirefoxWithExtension(
  label: string,
  extensionPath: string,
  extraPrefs: Record<string, string | number | boolean> = {},
  launch: { executablePath?: string; acceptInsecureCerts?: boolean } = {},
): Promise<FirefoxWithExtension> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: launch.executablePath ?? firefoxPath,
    acceptInsecureCerts: launch.acceptInsecureCerts ?? false,
    headless: true,
    protocolTimeout: protocolTimeoutMs,
    extraPrefsFirefox: { ...firefoxPrefs, ...extraPrefs },
    // Lets puppeteer's remote-settings server override (a dead host) take effect.
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    // Firefox writes to the console on its own; only the suite's failures are of interest.
    dumpio: process.env.PORCHLIGHT_FIREFOX_DUMPIO === '1',
  });
  let extensionId: string;
  try {
    extensionId = await browser.installExtension(extensionPath);
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
  return {
    browser,
    extensionId,
    async openPage(url) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`[${label}] page error: ${String(error)}`));
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/** How long a bridge request may take before the page gives up (the content script may not be there). */
export const bridgeTimeoutMs = 10_000;

// The page's half of the bridge: `window.porchlightBridge(command)` waits for the bridge frame
// (put in by the content script) to say it is ready, posts the request to it, and resolves with
// its answer (or `{ timeout: true }`). Plain script in the page, so `page.evaluate` only calls it.
const bridgePageScript = `
const tag = ${JSON.stringify(testBridgeTag)};
const isFrame = (source) => {
  const frame = document.querySelector('iframe[${testBridgeFrameAttribute}]');
  return frame !== null && source === frame.contentWindow ? frame : null;
};
const ready = new Promise((resolve) => {
  window.addEventListener('message', (event) => {
    const frame = isFrame(event.source);
    if (frame && event.data && event.data.tag === tag && event.data.kind === 'ready') resolve(frame);
  });
});
window.porchlightBridge = (command) => new Promise((resolve) => {
  const id = crypto.getRandomValues(new Uint32Array(1))[0];
  const onMessage = (event) => {
    const data = event.data;
    if (!isFrame(event.source) || !data || data.tag !== tag || data.kind !== 'response' || data.id !== id) return;
    clearTimeout(timer);
    window.removeEventListener('message', onMessage);
    resolve(data);
  };
  const timer = setTimeout(() => {
    window.removeEventListener('message', onMessage);
    resolve({ timeout: true });
  }, ${bridgeTimeoutMs});
  window.addEventListener('message', onMessage);
  ready.then((frame) => frame.contentWindow.postMessage({ tag, kind: 'request', id, command }, new URL(frame.src).origin));
});
`;

/** The test page the bridge content script runs on; serve it from the build's test origin. */
export const testBridgePage = {
  path: testBridgePath,
  contentType: 'text/html; charset=utf-8',
  body: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Porchlight test bridge</title>\n<script>${bridgePageScript}</script></head>\n<body><p>Porchlight test bridge</p></body></html>\n`,
} as const;

declare global {
  interface Window {
    porchlightBridge(command: TestBridgeCommand): Promise<Extract<TestBridgeMessage, { kind: 'response' }> | { timeout: true }>;
  }
}

/**
 * Sends one command to the extension through the test bridge in `page` (opened on
 * {@link testBridgePage} at the build's test origin) and resolves with its answer.
 * @throws {Error} when the bridge answers with an error or does not answer in time.
 */
export async function sendBridgeCommand(page: Page, command: TestBridgeCommand): Promise<unknown> {
  const response = await page.evaluate((cmd) => window.porchlightBridge(cmd), command);
  if ('timeout' in response) throw new Error(`the test bridge did not answer ${command.type} within ${bridgeTimeoutMs} ms (is the page on the build's test origin?)`);
  if (!response.ok) throw new Error(`the test bridge refused ${command.type}: ${response.error}`);
  return response.value;
}

/** Saves a settings change through the bridge, as the options page would; resolves with the saved settings. */
export function updateSettingsVia(page: Page, patch: Partial<DonorSettings>): Promise<DonorSettings> {
  return sendBridgeCommand(page, { type: 'update-settings', patch }) as Promise<DonorSettings>;
}

/** The donor status the background last stored (what the popup shows). */
export function readStatusVia(page: Page): Promise<DonorStatus> {
  return sendBridgeCommand(page, { type: 'read-status' }) as Promise<DonorStatus>;
}

/**
 * Polls the donor status through the bridge until `accept` holds; resolves with that status.
 * @throws {Error} with the last status seen when `timeoutMs` passes first.
 */
export async function waitForStatusVia(page: Page, accept: (status: DonorStatus) => boolean, timeoutMs = 30_000, intervalMs = 250): Promise<DonorStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: DonorStatus | undefined;
  for (;;) {
    last = await readStatusVia(page);
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`donor status never reached the expected state; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
