import { describe, expect, it } from 'vitest';
import { ErrorCode, FrameType } from '../../protocol/frame-types.ts';
import { encodeData, encodeFrame } from '../../protocol/frames.ts';
import type { FrameTransport } from './frame-transport.ts';
import { createMemoryTransportPair } from './memory-transport.fixture.ts';
import { createTunnel, isMeteredFrame, maxQueuedRefusals, maxUnansweredPings, type IncomingStream, type RequestHead, type Tunnel, type TunnelLimits, type TunnelMeter } from './tunnel.ts';
import { TunnelError } from './tunnel-error.ts';
import { pattern, sha256Hex as digest } from '../../tests/support/exit-harness.ts';
import { readAll } from '../../tests/support/streams.ts';

/** Junk DATA frames on `streamId`. */
const junkFrames = (streamId: number, n = 10): Uint8Array[] => Array.from({ length: n }, () => encodeData(streamId, new Uint8Array(60_000)));

/** A donor whose handler answers `size:<n>` URLs with n pattern bytes and echoes request bodies. */
function pair(handler?: (stream: IncomingStream, head: RequestHead) => void, limits?: Partial<TunnelLimits>) {
  const [a, b] = createMemoryTransportPair();
  const client = createTunnel({ transport: a, role: 'client', limits });
  const donor = createTunnel({
    transport: b,
    role: 'donor',
    limits,
    onRequest:
      handler ??
      (async (stream, head) => {
        const body = await readAll(stream.readable);
        stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [['x-method', head.method]] });
        const size = Number(new URL(head.url).searchParams.get('size') ?? '0');
        try {
          await stream.write(body.length > 0 ? body : pattern(size));
          stream.end();
        } catch {
          // reset by the client
        }
      }),
  });
  return { client, donor, a, b };
}

async function request(client: Tunnel, url: string, body?: Uint8Array) {
  const stream = client.open({ method: body ? 'POST' : 'GET', url, headers: [] });
  if (body) await stream.write(body);
  stream.end();
  const head = await stream.response;
  return { head, stream };
}

