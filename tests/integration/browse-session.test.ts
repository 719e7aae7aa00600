// The browse page's client over real WebRTC in Node: a throwaway identity per session, sticky to
// one donor, a lost donor reported instead of replaced, and donors chosen by country or by ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DonorLostError } from '../../offscreen/peers/relay-client.ts';
import { SignalingError } from '../../offscreen/peers/signaling-client.ts';
import { testClientPayment } from '../support/payment-setup.ts';
import { openBrowseSession, type BrowseSession, type DonorInfo } from '../../ui/browse/browse-session.ts';
import type { SignalingServer } from '../../signaling/server.ts';
import { startQuietSignaling } from '../support/browser-harness.ts';
import { NodeWebSocket, loopbackRtcConfig, startNodeDonor, type NodeDonor } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';

let signaling: SignalingServer;
let origin: OriginServer;
const donors: NodeDonor[] = [];
const sessions: BrowseSession[] = [];

async function open() {
  const events: Array<['donor' | 'lost', DonorInfo]> = [];
  const session = await openBrowseSession({
    signalingUrl: signaling.url,
    payment: testClientPayment(),
    WebSocketImpl: NodeWebSocket,
    rtcConfig: loopbackRtcConfig,
    onDonor: (donor) => events.push(['donor', donor]),
    onDonorLost: (donor) => events.push(['lost', donor]),
  });
  sessions.push(session);
  return { session, events };
}

/** Requests each donor's exit has served. */
const served = (): number[] => donors.map((d) => d.exit.stats().requests);

beforeAll(async () => {
  signaling = await startQuietSignaling('NL');
  origin = await startOriginServer();
  donors.push(await startNodeDonor(signaling.url, origin.origin), await startNodeDonor(signaling.url, origin.origin));
});

afterAll(async () => {
  for (const session of sessions) session.close();
  await Promise.allSettled(donors.map((d) => d.close()));
  await Promise.allSettled([origin?.close(), signaling?.close()]);
});

describe('browse session', () => {
  it('logs in with a fresh identity each time, never a donor’s', async () => {
    const [a, b] = [await open(), await open()];
    expect(a.session.peerId).not.toBe(b.session.peerId);
    expect(donors.map((d) => d.donor.peerId)).not.toContain(a.session.peerId);
    expect(await a.session.listCountries()).toEqual([{ country: 'NL', donors: 2 }]);
  });

  it('stays with one donor for every request', async () => {
    const { session, events } = await open();
    const before = served();
    for (let i = 0; i < 6; i++) expect((await session.fetch(origin.url('/page.html'))).status).toBe(200);
    const delta = served().map((n, i) => n - before[i]!);
    expect(delta.sort()).toEqual([0, 6]);
    expect(events.map(([kind]) => kind)).toEqual(['donor']);
    expect(events[0]![1].country).toBe('NL');
  });

  it('reports a lost donor and fails requests until asked to move on', async () => {
    const spare = await startNodeDonor(signaling.url, origin.origin);
    const { session, events } = await open();
    await (await session.fetch(origin.url('/page.html'))).text();
    const used = events[0]![1].peerId;
    // Take the used donor away (keep the spare): the session must not quietly move to the spare.
    const leaving = [...donors, spare].find((d) => d.donor.peerId === used)!;
    await leaving.close();
    await expect.poll(() => events.map(([kind]) => kind)).toEqual(['donor', 'lost']);
    await expect(session.fetch(origin.url('/page.html'))).rejects.toBeInstanceOf(DonorLostError);
    const next = await session.anotherDonor();
    expect(next.peerId).not.toBe(used);
    expect((await session.fetch(origin.url('/page.html'))).status).toBe(200);
    // Two live donors again for the next test (afterAll closes them).
    const index = donors.indexOf(leaving);
    if (index >= 0) donors[index] = spare;
  });

  it('connects a donor named by ID, and says when a country or ID has none', async () => {
    const { session } = await open();
    const wanted = donors[1]!.donor.peerId;
    expect((await session.useDonor({ donor: wanted })).peerId).toBe(wanted);
    await (await session.fetch(origin.url('/page.html'))).text();
    await expect(session.useDonor({ country: 'FR' })).rejects.toMatchObject({ code: 'no-donor' });
    await expect(session.useDonor({ donor: 'ab'.repeat(32) })).rejects.toBeInstanceOf(SignalingError);
    expect((await session.useDonor({ country: 'NL' })).country).toBe('NL');
  });
});
