// Fairness of a donor's session slots over real WebRTC (node-datachannel) and the real signaling
// server, all on loopback: one client identity opening link after link gets refused past its cap,
// while another identity still connects and is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, type Identity } from '../../protocol/identity.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { createClientPayments } from '../../offscreen/client-payments.ts';
import { dialPeer, maxSessionsPerClient, PeerSessionError, type EstablishedSession } from '../../offscreen/peer-session.ts';
import { connectSignaling, type SignalingClient } from '../../offscreen/signaling-client.ts';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { silentLogger } from '../../signaling/log.ts';
import { originPageHtml, startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { NodeWebSocket, loopbackRtcConfig, startNodeClient, startNodeDonor, type NodeDonor } from '../support/node-peers.ts';
import { testClientPayment } from '../support/payment-setup.ts';

describe('session slots: one client identity', () => {
  let signaling: SignalingServer;
  let origin: OriginServer;
  let donor: NodeDonor;

  beforeAll(async () => {
    signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    origin = await startOriginServer();
    donor = await startNodeDonor(signaling.url, origin.origin);
  });
  afterAll(async () => {
    await donor?.close();
    await origin?.close();
    await signaling?.close();
  });

  /** One identity on signaling that dials the donor again and again. */
  async function attacker(identity: Identity = createIdentity()) {
    const sig: SignalingClient = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
    const sessions: EstablishedSession[] = [];
    return {
      sessions,
      async dial(): Promise<EstablishedSession> {
        const found = await sig.findDonor({ donor: donor.donor.peerId });
        const session = await dialPeer(found.peerId, { identity, signaling: sig, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()), price: microCreditsFromDecimal(found.listing.pricePerMiB) });
        sessions.push(session);
        return session;
      },
      close() {
        for (const session of sessions) session.tunnel.close();
        sig.close();
      },
    };
  }

  it('is refused past its cap of links at once, in words, while another identity connects and is served', async () => {
    const hostile = await attacker();
    try {
      for (let i = 0; i < maxSessionsPerClient; i++) await hostile.dial();
      const refused = await hostile.dial().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(PeerSessionError);
      expect(refused).toMatchObject({ reason: 'refused', message: expect.stringMatching(new RegExp(`already have ${maxSessionsPerClient} connections`)) });
      expect(donor.donor.activeSessions).toBe(maxSessionsPerClient);

      const victim = await startNodeClient(signaling.url);
      try {
        expect(await (await victim.fetch(origin.url('/'))).text()).toBe(originPageHtml);
      } finally {
        victim.close();
      }
    } finally {
      hostile.close();
    }
  }, 60_000);

  it('may connect again once one of its links has closed', async () => {
    const client = await attacker();
    try {
      for (let i = 0; i < maxSessionsPerClient; i++) await client.dial();
      const first = client.sessions.shift()!; // dialled just above
      first.tunnel.close();
      // The donor hears of the close over the data channel.
      const deadline = Date.now() + 10_000;
      while (donor.donor.activeSessions >= maxSessionsPerClient && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await expect(client.dial()).resolves.toBeTruthy();
    } finally {
      client.close();
    }
  }, 60_000);
});
