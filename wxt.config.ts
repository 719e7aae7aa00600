import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { defineConfig } from 'wxt';
import { partnerOrigins } from './content/partner-origins.ts';
import { parseTestOriginList } from './offscreen/exit/policy/test-origins.ts';
import { compileContracts } from './chain/compile.ts';
import { localDeployParameters, makeDeployPlan, plannedAddress } from './chain/deploy-plan.ts';
import { defaultToolbarVariant, iconPath, iconPathMap, iconSizes, iconVariants, storeIconVariant, toolbarIconSizes } from './background/icon-files.ts';

// Build-time settings (never widened at run time):
// - WXT_SIGNALING_URL: the signaling server a fresh install uses (donors may change it in options).
// - WXT_TEST_ORIGINS: test builds only; a short fixed list (at most 4, comma-separated) of loopback
//   origins the exit may fetch, each `http://127.0.0.1:<port>` (a loopback IP literal, explicit
//   port); anything else fails the build. The first is the test site's (the test and partner
//   bridges run there); WXT_TEST_ORIGIN, one origin, is read the same way. Production builds leave
//   both empty, and tests/extension/production-build.test.ts proves the built bundle refuses loopback.
// - WXT_CHAIN_ID, WXT_SETTLEMENT_CONTRACT: where receipts settle (their EIP-712 domain). The default
//   is the local anvil chain (31337) and the Settlement address chain/deploy-plan.ts computes for it
//   offline (CREATE2), which is where `npm start`'s deploy puts it: equal by construction.
const signalingUrl = process.env.WXT_SIGNALING_URL ?? 'wss://signal.porchlight.network/ws';
const testOrigins = [
  ...parseTestOriginList(process.env.WXT_TEST_ORIGINS ?? '', 'WXT_TEST_ORIGINS'),
  ...parseTestOriginList(process.env.WXT_TEST_ORIGIN ?? '', 'WXT_TEST_ORIGIN'),
];
if (process.env.WXT_TEST_ORIGINS && process.env.WXT_TEST_ORIGIN) throw new Error('WXT_TEST_ORIGIN and WXT_TEST_ORIGINS are both set: set only WXT_TEST_ORIGINS, with every origin in it');
const testOrigin = testOrigins[0] ?? '';
const settlement = { chainId: process.env.WXT_CHAIN_ID ?? '31337', verifyingContract: process.env.WXT_SETTLEMENT_CONTRACT ?? plannedAddress(makeDeployPlan(compileContracts(), localDeployParameters()), 'Settlement') };
if (!/^[1-9][0-9]{0,19}$/.test(settlement.chainId)) throw new Error(`WXT_CHAIN_ID: expected a positive integer, got ${settlement.chainId}`);
if (!/^0x[0-9a-fA-F]{40}$/.test(settlement.verifyingContract)) throw new Error(`WXT_SETTLEMENT_CONTRACT: expected 0x and 40 hex digits, got ${settlement.verifyingContract}`);

// Locale strings are kept one file per UI area (locales/<locale>/<area>.json) so each area owns its
// strings; the build merges them into the _locales/<locale>/messages.json browsers read.
function mergedLocales(): Array<{ relativeDest: string; contents: string }> {
  const root = 'locales';
  return readdirSync(root).map((locale) => {
    const messages: Record<string, unknown> = {};
    for (const file of readdirSync(join(root, locale)).filter((name) => name.endsWith('.json')).sort()) {
      const part = JSON.parse(readFileSync(join(root, locale, file), 'utf8')) as Record<string, unknown>;
      for (const key of Object.keys(part)) {
        if (key in messages) throw new Error(`locales/${locale}: message ${key} is defined twice (in ${file} and before it)`);
      }
      Object.assign(messages, part);
    }
    return { relativeDest: `_locales/${locale}/messages.json`, contents: JSON.stringify(messages, null, 2) };
  });
}

// The icons are drawn once, as SVG (assets/icons/porchlight-<variant>.svg), and rendered to the PNG
// sizes browsers and stores want at every build; no PNG is kept in the repository. WXT writes
// generated public files as text, so the PNGs are rendered into its own folder and copied from there.
function renderedIcons(renderDir: string): Array<{ absoluteSrc: string; relativeDest: string }> {
  return iconVariants.flatMap((variant) => {
    const svg = readFileSync(join('assets', 'icons', `porchlight-${variant}.svg`), 'utf8');
    return iconSizes.map((size) => {
      const relativeDest = iconPath(variant, size);
      const absoluteSrc = join(renderDir, relativeDest);
      mkdirSync(dirname(absoluteSrc), { recursive: true });
      writeFileSync(absoluteSrc, new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng());
      return { absoluteSrc, relativeDest };
    });
  });
}

// Test builds only: the test bridge (content/test-bridge.ts) lets a suite drive the extension from
// a loopback page; builds without a test origin skip these entrypoints.
const testBridgeEntrypoints = ['test-bridge', 'test-bridge-frame'];
// The partner bridge runs only on the partner sites of content/partner-origins.ts (and a test build's
// origin); a build with none of either carries no content script at all.
const partnerBridgeEntrypoint = 'partner';

