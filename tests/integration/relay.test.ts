// The relay over real WebRTC (node-datachannel), introduced by the real signaling server, with a
// real local origin: everything on loopback, inside the loopback-only namespace.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ErrorCode, FrameType } from '../../protocol/frame-types.ts';
import { decodeFrame, encodeData, encodeFrame } from '../../protocol/frames.ts';
import { createHello } from '../../protocol/hello.ts';
import { createIdentity } from '../../protocol/identity.ts';
import { connectSignaling, newSignalSession, type WebSocketConstructor } from '../../offscreen/peers/signaling-client.ts';
import { dialAttemptTimeoutMs, dialPeer, dialTransport, type EstablishedSession } from '../../offscreen/peers/peer-session.ts';
import { TunnelFetchError } from '../../offscreen/tunnel/tunnel-fetch.ts';
import type { FrameTransport } from '../../offscreen/tunnel/frame-transport.ts';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { silentLogger } from '../../signaling/log.ts';
import { readUntilError } from '../support/streams.ts';
import { createClientPayments } from '../../offscreen/payments/client-payments.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { testClientPayment } from '../support/payment-setup.ts';
import { bytesPath, bytesSha256, originPageHtml, startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { NodeWebSocket, loopbackRtcConfig, spawnDonorProcess, startNodeClient, startNodeDonor, type NodeDonor } from '../support/node-peers.ts';

const quietLogger = silentLogger;

async function sha256OfBody(response: Response): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body!) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Collects frames a raw transport receives until the peer says GOAWAY or the channel closes. */
function recorder(transport: FrameTransport) {
  const frames: ReturnType<typeof decodeFrame>[] = [];
  let done: () => void = () => {};
  const closed = new Promise<void>((resolve) => (done = resolve));
  transport.onClose(() => done());
  transport.onMessage((m) => {
    try {
      const frame = decodeFrame(m);
      frames.push(frame);
      if (frame.type === FrameType.GOAWAY) done();
    } catch {
      // the test only looks at well-formed answers
    }
  });
  return { frames, closed };
}