describe('tunnel', () => {
  it('carries a large body byte-exact, both directions', async () => {
    const { client } = pair();
    const { stream } = await request(client, 'https://t.example/?size=3000000');
    expect(digest(await readAll(stream.readable))).toBe(digest(pattern(3_000_000)));
    const upload = pattern(1_500_000, 7);
    const echoed = await request(client, 'https://t.example/echo', upload);
    expect(echoed.head.headers).toEqual([['x-method', 'POST']]);
    expect(digest(await readAll(echoed.stream.readable))).toBe(digest(upload));
    client.close();
  });

  it('runs 64 concurrent streams to completion', async () => {
    const { client } = pair();
    const sizes = Array.from({ length: 64 }, (_, i) => 10_000 + i * 7919);
    const bodies = await Promise.all(
      sizes.map(async (size) => readAll((await request(client, `https://t.example/?size=${size}`)).stream.readable)),
    );
    bodies.forEach((body, i) => expect(digest(body)).toBe(digest(pattern(sizes[i]!))));
    expect(client.stats().openStreams).toBe(0);
    client.close();
  });

  it('keeps other streams flowing while one reader stalls, and bounds what the stall holds', async () => {
    const limits = { initialWindowBytes: 64 * 1024, sendBufferBytes: 64 * 1024 };
    let stalledWriteSettled = false;
    let writtenBeforeStall = 0;
    const { client } = pair(async (stream, head) => {
      stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
      if (head.url.endsWith('/stall')) {
        // Write far more than window + buffer; the writer must be held back.
        for (let i = 0; i < 64; i++) {
          const p = stream.write(new Uint8Array(16 * 1024));
          writtenBeforeStall += 16 * 1024;
          const settled = await Promise.race([p.then(() => true, () => true), new Promise((r) => setTimeout(() => r(false), 50))]);
          if (!settled) return void p.then(() => (stalledWriteSettled = true), () => {});
        }
        return;
      }
      await stream.write(pattern(500_000));
      stream.end();
    }, limits);
    const stalled = await request(client, 'https://t.example/stall');
    const other = await request(client, 'https://t.example/ok');
    expect((await readAll(other.stream.readable)).length).toBe(500_000);
    expect(stalledWriteSettled).toBe(false);
    // Held: the window in flight plus the send buffer, nothing more.
    expect(writtenBeforeStall).toBeLessThanOrEqual(limits.initialWindowBytes + limits.sendBufferBytes + 16 * 1024);
    await stalled.stream.readable.cancel();
    client.close();
  });

  it('propagates a reader cancel to the other side as a reset', async () => {
    let donorSignal: AbortSignal | undefined;
    const { client } = pair(async (stream, head) => {
      donorSignal = stream.signal;
      stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
      try {
        for (;;) await stream.write(new Uint8Array(32 * 1024));
      } catch {
        // expected: the client cancelled
      }
    });
    const { stream } = await request(client, 'https://t.example/forever');
    const reader = stream.readable.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(donorSignal?.aborted).toBe(true);
    expect((donorSignal?.reason as TunnelError).code).toBe(ErrorCode.CANCEL);
    client.close();
  });

  it('delivers a donor reset as a TunnelError with its reason', async () => {
    const { client } = pair((stream) => stream.reset(ErrorCode.POLICY_DENIED, 'address-not-public', 'Private address.'));
    const stream = client.open({ method: 'GET', url: 'http://10.0.0.1/', headers: [] });
    stream.end();
    await expect(stream.response).rejects.toMatchObject({ code: ErrorCode.POLICY_DENIED, reason: 'address-not-public' });
    client.close();
  });

  it('fails every open stream with a clear error when the link drops mid-transfer', async () => {
    const { client, b } = pair(async (stream, head) => {
      stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
      await stream.write(new Uint8Array(100_000));
      setTimeout(() => b.close(), 20); // the donor vanishes mid-body
    });
    const stream = client.open({ method: 'GET', url: 'https://t.example/', headers: [] });
    stream.end();
    await stream.response;
    await new Promise((r) => setTimeout(r, 10));
    const error = await readAll(stream.readable).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelError);
    expect((error as TunnelError).linkFailed).toBe(true);
    expect((await client.closed).message).toMatch(/lost/);
  });

  it('keeps the event loop alive when the high-water mark is not above the transport’s low-water mark', async () => {
    const { client } = pair(undefined, { transportHighWaterBytes: 32 * 1024 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const { stream } = await request(client, 'https://t.example/?size=2000000');
    expect((await readAll(stream.readable)).length).toBe(2_000_000);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    client.close();
  });

  it('refuses a head over the limits without leaving a stream behind', () => {
    const { client } = pair();
    expect(() => client.open({ method: 'GET', url: 'https://t.example/', headers: [['x', 'a\r\nb']] })).toThrow(TypeError);
    expect(() => client.open({ method: 'GET', url: `https://t.example/${'a'.repeat(9000)}`, headers: [] })).toThrow(RangeError);
    expect(client.stats().openStreams).toBe(0);
    client.close();
  });

  it('declares a silent peer gone after the timeout', async () => {
    const [a] = createMemoryTransportPair();
    const silent: FrameTransport = { ...a, send() {}, onMessage() {}, onClose() {}, drained: () => Promise.resolve(), bufferedAmount: 0, closed: false, close() {} };
    const client = createTunnel({ transport: silent, role: 'client', limits: { pingIntervalMs: 50, peerTimeoutMs: 200 } });
    const error = await client.closed;
    expect(error.code).toBe(ErrorCode.TIMEOUT);
    expect(error.linkFailed).toBe(true);
  });

  describe('metering: what a receiver accepts, and only that', () => {
    /** A meter that counts both ways and never holds anything back. */
    function countingMeter() {
      const counts = { sent: 0, received: 0 };
      const meter: TunnelMeter = { sent: (b) => void (counts.sent += b), received: (b) => void (counts.received += b), room: () => Number.POSITIVE_INFINITY, roomChanged: () => Promise.resolve() };
      return { counts, meter };
    }
    /** A client tunnel with a counting meter, facing a donor end the test drives frame by frame. */
    function rawDonor() {
      const [a, b] = createMemoryTransportPair();
      const { counts, meter } = countingMeter();
      const client = createTunnel({ transport: a, role: 'client', meter });
      const fromClient: Uint8Array[] = [];
      b.onMessage((m) => fromClient.push(m));
      return { client, counts, fromClient, send: (...frames: Uint8Array[]) => frames.forEach((f) => b.send(f)) };
    }
    const head = (streamId = 1) => encodeFrame({ type: FrameType.RESPONSE, streamId, status: 200, statusText: 'OK', url: 'https://x.example/', redirected: false, headers: [] });
    const end = (streamId = 1) => encodeFrame({ type: FrameType.END, streamId });
    const tick = () => new Promise((r) => setTimeout(r, 20));
    const sum = (frames: Uint8Array[]) => frames.reduce((n, f) => n + f.length, 0);

    it('pays an honest donor for what it sent before it saw the reader cancel, and keeps the link', async () => {
      const client = countingMeter();
      const donor = countingMeter();
      const [a, b] = createMemoryTransportPair();
      const clientTunnel = createTunnel({ transport: a, role: 'client', meter: client.meter });
      createTunnel({
        transport: b,
        role: 'donor',
        meter: donor.meter,
        onRequest: async (stream, h) => {
          stream.respond({ status: 200, statusText: 'OK', url: h.url, redirected: false, headers: [] });
          try {
            for (;;) await stream.write(new Uint8Array(32 * 1024));
          } catch {
            // the client cancelled
          }
        },
      });
      // Ten cancels mid-body, each racing the donor's DATA in flight.
      for (let i = 0; i < 10; i++) {
        const { stream } = await request(clientTunnel, 'https://t.example/forever');
        const reader = stream.readable.getReader();
        await reader.read();
        await reader.cancel();
      }
      await tick();
      expect(clientTunnel.isClosed).toBe(false);
      const after = await request(clientTunnel, 'https://t.example/forever');
      await after.stream.readable.cancel();
      await tick();
      // Every frame either side sent was accepted, and counted, by the other.
      expect(client.counts.received).toBe(donor.counts.sent);
      expect(donor.counts.received).toBe(client.counts.sent);
      expect(client.counts.received).toBeGreaterThan(10 * 32 * 1024);
      clientTunnel.close();
    });

    it('pays for an upload the donor refused mid-body, and for the END that raced the refusal', async () => {
      const client = countingMeter();
      const donor = countingMeter();
      const [a, b] = createMemoryTransportPair();
      const clientTunnel = createTunnel({ transport: a, role: 'client', meter: client.meter });
      createTunnel({ transport: b, role: 'donor', meter: donor.meter, limits: { maxConcurrentStreams: 1 }, onRequest: (stream) => stream.reset(ErrorCode.BODY_TOO_LARGE, 'request-body-too-large', 'Too large.') });
      for (let i = 0; i < 3; i++) {
        const stream = clientTunnel.open({ method: 'POST', url: 'https://t.example/upload', headers: [] });
        await stream.write(new Uint8Array(200_000)).catch(() => {});
        stream.end();
        await expect(stream.response).rejects.toMatchObject({ code: ErrorCode.BODY_TOO_LARGE });
      }
      await tick();
      expect(clientTunnel.isClosed).toBe(false);
      expect(donor.counts.received).toBe(client.counts.sent);
      expect(client.counts.received).toBe(donor.counts.sent);
      clientTunnel.close();
    });

    it('accepts WINDOW and RESET that race a finished stream, and pays for them', async () => {
      const { client, counts, fromClient, send } = rawDonor();
      const stream = client.open({ method: 'POST', url: 'https://x.example/', headers: [] });
      await stream.write(new Uint8Array(100_000));
      stream.end();
      await tick();
      const answer = [head(), end()];
      send(...answer);
      await stream.response;
      await readAll(stream.readable);
      // The donor's exit read the body (credit back) and its reader gave up, just as the END crossed.
      const racing = [encodeFrame({ type: FrameType.WINDOW, streamId: 1, increment: 100_000 }), encodeFrame({ type: FrameType.RESET, streamId: 1, code: ErrorCode.CANCEL, reason: '', message: '' })];
      send(...racing);
      await tick();
      expect(client.isClosed).toBe(false);
      expect(counts.received).toBe(sum([...answer, ...racing]));
      expect(fromClient.length).toBeGreaterThan(0);
      client.close();
    });

    const cancelReset = () => encodeFrame({ type: FrameType.RESET, streamId: 1, code: ErrorCode.CANCEL, reason: '', message: '' });
    // The reader took one 60 000-byte chunk and cancelled: 464 288 bytes of credit were left, so an
    // honest donor may still have 7 more such frames in flight, and its END or RESET.
    it.each<[string, Uint8Array[], number, ErrorCode]>([
      ['DATA on a cancelled stream past the credit it had left', junkFrames(1, 10), 7, ErrorCode.FLOW_CONTROL_ERROR],
      ['DATA after END on a cancelled stream', [end(), encodeData(1, Uint8Array.of(1))], 1, ErrorCode.PROTOCOL_ERROR],
      ['a second RESPONSE head on a cancelled stream', [head()], 0, ErrorCode.PROTOCOL_ERROR],
      ['WINDOW credit for more than the client sent', [encodeFrame({ type: FrameType.WINDOW, streamId: 1, increment: 1 })], 0, ErrorCode.FLOW_CONTROL_ERROR],
      ['two RESETs', [cancelReset(), cancelReset()], 1, ErrorCode.PROTOCOL_ERROR],
    ])('after the reader cancels, closes the link on %s and pays only what an honest donor might have had in flight', async (_name, junk, paidFrames, code) => {
      const { client, counts, send } = rawDonor();
      const stream = client.open({ method: 'GET', url: 'https://x.example/', headers: [] });
      stream.end();
      const honest = [head(), encodeData(1, new Uint8Array(60_000))];
      send(...honest);
      await stream.response;
      const reader = stream.readable.getReader();
      await reader.read();
      await reader.cancel();
      send(...junk);
      expect((await client.closed).code).toBe(code);
      expect(counts.received).toBe(sum(honest) + sum(junk.slice(0, paidFrames)));
    });

    it('closes the link on any frame after the donor reset the stream, and does not pay for it', async () => {
      const { client, counts, send } = rawDonor();
      const stream = client.open({ method: 'GET', url: 'https://x.example/', headers: [] });
      stream.end();
      const honest = [head(), encodeFrame({ type: FrameType.RESET, streamId: 1, code: ErrorCode.UPSTREAM_FAILED, reason: '', message: 'gone' })];
      send(...honest, ...junkFrames(1));
      expect((await client.closed).code).toBe(ErrorCode.PROTOCOL_ERROR);
      expect(counts.received).toBe(sum(honest));
    });

    // Who pays for what (docs/receipts.md): all the donor serves, and the bodies the client uploads.
    it.each<[string, FrameType, number, boolean, boolean]>([
      ['REQUEST', FrameType.REQUEST, 1, true, false],
      ['RESPONSE', FrameType.RESPONSE, 1, true, false],
      ['DATA', FrameType.DATA, 1, true, true],
      ['END', FrameType.END, 1, true, false],
      ['RESET', FrameType.RESET, 1, true, false],
      ['WINDOW', FrameType.WINDOW, 1, true, false],
      ['PROBE', FrameType.PROBE, 1, false, false],
      ['RECEIPT', FrameType.RECEIPT, 0, false, false],
      ['PING', FrameType.PING, 0, false, false],
    ])('meters %s sent by the donor: %s, by the client: %s', (_name, type, streamId, fromDonor, fromClient) => {
      expect(isMeteredFrame({ type, streamId }, 'donor')).toBe(fromDonor);
      expect(isMeteredFrame({ type, streamId }, 'client')).toBe(fromClient);
    });

    it('does not meter PROBE frames, which are no service', async () => {
      const { client, counts, send } = rawDonor();
      send(encodeFrame({ type: FrameType.PROBE, streamId: 2, payload: new Uint8Array(8000) }));
      await tick();
      expect(counts.received).toBe(0);
      client.close();
    });
  });

  describe('control-frame flood', () => {
    /** A transport whose send buffer never drains (the peer does not read), fed by hand. */
    function stuckTransport() {
      let handler: ((m: Uint8Array) => void) | undefined;
      const closeHandlers: Array<() => void> = [];
      const sent: Uint8Array[] = [];
      const transport: FrameTransport = {
        send: (m) => void sent.push(Uint8Array.from(m)),
        // Far above any high-water mark, for good.
        bufferedAmount: 64 * 1024 * 1024,
        drained: () => new Promise<void>(() => {}),
        onMessage: (h) => void (handler = h),
        onClose: (h) => void closeHandlers.push(h),
        closed: false,
        close() {
          if (transport.closed) return;
          (transport as { closed: boolean }).closed = true;
          for (const h of closeHandlers) h();
        },
      };
      return { transport, sent, deliver: (m: Uint8Array) => handler?.(m) };
    }
    const ping = (i: number) => encodeFrame({ type: FrameType.PING, streamId: 0, payload: Uint8Array.of(0, 0, 0, 0, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff) });
    const pongBytes = ping(0).length;

    it('closes a peer that floods PINGs while not reading, and holds a bounded queue until then', async () => {
      const { transport, sent, deliver } = stuckTransport();
      const donor = createTunnel({ transport, role: 'donor', onRequest: () => {} });
      let peakQueuedBytes = 0;
      let delivered = 0;
      // A million PINGs once grew the donor's heap by 185 MiB; each task delivers a burst, as a data channel would.
      while (delivered < 1_000_000 && !donor.isClosed) {
        for (let i = 0; i < 1000 && !donor.isClosed; i++) deliver(ping(delivered++));
        peakQueuedBytes = Math.max(peakQueuedBytes, donor.stats().queuedControlBytes);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(donor.isClosed).toBe(true);
      const error = await donor.closed;
      expect(error.code).toBe(ErrorCode.FLOOD);
      expect(error.message).toMatch(/PING/);
      expect(delivered).toBe(maxUnansweredPings + 1);
      expect(peakQueuedBytes).toBeLessThanOrEqual(maxUnansweredPings * pongBytes);
      // The peer is told why, in a GOAWAY that jumps the stuck queue.
      expect(sent.map((m) => m[1])).toEqual([FrameType.GOAWAY]);
    });

    it('closes a peer that floods REQUESTs past the stream limit while not reading', async () => {
      const { transport, deliver } = stuckTransport();
      const donor = createTunnel({ transport, role: 'donor', onRequest: () => {}, limits: { maxConcurrentStreams: 2 } });
      let peakQueuedBytes = 0;
      for (let id = 1; id < 2 * 100_000 && !donor.isClosed; id += 2) {
        deliver(encodeFrame({ type: FrameType.REQUEST, streamId: id, method: 'GET', url: 'https://x.example/', headers: [] }));
        peakQueuedBytes = Math.max(peakQueuedBytes, donor.stats().queuedControlBytes);
        if (id % 1000 === 1) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(donor.isClosed).toBe(true);
      expect((await donor.closed).code).toBe(ErrorCode.FLOOD);
      expect(peakQueuedBytes).toBeLessThanOrEqual(maxQueuedRefusals * 128);
    });

    it('answers an honest peer’s pings on an idle link for as long as it lasts', async () => {
      const limits = { pingIntervalMs: 40, peerTimeoutMs: 400 };
      const { client, donor } = pair(undefined, limits);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(client.isClosed).toBe(false);
      expect(donor.isClosed).toBe(false);
      // Both sides pinged, and heard PONGs back: many timeouts' worth of idle time passed.
      expect(client.stats().framesReceived).toBeGreaterThan(5);
      expect(donor.stats().framesReceived).toBeGreaterThan(5);
      // Then real traffic flows as before.
      const { stream } = await request(client, 'https://t.example/?size=100000');
      expect((await readAll(stream.readable)).length).toBe(100_000);
      client.close();
    });

    it('answers a burst of PINGs from a peer that reads its PONGs', async () => {
      const [a, b] = createMemoryTransportPair();
      const donor = createTunnel({ transport: a, role: 'donor', onRequest: () => {} });
      const pongs: Uint8Array[] = [];
      b.onMessage((m) => {
        if (m[1] === FrameType.PONG) pongs.push(m);
      });
      // One at a time, each after the last PONG: however many, each is answered.
      for (let i = 0; i < 200; i++) {
        b.send(ping(i));
        while (pongs.length <= i) await new Promise((r) => setTimeout(r, 0));
      }
      expect(donor.isClosed).toBe(false);
      expect(pongs.at(-1)).toEqual(Uint8Array.from([...ping(199).subarray(0, 1), FrameType.PONG, ...ping(199).subarray(2)]));
      donor.close();
    });
  });

  describe('hostile peer', () => {
    function rawPeer() {
      const [a, b] = createMemoryTransportPair();
      const received: Uint8Array[] = [];
      b.onMessage((m) => received.push(m));
      const requests: RequestHead[] = [];
      const donor = createTunnel({ transport: a, role: 'donor', onRequest: (s, h) => requests.push(h) });
      return { donor, send: (bytes: Uint8Array) => b.send(bytes), received, requests };
    }

    it.each([
      ['garbage', Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1), ErrorCode.UNSUPPORTED_VERSION],
      ['oversized frame', new Uint8Array(70_000).fill(1), ErrorCode.FRAME_SIZE_ERROR],
      ['DATA on a never-opened stream', encodeData(41, Uint8Array.of(1)), ErrorCode.PROTOCOL_ERROR],
      ['REQUEST on a donor-owned id', encodeFrame({ type: FrameType.REQUEST, streamId: 2, method: 'GET', url: 'x', headers: [] }), ErrorCode.PROTOCOL_ERROR],
      ['HELLO after setup', encodeFrame({ type: FrameType.HELLO, streamId: 0, role: 'client', publicKey: new Uint8Array(32), nonce: new Uint8Array(32), paymentAddress: new Uint8Array(20), paymentIdentitySignature: new Uint8Array(64), paymentSignature: new Uint8Array(65), signature: new Uint8Array(64) }), ErrorCode.PROTOCOL_ERROR],
    ])('closes the link on %s', async (_name, bytes, code) => {
      const { donor, send } = rawPeer();
      send(bytes);
      expect((await donor.closed).code).toBe(code);
    });

    it('closes the link when a peer overruns its window', async () => {
      const { donor, send } = rawPeer();
      send(encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'POST', url: 'https://x.example/', headers: [] }));
      for (let i = 0; i < 10; i++) send(encodeData(1, new Uint8Array(60_000)));
      expect((await donor.closed).code).toBe(ErrorCode.FLOW_CONTROL_ERROR);
    });

    it('resets only the stream whose frame is malformed', async () => {
      const { donor, send, received, requests } = rawPeer();
      send(encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'https://x.example/', headers: [] }));
      // A WINDOW frame with a zero increment, on the open stream.
      send(Uint8Array.of(1, FrameType.WINDOW, 0, 0, 0, 1, 0, 0, 0, 0));
      // Wait for the RESET (a fixed pause was too short on a loaded machine), at most 2 s.
      for (let waited = 0; waited < 2_000 && !received.some((m) => m[1] === FrameType.RESET); waited += 10) await new Promise((r) => setTimeout(r, 10));
      expect(requests).toHaveLength(1);
      expect(donor.isClosed).toBe(false);
      expect(received.some((m) => m[1] === FrameType.RESET)).toBe(true);
      donor.close();
    });

    it('refuses streams past the concurrency limit without closing the link', async () => {
      const [a, b] = createMemoryTransportPair();
      const donor = createTunnel({ transport: a, role: 'donor', onRequest: () => {}, limits: { maxConcurrentStreams: 2 } });
      const client = createTunnel({ transport: b, role: 'client' });
      const streams = [1, 2, 3].map(() => client.open({ method: 'GET', url: 'https://x.example/', headers: [] }));
      await expect(streams[2]!.response).rejects.toMatchObject({ code: ErrorCode.REFUSED_STREAM });
      expect(donor.isClosed).toBe(false);
      client.close();
    });
  });
});
