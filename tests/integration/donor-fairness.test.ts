// Fairness between a donor's clients over real WebRTC (node-datachannel), the real signaling server
// and paid channels, all on loopback: one client identity opening link after link is refused past
// its cap, and a client that pays for every byte but never reads holds only its share of the fetch
// slots, and those only until the stall timeout; other identities are served meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExit } from '../../offscreen/exit/exit.ts';
import { type ExitFetch } from '../../offscreen/exit/exit-fetch.ts';
import { exitResetReasons } from '../../offscreen/exit/exit-refusal.ts';
import { createExitPolicy } from '../../offscreen/exit/policy/exit-policy.ts';
import { clientFetchShare } from '../../offscreen/exit/exit-slots.ts';
import { receiptStallTimeoutMs } from '../../offscreen/payments/credit-window.ts';
import { createGuardedFetch } from '../../offscreen/exit/guarded-fetch/node-guarded-fetch.ts';
import { TunnelError } from '../../offscreen/tunnel/tunnel-error.ts';
import { ErrorCode } from '../../protocol/frame-types.ts';
import { createIdentity, type Identity } from '../../protocol/identity.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { createClientPayments } from '../../offscreen/payments/client-payments.ts';
import { dialPeer, maxSessionsPerClient, PeerSessionError, type EstablishedSession } from '../../offscreen/peers/peer-session.ts';
import { connectSignaling, type SignalingClient } from '../../offscreen/peers/signaling-client.ts';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { silentLogger } from '../../signaling/log.ts';
import { bytesPath, originPageHtml, startOriginServer, type OriginServer } from '../support/origin-server.ts';
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

  it('starts no second link when an established session\'s offer is sent again', async () => {
    const identity = createIdentity();
    // The offer is recorded on its way out and sent again, as a replaying client would.
    const recorded: Array<Parameters<SignalingClient['sendSignal']>> = [];
    const replayer = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
    try {
      const found = await replayer.findDonor({ donor: donor.donor.peerId });
      const send = replayer.sendSignal.bind(replayer);
      replayer.sendSignal = (to, body) => {
        recorded.push([to, body]);
        send(to, body);
      };
      await dialPeer(found.peerId, { identity, signaling: replayer, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()), price: microCreditsFromDecimal(found.listing.pricePerMiB) });
      const before = donor.donor.activeSessions;
      const offer = recorded.find(([, body]) => (body.data as { type?: string } | undefined)?.type === 'offer');
      expect(offer).toBeDefined();
      for (let i = 0; i < 5; i++) send(...offer!); // found just above
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(donor.donor.activeSessions).toBe(before);
    } finally {
      replayer.close();
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

describe('fetch slots: a client that pays for every byte and never reads', () => {
  // Longer than the payment side's receipt stall: the client pays for all its windows let through, so
  // only the exit's stall timeout can free the slots.
  const stallMs = receiptStallTimeoutMs + 2_000;
  let signaling: SignalingServer;
  let origin: OriginServer;
  let donor: NodeDonor;
  let guarded: ReturnType<typeof createGuardedFetch>;
  let exit: ReturnType<typeof createExit>;

  beforeAll(async () => {
    signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    origin = await startOriginServer();
    const policy = createExitPolicy({ testOrigin: origin.origin });
    guarded = createGuardedFetch(policy);
    // The donor's own exit with a short stall timeout; paid channels as in every node donor.
    exit = createExit({ fetch: guarded as unknown as ExitFetch, policy, limits: { stalledReaderTimeoutMs: stallMs } });
    donor = await startNodeDonor(signaling.url, origin.origin, { exit });
  });
  afterAll(async () => {
    await donor?.close();
    exit?.close();
    await guarded?.close();
    await origin?.close();
    await signaling?.close();
  });

  it('holds only its share of the slots, a victim is served at once, and its stalled streams are reset', async () => {
    const identity = createIdentity();
    const sig = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
    const found = await sig.findDonor({ donor: donor.donor.peerId });
    const session = await dialPeer(found.peerId, { identity, signaling: sig, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()), price: microCreditsFromDecimal(found.listing.pricePerMiB) });
    const share = Math.floor(32 * clientFetchShare);
    try {
      // More big downloads than its share; the client's payment side signs receipts for every byte
      // that arrives, but nothing ever reads a body.
      const streams = Array.from({ length: share + 4 }, (_, i) => {
        const stream = session.tunnel.open({ method: 'GET', url: origin.url(bytesPath(256 * 1024 * 1024, `hog-${i}`)), headers: [] });
        stream.end();
        stream.response.catch(() => {});
        return stream;
      });
      await Promise.all(streams.slice(0, share).map((s) => s.response));
      expect(exit.stats().active).toBe(share);

      const victim = await startNodeClient(signaling.url);
      try {
        const started = Date.now();
        expect(await (await victim.fetch(origin.url('/'))).text()).toBe(originPageHtml);
        expect(Date.now() - started).toBeLessThan(stallMs);
      } finally {
        victim.close();
      }

      // After the stall timeout its first streams are reset as reader-stalled; it paid, so its link stays up.
      const resets = await Promise.all(streams.slice(0, share).map((s) => new Promise<unknown>((resolve) => s.signal.addEventListener('abort', () => resolve(s.signal.reason), { once: true }))));
      for (const reason of resets) expect(reason).toMatchObject({ code: ErrorCode.CANCEL, reason: exitResetReasons.readerStalled });
      expect(resets[0]).toBeInstanceOf(TunnelError);
      expect(session.tunnel.isClosed).toBe(false);
      expect(session.payments.counts().receiptBytes).toBeGreaterThan(share * 256 * 1024);
      expect(exit.stats().refused[exitResetReasons.readerStalled]).toBeGreaterThanOrEqual(share);
    } finally {
      session.tunnel.close();
      sig.close();
    }
  }, 60_000);
});