describe('relay over WebRTC', () => {
  let signaling: SignalingServer;
  let origin: OriginServer;
  let donor: NodeDonor;

  beforeAll(async () => {
    signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quietLogger });
    origin = await startOriginServer();
    donor = await startNodeDonor(signaling.url, origin.origin);
  });

  afterAll(async () => {
    await donor?.close();
    await origin?.close();
    await signaling?.close();
  });

  it('serves a page, a 64 MiB binary byte-exact, and POST bodies', async () => {
    const client = await startNodeClient(signaling.url);
    try {
      const page = await client.fetch(origin.url('/'));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toBe(originPageHtml);
      expect(client.donor?.peerId).toBe(donor.donor.peerId);

      const size = 64 * 1024 * 1024;
      const binary = await client.fetch(origin.url(bytesPath(size, 'big')));
      expect(await sha256OfBody(binary)).toEqual({ sha256: bytesSha256(size, 'big'), bytes: size });

      const upload = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
      const echoed = await client.fetch(origin.url('/echo'), { method: 'POST', body: upload });
      expect(echoed.status).toBe(200);
      expect(createHash('sha256').update(new Uint8Array(await echoed.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(upload).digest('hex'));
    } finally {
      client.close();
    }
  }, 120_000);

  it('runs 64 concurrent requests over one link', async () => {
    const client = await startNodeClient(signaling.url);
    try {
      await (await client.fetch(origin.url('/'))).text(); // connect once
      const sizes = Array.from({ length: 64 }, (_, i) => 64 * 1024 + i * 12_345);
      const results = await Promise.all(sizes.map(async (size, i) => sha256OfBody(await client.fetch(origin.url(bytesPath(size, `c${i}`))))));
      results.forEach((result, i) => expect(result).toEqual({ sha256: bytesSha256(sizes[i]!, `c${i}`), bytes: sizes[i] }));
    } finally {
      client.close();
    }
  }, 120_000);

  it('refuses hostile targets with the policy code, before any connection', async () => {
    const client = await startNodeClient(signaling.url);
    try {
      const before = origin.requests.total;
      for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', `http://localhost:${origin.port}/`, `http://127.0.0.1:${origin.port + 1}/`]) {
        const error = await client.fetch(url).then(() => undefined, (e: unknown) => e);
        expect(error, url).toBeInstanceOf(TunnelFetchError);
        expect((error as TunnelFetchError).code, url).toBe(ErrorCode.POLICY_DENIED);
      }
      const redirect = await client.fetch(origin.url(`/redirect?to=${encodeURIComponent('http://192.168.1.1/admin')}`)).then(() => undefined, (e: unknown) => e);
      expect((redirect as TunnelFetchError).reason).toBe('address-not-public');
      expect(origin.requests.total - before).toBe(1); // only the redirecting request itself
    } finally {
      client.close();
    }
  }, 60_000);

  it('gives a clear error when the donor is killed mid-download, and retries a GET on another donor', async () => {
    // An isolated signaling server, so the only donors are the two this test controls.
    const local = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: quietLogger });
    const doomed = await spawnDonorProcess(local.url, origin.origin);
    const client = await startNodeClient(local.url, { tunnelLimits: { pingIntervalMs: 500, peerTimeoutMs: 3_000 } });
    let backup: NodeDonor | undefined;
    try {
      const response = await client.fetch(origin.url(bytesPath(256 * 1024 * 1024, 'kill')));
      expect(client.donor?.peerId).toBe(doomed.peerId);
      const reader = response.body!.getReader();
      let received = 0;
      while (received < 4 * 1024 * 1024) received += (await reader.read()).value?.length ?? 0;
      backup = await startNodeDonor(local.url, origin.origin);
      const killedAt = Date.now();
      doomed.kill();
      const error = await readUntilError(reader);
      expect(error).toBeInstanceOf(TunnelFetchError);
      expect((error as TunnelFetchError).linkFailed).toBe(true);
      expect((error as Error).message).toMatch(/donor/i);
      expect(Date.now() - killedAt).toBeLessThan(10_000);

      // The next GET moves to the other donor on its own.
      const page = await client.fetch(origin.url('/'));
      expect(await page.text()).toBe(originPageHtml);
      expect(client.donor?.peerId).toBe(backup.donor.peerId);
    } finally {
      doomed.kill();
      client.close();
      await backup?.close();
      await local.close();
    }
  }, 90_000);

  it('tells each end of a session the country signaling observed for the other', async () => {
    // Every peer here is on 127.0.0.1; a test-only header places each one in a country.
    const countryHeader = 'x-porchlight-test-country';
    const wsIn = (country: string) =>
      class extends WebSocket {
        constructor(url: string) {
          super(url, { headers: { [countryHeader]: country } });
        }
      } as unknown as WebSocketConstructor;
    const local = await createSignalingServer({
      host: '127.0.0.1',
      port: 0,
      logger: quietLogger,
      lookupCountry: (_ip, request) => String(request.headers[countryHeader] ?? 'ZZ'),
    });
    const atDonor: EstablishedSession[] = [];
    const donorNode = await startNodeDonor(local.url, origin.origin, { WebSocketImpl: wsIn('DE'), onSession: (session) => atDonor.push(session) });
    const identity = createIdentity();
    const sig = await connectSignaling({ url: local.url, identity, WebSocketImpl: wsIn('FR') });
    const sessions: EstablishedSession[] = [];
    try {
      const found = await sig.findDonor({ donor: donorNode.donor.peerId });
      const options = { identity, signaling: sig, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()), price: microCreditsFromDecimal(found.listing.pricePerMiB) };
      sessions.push(await dialPeer(found.peerId, { ...options, remoteCountry: found.country }));
      expect(sessions[0]).toMatchObject({ peerId: donorNode.donor.peerId, country: 'DE' });
      sessions.push(await dialPeer(found.peerId, options));
      expect(sessions[1]?.country).toBe('ZZ'); // not told: unknown, never a guess
      const deadline = Date.now() + 5_000;
      while (atDonor.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(atDonor.map((s) => [s.peerId, s.country])).toEqual([
        [identity.peerId, 'FR'],
        [identity.peerId, 'FR'],
      ]);
    } finally {
      for (const session of sessions) session.tunnel.close();
      sig.close();
      await donorNode.close();
      await local.close();
    }
  }, 60_000);

  describe('a misbehaving client', () => {
    async function rawLink() {
      const identity = createIdentity();
      const sig = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
      const dialed = await dialTransport(donor.donor.peerId, { identity, signaling: sig, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()) });
      return { identity, sig, ...dialed };
    }

    it('is told why when its offer carries no session nonce', async () => {
      const identity = createIdentity();
      const sig = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
      const bye = new Promise<unknown>((resolve) => sig.onSignal((from, body) => from === donor.donor.peerId && body.kind === 'bye' && resolve(body.data)));
      sig.sendSignal(donor.donor.peerId, { session: newSignalSession(), kind: 'offer', data: { type: 'offer', sdp: 'v=0\r\n' } });
      expect(await bye).toMatch(/no session nonce/);
      sig.close();
    }, 30_000);

    it('is refused when its HELLO does not match the connection’s fingerprints', async () => {
      const { identity, sig, transport, context } = await rawLink();
      const seen = recorder(transport);
      transport.send(encodeFrame(createHello(identity, { ...context, remoteFingerprint: 'sha-256 66:66:66:66' })));
      await seen.closed;
      const goaway = seen.frames.find((f) => f.type === FrameType.GOAWAY);
      expect(goaway && goaway.type === FrameType.GOAWAY && goaway.code).toBe(ErrorCode.HELLO_FAILED);
      transport.close();
      sig.close();
    }, 30_000);

    it.each([
      ['a malformed frame', () => Uint8Array.of(1, 200, 0, 0, 0, 1), ErrorCode.UNKNOWN_TYPE],
      ['an oversized frame', () => new Uint8Array(100_000).fill(1), ErrorCode.FRAME_SIZE_ERROR],
      ['DATA on a stream it never opened', () => encodeData(7, new Uint8Array(1_000)), ErrorCode.PROTOCOL_ERROR],
      ['a REQUEST on a donor-owned stream id', () => encodeFrame({ type: FrameType.REQUEST, streamId: 2, method: 'GET', url: 'https://example.com/', headers: [] }), ErrorCode.PROTOCOL_ERROR],
    ])('loses its link for %s, and the donor keeps serving others', async (_name, make, code) => {
      const { identity, sig, transport, context } = await rawLink();
      const seen = recorder(transport);
      transport.send(encodeFrame(createHello(identity, context)));
      transport.send(make());
      await seen.closed;
      const goaway = seen.frames.find((f) => f.type === FrameType.GOAWAY);
      expect(goaway && goaway.type === FrameType.GOAWAY && goaway.code).toBe(code);
      transport.close();
      sig.close();

      const client = await startNodeClient(signaling.url);
      expect(await (await client.fetch(origin.url('/'))).text()).toBe(originPageHtml);
      client.close();
    }, 30_000);
  });

  describe('a connection attempt that stalls', () => {
    it('is started over, and the second attempt connects', async () => {
      const identity = createIdentity();
      const sig = await connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket });
      // Everything of the first attempt is lost on the way (as when ICE stalls or a signal is
      // dropped): the donor never hears of it, so only starting over can connect.
      let firstSession: string | undefined;
      const lossy = {
        ...sig,
        sendSignal: (to: string, signal: Parameters<typeof sig.sendSignal>[1]) => {
          firstSession ??= signal.session;
          if (signal.session !== firstSession) sig.sendSignal(to, signal);
        },
      };
      const started = Date.now();
      try {
        const dialed = await dialTransport(donor.donor.peerId, { identity, signaling: lossy, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()) });
        expect(Date.now() - started).toBeGreaterThanOrEqual(dialAttemptTimeoutMs);
        dialed.transport.close();
      } finally {
        sig.close();
      }
    }, 40_000);

    it('fails with a clear timeout when the donor never answers, and says goodbye', async () => {
      const [identity, silent] = [createIdentity(), createIdentity()];
      const [sig, silentSig] = await Promise.all([
        connectSignaling({ url: signaling.url, identity, WebSocketImpl: NodeWebSocket }),
        connectSignaling({ url: signaling.url, identity: silent, WebSocketImpl: NodeWebSocket }),
      ]);
      const heard: string[] = [];
      silentSig.onSignal((_from, body) => heard.push(body.kind));
      try {
        const dial = dialTransport(silent.peerId, { identity, signaling: sig, rtcConfig: loopbackRtcConfig, payments: createClientPayments(testClientPayment()), connectTimeoutMs: 4_000 });
        await expect(dial).rejects.toMatchObject({ reason: 'timeout', message: 'Could not open a connection to the donor in time.' });
        // One attempt fits the budget; the silent peer is told the attempt is over.
        await expect.poll(() => heard.filter((kind) => kind === 'offer').length).toBe(1);
        await expect.poll(() => heard.at(-1)).toBe('bye');
      } finally {
        sig.close();
        silentSig.close();
      }
    }, 30_000);
  });

  it('keeps relaying while another peer floods the signaling server', async () => {
    const client = await startNodeClient(signaling.url);
    // Connected before the flood: every test peer shares 127.0.0.1, so the per-IP limit that
    // stops the flooder would stop this client's signaling too.
    await (await client.fetch(origin.url('/'))).text();
    const flooder = await connectSignaling({ url: signaling.url, identity: createIdentity(), WebSocketImpl: NodeWebSocket });
    let refusals = 0;
    flooder.onError((e) => e.code === 'rate-limited' && refusals++);
    try {
      // 2000 requests in one burst, far past the per-peer and per-IP buckets.
      for (let i = 0; i < 2000; i++) flooder.findDonor({ country: 'XX' }).catch(() => {});
      const page = await client.fetch(origin.url('/'));
      expect(await page.text()).toBe(originPageHtml);
      await new Promise((r) => setTimeout(r, 200));
      expect(refusals).toBeGreaterThan(0);
    } finally {
      flooder.close();
      client.close();
    }
  }, 60_000);
});