// Entrypoints live in extension/ and stay thin; the engine is in offscreen/ and protocol/.
export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'extension',
  publicDir: 'public',
  outDir: process.env.WXT_OUT_DIR ?? '.output',
  // Imports are written out in each file (no auto-imports), so modules read and test on their own.
  imports: false,
  modules: ['@wxt-dev/module-solid'],
  vite: () => ({
    // streamx (under simple-peer) imports Node's `events`; bare-events is its browser twin.
    resolve: { alias: { events: 'bare-events' } },
    // Our own modules do nothing when merely imported, so a module whose exports a bundle never
    // uses (Chrome's service worker and the Firefox-only engine link) is left out of it.
    build: { rollupOptions: { treeshake: { moduleSideEffects: (id: string) => id.includes('node_modules') } } },
    define: {
      __PORCHLIGHT_SIGNALING_URL__: JSON.stringify(signalingUrl),
      __PORCHLIGHT_TEST_ORIGIN__: JSON.stringify(testOrigin),
      __PORCHLIGHT_TEST_ORIGINS__: JSON.stringify(testOrigins),
      __PORCHLIGHT_SETTLEMENT__: JSON.stringify(settlement),
    },
  }),
  hooks: {
    'build:publicAssets': (wxt, files) => {
      files.push(...mergedLocales(), ...renderedIcons(join(wxt.config.wxtDir, 'rendered-icons')));
    },
    // Test builds let the partner bridge run on their loopback test origin too.
    'build:manifestGenerated': (_wxt, manifest) => {
      if (!testOrigin) return;
      for (const script of manifest.content_scripts ?? []) {
        if (script.js?.some((file) => file.includes('partner'))) script.matches = [...(script.matches ?? []), `${new URL(testOrigin).protocol}//${new URL(testOrigin).hostname}/*`];
      }
    },
    // The test bridge lets the Firefox suite drive the extension from a loopback page; a build
    // without a test origin leaves it out (manifest, bundle and sources zip), and
    // tests/extension/firefox-lint.test.ts checks that it does.
    'entrypoints:resolved': (_wxt, entrypoints) => {
      if (testOrigin) return;
      for (const entrypoint of entrypoints) {
        if (testBridgeEntrypoints.includes(entrypoint.name)) entrypoint.skipped = true;
        if (entrypoint.name === partnerBridgeEntrypoint && partnerOrigins.length === 0) entrypoint.skipped = true;
      }
    },
  },
  zip: {
    // The sources zip (Firefox add-on review) holds what builds the extension; the suites and their
    // artifacts, benches, scripts, the signaling server, the chain services and the test bridge are
    // not part of it. The contracts' Solidity is: the build computes the receipt domain from it.
    // tests/extension/store-zips.test.ts rebuilds the extension from this zip and compares the result.
    excludeSources: ['tests/**', 'test-artifacts/**', 'bench/**', 'dist/**', 'scripts/**', 'signaling/**', 'services/**', 'economy/**', 'contracts/**/*.ts', 'deployments/**', '**/*.log', 'extension/test-bridge*/**', 'content/test-bridge.ts'],
  },
  manifest: ({ browser, manifestVersion }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Explained one line each in docs/permissions.md.
    permissions: [
      'storage',
      'alarms',
      'idle',
      'contextMenus',
      'webRequest',
      ...(browser === 'firefox' ? ['dns'] : ['offscreen']),
    ],
    // Asked for only when the donor turns notifications on in the options page (background/notifications.ts).
    optional_permissions: ['notifications'],
    // Every http(s) site, for the exit's fetches and the webRequest listener that watches them; not
    // <all_urls>, which would add file:, ftp: and ws(s): that nothing here needs.
    host_permissions: ['http://*/*', 'https://*/*'],
    icons: iconPathMap(storeIconVariant, iconSizes),
    // background/badge.ts switches it to the lit, dimmed or grey mark as the sharing state changes.
    // Named for the manifest version: WXT would drop an MV2 build's `action` once the popup adds its
    // own `browser_action`.
    [manifestVersion === 2 ? 'browser_action' : 'action']: { default_title: '__MSG_extName__', default_icon: iconPathMap(defaultToolbarVariant, toolbarIconSizes) },
    // Chrome only; Firefox names its oldest version under browser_specific_settings.
    ...(browser === 'firefox' ? {} : { minimum_chrome_version: '120' }),
    browser_specific_settings:
      browser === 'firefox'
        ? {
            gecko: {
              id: 'porchlight@porchlight.network',
              strict_min_version: '140.0',
              // What leaves the browser (docs/permissions.md): the pages and addresses a journalist opens
              // go to a donor's browser, which fetches them, inside the encrypted WebRTC data channel.
              // The signaling server only introduces peers: it sees their IP addresses, countries, peer
              // IDs and who is matched with whom, never the pages or addresses browsed.
              data_collection_permissions: { required: ['browsingActivity', 'websiteContent'] },
            },
            // Android reads the data-collection declaration from 142 on.
            gecko_android: { strict_min_version: '142.0' },
          }
        : undefined,
    // Test builds only: the test bridge's page, framed by its content script on the test origin.
    ...(testOrigin ? { web_accessible_resources: [{ resources: ['test-bridge-frame.html'], matches: ['http://127.0.0.1/*'] }] } : {}),
  }),
});
