// End to end in real browsers: a donor page in one Chromium process shares its connection, a
// client page in another fetches through it over WebRTC, and the bytes arrive exactly as the
// origin sent them. Signaling and the origin run in this process, all on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { policyCodes } from '../../protocol/policy-codes.ts';
import {
  donorStatsIn,
  fetchDigestIn,
  fetchFailureIn,
  fetchTextIn,
  startClientIn,
  startDonorIn,
  startHarness,
  type Harness,
  type PeerBrowser,
} from '../support/browser-harness.ts';
import { bytesPath, bytesSha256, originMarkerHeader, originPageHtml } from '../support/origin-server.ts';

const largeBytes = 64 * 1024 * 1024;
const largeSeed = 'relay-browser-large';

describe('relay between two Chromium processes', () => {
  let harness: Harness;
  let donor: PeerBrowser;
  let client: PeerBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    [donor, client] = await Promise.all([harness.launchPeer('donor'), harness.launchPeer('client')]);
    const shared = await startDonorIn(donor.page, harness.signaling.url);
    expect(shared.peerId).toMatch(/^[0-9a-f]{64}$/);
    await startClientIn(client.page, harness.signaling.url);
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('serves an HTML page through the donor with status, body and headers intact', async () => {
    const before = harness.origin.requests.byPath.get('/page.html') ?? 0;
    const page = await fetchTextIn(client.page, harness.origin.url('/page.html'));
    expect(page.status).toBe(200);
    expect(page.text).toBe(originPageHtml);
    const headers = new Map(page.headers);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get(originMarkerHeader)).toBe('1');
    expect(page.url).toBe(harness.origin.url('/page.html'));
    // The donor's browser made the request, once.
    expect(harness.origin.requests.byPath.get('/page.html')).toBe(before + 1);
  }, 30_000);

  it('carries 64 MiB of binary byte-exact', async () => {
    const result = await fetchDigestIn(client.page, harness.origin.url(bytesPath(largeBytes, largeSeed)));
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(largeBytes);
    expect(result.sha256).toBe(bytesSha256(largeBytes, largeSeed));
    const stats = await donorStatsIn(donor.page);
    expect(stats.exit.bytesServed).toBeGreaterThanOrEqual(largeBytes);
    console.info(`64 MiB through the tunnel in ${(result.ms / 1000).toFixed(1)} s (${(largeBytes / 1e6 / (result.ms / 1000)).toFixed(1)} MB/s)`);
  }, 90_000);

  it('shows the exit policy refusing a loopback origin other than the test origin', async () => {
    const otherPort = harness.origin.port === 65_535 ? 65_534 : harness.origin.port + 1;
    const before = harness.origin.requests.total;
    const failure = await fetchFailureIn(client.page, `http://127.0.0.1:${otherPort}/`);
    expect(failure).toMatchObject({
      ok: false,
      name: 'TunnelFetchError',
      code: ErrorCode.POLICY_DENIED,
      reason: policyCodes.portNotAllowed,
      linkFailed: false,
    });
    // And on the default port, the loopback address itself is refused.
    const loopback = await fetchFailureIn(client.page, 'http://127.0.0.1/');
    expect(loopback).toMatchObject({ ok: false, name: 'TunnelFetchError', code: ErrorCode.POLICY_DENIED, reason: policyCodes.addressNotPublic });
    expect(harness.origin.requests.total).toBe(before);
    const stats = await donorStatsIn(donor.page);
    expect(stats.exit.refused[policyCodes.portNotAllowed]).toBe(1);
  }, 30_000);
});
