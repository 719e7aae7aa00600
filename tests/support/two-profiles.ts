// The two-person setup of the extension suites: a signaling server, the test site on the build's
// loopback origin, and two Chromium profiles with the test build — a donor (whose own fetches carry
// a user agent without "Mozilla", so the site can tell a leak from the journalist's browser) and a
// journalist — both pointed at this run's signaling server. Inside the loopback-only namespace.
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { buildExtension, extensionTestOrigin } from './extension-build.ts';
import { launchWithExtension, type ExtensionBrowser, type ExtensionLaunchOptions } from './extension-browser.ts';
import { patchDonorSettings } from './extension-donor.ts';
import { startOriginServer, type OriginServer } from './origin-server.ts';
import { installTestSite, type TestSite } from './test-site.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface TwoProfiles {
  signaling: SignalingServer;
  origin: OriginServer;
  site: TestSite;
  donor: ExtensionBrowser;
  journalist: ExtensionBrowser;
  /** Closes both browsers, the site and the signaling server. */
  close(): Promise<void>;
}

/** Starts everything; `country` is where the test's GeoIP puts whoever connects; `launch` applies to both profiles (e.g. a UI language). */
export async function startTwoProfiles(label: string, country: string, launch: ExtensionLaunchOptions = {}): Promise<TwoProfiles> {
  const signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => country });
  const browsers: ExtensionBrowser[] = [];
  let origin: OriginServer | undefined;
  const close = async (): Promise<void> => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await Promise.allSettled([origin?.close(), signaling.close()]);
  };
  try {
    origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
    const site = installTestSite(origin);
    const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
    const launched = await Promise.allSettled([
      launchWithExtension(`${label}-donor`, extensionPath, { ...launch, extraArgs: [...(launch.extraArgs ?? []), '--user-agent=PorchlightDonorTest/1.0'] }),
      launchWithExtension(`${label}-journalist`, extensionPath, launch),
    ]);
    for (const result of launched) if (result.status === 'fulfilled') browsers.push(result.value);
    for (const result of launched) if (result.status === 'rejected') throw result.reason;
    const [donor, journalist] = browsers as [ExtensionBrowser, ExtensionBrowser]; // both launched: checked above
    // Both point at this run's signaling server (an advanced setting; the build's default is production's).
    await Promise.all([patchDonorSettings(donor, { signalingUrl: signaling.url }), patchDonorSettings(journalist, { signalingUrl: signaling.url })]);
    return { signaling, origin, site, donor, journalist, close };
  } catch (error) {
    // A half-started setup must not keep the test origin's fixed port for the suites after it.
    await close();
    throw error;
  }
}
