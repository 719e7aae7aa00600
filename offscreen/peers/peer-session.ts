// Turning an introduction into a verified tunnel: the signal exchange for one session (offer,
// answer, candidates, bye), the data channel, and the HELLO in both directions. The client
// dials; the donor accepts. Both end with a Tunnel bound to the peer's proven identity.
import { z } from 'zod';
import type { SignalData } from '@thaunknown/simple-peer/lite.js';
import { bytesToHex, hexToBytes, randomBytes } from '../../protocol/bytes.ts';
import { ErrorCode, FrameType, helloNonceBytes } from '../../protocol/frame-types.ts';
import { FrameError, decodeFrame, encodeFrame } from '../../protocol/frames.ts';
import { HelloError, createHello, verifyHello, type HelloContext } from '../../protocol/hello.ts';
import type { Identity } from '../../protocol/identity.ts';
import { unknownCountry, type SignalBody } from '../../protocol/signaling-messages.ts';
import { closeAfterDrain, type FrameTransport } from '../tunnel/frame-transport.ts';
import { createPeerLink, type PeerLink, type PeerLinkOptions } from './peer-link.ts';
import { newSignalSession, type SignalingClient } from './signaling-client.ts';
import { paidRequests, type ChannelPayments, type Payments } from '../payments/channel-payments.ts';
import { createTunnel, type IncomingStream, type RequestHead, type Tunnel, type TunnelLimits } from '../tunnel/tunnel.ts';

/** ICE and DTLS must finish within this (over every attempt of a dial), or it fails with a clear error. */
export const connectTimeoutMs = 20_000;
/** The peer's HELLO must arrive this soon after the channel opens. */
export const helloTimeoutMs = 5_000;
/**
 * Links one client identity (its peer id, which signaling authenticated and HELLO proves) may hold
 * at a donor at once, connecting ones included: two, so a client replacing a failed link is not
 * refused while the donor has yet to notice the old one is gone. Identities are free, so this stops
 * only the cheap attack of one identity taking every slot; see docs/exit-policy.md, "Fairness".
 */
export const maxSessionsPerClient = 2;

/** Signal `data` as simple-peer produces it; anything else from the wire is refused. */
const signalDataSchema = z.union([
  z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(16_000) }),
  z.object({
    type: z.literal('candidate'),
    candidate: z.object({ candidate: z.string().max(2_000), sdpMLineIndex: z.number().int().min(0).max(64).nullish(), sdpMid: z.string().max(64).nullish() }),
  }),
]);

export class PeerSessionError extends Error {
  override readonly name = 'PeerSessionError';
  constructor(
    readonly reason: 'timeout' | 'refused' | 'hello-failed' | 'connection-failed' | 'closed',
    message: string,
  ) {
    super(message);
  }
}

export interface SessionOptions {
  identity: Identity;
  signaling: SignalingClient;
  /** The payment side: the key binding sent in HELLO, and each link's metering and receipts. */
  payments: Payments;
  tunnelLimits?: Partial<TunnelLimits>;
  /** Passed to the peer connection (see peer-link.ts). */
  rtcConfig?: PeerLinkOptions['rtcConfig'];
  /** Overrides for tests that shorten the clocks. */
  connectTimeoutMs?: number;
  helloTimeoutMs?: number;
}

export interface EstablishedSession {
  readonly peerId: string;
  /** Country the signaling server observed for the peer ('ZZ' unknown): the server's word, not proven by the HELLO. */
  readonly country: string;
  /** The peer's payment address, proven by HELLO. */
  readonly paymentAddress: string;
  readonly tunnel: Tunnel;
  /** This link's payment channel: its counters. */
  readonly payments: ChannelPayments;
}

interface SessionState {
  link: PeerLink;
  remoteNonce: Uint8Array;
  localNonce: Uint8Array;
}

function signalKind(data: SignalData): 'offer' | 'answer' | 'candidate' {
  return data.type === 'offer' || data.type === 'answer' ? data.type : 'candidate';
}

/** Runs HELLO over an open transport and builds the tunnel; rejects with PeerSessionError. */
function handshake(transport: FrameTransport, peerId: string, country: string, context: HelloContext, options: SessionOptions & { price?: bigint }, onRequest?: (s: IncomingStream, h: RequestHead) => void): Promise<EstablishedSession> {
  transport.send(encodeFrame(createHello(options.identity, context)));
  return new Promise<EstablishedSession>((resolve, reject) => {
    let settled = false;
    const fail = (reason: PeerSessionError['reason'], message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        if (!transport.closed) transport.send(encodeFrame({ type: FrameType.GOAWAY, streamId: 0, code: ErrorCode.HELLO_FAILED, message }));
      } catch {
        // already gone
      }
      closeAfterDrain(transport);
      reject(new PeerSessionError(reason, message));
    };
    const timer = setTimeout(() => fail('timeout', 'The peer did not introduce itself on the data channel.'), options.helloTimeoutMs ?? helloTimeoutMs);
    transport.onClose(() => fail('closed', 'The peer closed the data channel during the handshake.'));
    // Verify and build the tunnel inside the first message's callback, so that no frame the
    // peer sends right after its HELLO can slip past the tunnel.
    transport.onMessage((message) => {
      clearTimeout(timer);
      try {
        const frame = decodeFrame(message);
        if (frame.type !== FrameType.HELLO) throw new HelloError('bad-signature', 'The peer’s first frame was not a HELLO.');
        const verified = verifyHello(frame, peerId, context);
        const payments = options.payments.forSession({ role: context.role, identity: options.identity, peerId: verified.peerId, peerCountry: country, peerPaymentAddress: verified.paymentAddress, price: options.price });
        const tunnel = createTunnel({ transport, role: context.role, onRequest: paidRequests(payments, onRequest), limits: options.tunnelLimits, meter: payments.meter, onOpaqueFrame: (f) => payments.onOpaqueFrame(f) });
        settled = true;
        payments.attach(tunnel).then(
          () => resolve({ peerId: verified.peerId, country, paymentAddress: verified.paymentAddress, tunnel, payments }),
          (error: unknown) => {
            const message = `Could not open the payment channel: ${error instanceof Error ? error.message : String(error)}`;
            tunnel.close(ErrorCode.INTERNAL_ERROR, message);
            reject(new PeerSessionError('connection-failed', message));
          },
        );
      } catch (error) {
        fail('hello-failed', error instanceof HelloError || error instanceof FrameError ? error.message : String(error));
      }
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PeerSessionError('timeout', message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** A connected data channel whose HELLO has not been exchanged yet. */
export interface DialedTransport {
  readonly transport: FrameTransport;
  readonly context: HelloContext;
}

/**
 * Opens a data channel to a donor through signaling, without the HELLO. `dialPeer` is this
 * plus the handshake; conformance tests use it alone to play a misbehaving client.
 * @throws {PeerSessionError} when the connection fails or the donor refuses.
 */
export async function dialTransport(donorPeerId: string, options: SessionOptions): Promise<DialedTransport> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? connectTimeoutMs);
  for (let attempt = 1; ; attempt++) {
    const remainingMs = deadline - Date.now();
    try {
      return await dialOnce(donorPeerId, options, Math.min(remainingMs, dialAttemptTimeoutMs));
    } catch (error) {
      if (!(error instanceof PeerSessionError) || attempt >= maxDialAttempts) throw error;
      // A connection that fails outright (not a refusal) is worth another try: setup can lose a
      // race (node-datachannel sometimes applies an answer's candidates before its ICE transport
      // exists, about one dial in five on loopback), and the donor is still there. So is one whose
      // ICE stalls: a fresh connection usually opens at once, so a stalled attempt is given up
      // after dialAttemptTimeoutMs while the overall connect budget still has room for another.
      const retry = error.reason === 'connection-failed' || (error.reason === 'timeout' && deadline - Date.now() >= minRetryBudgetMs);
      if (!retry) throw error;
    }
  }
}

/**
 * Connection attempts per dial when the connection fails outright. Such a failure comes within
 * milliseconds, so trying again is cheap; under CPU load node-datachannel's race above can repeat.
 */
export const maxDialAttempts = 5;
/** One attempt's share of {@link connectTimeoutMs}: ICE that has not connected by then starts over. */
export const dialAttemptTimeoutMs = 10_000;
/** A stalled attempt is retried only when at least this much of the connect budget is left. */
const minRetryBudgetMs = 3_000;

async function dialOnce(donorPeerId: string, options: SessionOptions, timeoutMs: number): Promise<DialedTransport> {
  const { signaling } = options;
  const session = newSignalSession();
  const localNonce = randomBytes(helloNonceBytes);
  const payment = await options.payments.binding(options.identity);
  let remoteNonce: Uint8Array | undefined;
  let refuse: (error: PeerSessionError) => void = () => {};
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => {});
  const link = createPeerLink({
    initiator: true,
    rtcConfig: options.rtcConfig,
    iceServers: [...signaling.iceServers] as RTCIceServer[],
    onSignal: (data) => signaling.sendSignal(donorPeerId, { session, kind: signalKind(data), data, nonce: data.type === 'offer' ? bytesToHex(localNonce) : undefined }),
  });
  const unsubscribe = signaling.onSignal((from, body) => {
    if (from !== donorPeerId || body.session !== session) return;
    if (body.kind === 'bye') return refuse(new PeerSessionError('refused', typeof body.data === 'string' ? body.data : 'The donor declined the connection.'));
    const parsed = signalDataSchema.safeParse(body.data);
    if (!parsed.success) return;
    if (parsed.data.type === 'answer') {
      if (!body.nonce) return refuse(new PeerSessionError('hello-failed', 'The donor answered without a session nonce; it may run an incompatible version.'));
      remoteNonce = hexToBytes(body.nonce);
    }
    try {
      link.signal(parsed.data as SignalData);
    } catch {
      // a malformed candidate is the peer's problem; ICE carries on with the others
    }
  });
  try {
    const transport = await withTimeout(Promise.race([link.connected, refused]), timeoutMs, 'Could not open a connection to the donor in time.');
    if (!remoteNonce) throw new PeerSessionError('hello-failed', 'The donor never sent its session nonce.');
    const context: HelloContext = { role: 'client', localFingerprint: link.localFingerprint(), remoteFingerprint: link.remoteFingerprint(), localNonce, remoteNonce, payment };
    return { transport, context };
  } catch (error) {
    link.destroy();
    // The donor holds a session slot for this attempt until it times out; free it now, so a retry
    // (or the next client) is not refused as one too many.
    try {
      signaling.sendSignal(donorPeerId, { session, kind: 'bye', data: 'The client gave up on this connection attempt.' });
    } catch {
      // signaling closed: the donor's own timeout frees the slot
    }
    if (error instanceof PeerSessionError) throw error;
    throw new PeerSessionError('connection-failed', error instanceof Error ? error.message : String(error));
  } finally {
    unsubscribe();
  }
}

/** Options of `dialPeer`. */
export interface DialOptions extends SessionOptions {
  /** Country the signaling server observed for the donor (`VerifiedDonor.country`); 'ZZ' when not given. */
  remoteCountry?: string;
  /** The donor's price from its signed listing, micro-credits per MiB: accepted in CHANNEL_OPEN. */
  price: bigint;
}

/**
 * Dials a donor introduced by the signaling server and proves both identities.
 * @throws {PeerSessionError} when the connection or the HELLO fails, or the donor refuses.
 */
export async function dialPeer(donorPeerId: string, options: DialOptions): Promise<EstablishedSession> {
  const { transport, context } = await dialTransport(donorPeerId, options);
  return handshake(transport, donorPeerId, options.remoteCountry ?? unknownCountry, context, options);
}

export interface AcceptOptions extends SessionOptions {
  /** Sessions at once; further offers get a 'bye'. */
  maxSessions: number;
  /** Sessions one client identity may hold at once; further offers from it get a 'bye'. Default {@link maxSessionsPerClient}. */
  maxSessionsPerClient?: number;
  onRequest: (stream: IncomingStream, head: RequestHead, peerId: string) => void;
  onSession?: (session: EstablishedSession) => void;
  onSessionError?: (peerId: string, error: PeerSessionError) => void;
}

/** Accepts offers from clients until the returned function is called. */
export function acceptPeers(options: AcceptOptions): { stop(): void; readonly activeSessions: number } {
  const { signaling } = options;
  const pending = new Map<string, SessionState>();
  const established = new Set<EstablishedSession>();
  // Sessions that are up: a second offer for one (a replay, a confused client) must not start a
  // phantom link that holds a slot until it times out.
  const liveKeys = new Set<string>();
  const perClient = options.maxSessionsPerClient ?? maxSessionsPerClient;
  /** Sessions of `peerId`, connecting or established. */
  const sessionsOf = (peerId: string): number => {
    let count = 0;
    for (const key of pending.keys()) if (key.startsWith(`${peerId}/`)) count++;
    for (const session of established) if (session.peerId === peerId) count++;
    return count;
  };

  function start(from: string, country: string, body: SignalBody, offer: SignalData): void {
    if (!body.nonce) {
      signaling.sendSignal(from, { session: body.session, kind: 'bye', data: 'Your offer carried no session nonce; this donor needs one to prove the connection. Update Porchlight.' });
      return;
    }
    if (pending.size + established.size >= options.maxSessions) {
      signaling.sendSignal(from, { session: body.session, kind: 'bye', data: 'This donor is serving as many people as it allows right now.' });
      return;
    }
    if (sessionsOf(from) >= perClient) {
      signaling.sendSignal(from, { session: body.session, kind: 'bye', data: `You already have ${perClient} connections to this donor, the most one person may hold at once; close one and try again.` });
      return;
    }
    const key = `${from}/${body.session}`;
    const localNonce = randomBytes(helloNonceBytes);
    const link = createPeerLink({
      initiator: false,
      rtcConfig: options.rtcConfig,
      iceServers: [...signaling.iceServers] as RTCIceServer[],
      onSignal: (data) => signaling.sendSignal(from, { session: body.session, kind: signalKind(data), data, nonce: data.type === 'answer' ? bytesToHex(localNonce) : undefined }),
    });
    const state: SessionState = { link, localNonce, remoteNonce: hexToBytes(body.nonce) };
    pending.set(key, state);
    state.link.signal(offer);
    void (async () => {
      try {
        const transport = await withTimeout(state.link.connected, options.connectTimeoutMs ?? connectTimeoutMs, 'The client did not finish connecting in time.');
        const payment = await options.payments.binding(options.identity);
        const context: HelloContext = { role: 'donor', localFingerprint: state.link.localFingerprint(), remoteFingerprint: state.link.remoteFingerprint(), localNonce: state.localNonce, remoteNonce: state.remoteNonce, payment };
        const session = await handshake(transport, from, country, context, options, (stream, head) => options.onRequest(stream, head, from));
        established.add(session);
        liveKeys.add(key);
        void session.tunnel.closed.then(() => {
          established.delete(session);
          liveKeys.delete(key);
        });
        options.onSession?.(session);
      } catch (error) {
        state.link.destroy();
        const failure = error instanceof PeerSessionError ? error : new PeerSessionError('connection-failed', String(error));
        options.onSessionError?.(from, failure);
      } finally {
        pending.delete(key);
      }
    })();
  }

  const unsubscribe = signaling.onSignal((from, body, meta) => {
    const key = `${from}/${body.session}`;
    if (body.kind === 'bye') {
      pending.get(key)?.link.destroy();
      return;
    }
    const parsed = signalDataSchema.safeParse(body.data);
    if (!parsed.success) return;
    const existing = pending.get(key);
    if (parsed.data.type === 'offer') {
      // The offer's relay tells where the client connects from; later signals of the session cannot change it.
      if (!existing && !liveKeys.has(key)) start(from, meta.country, body, parsed.data as SignalData);
      return;
    }
    try {
      existing?.link.signal(parsed.data as SignalData);
    } catch {
      // ignore a malformed candidate
    }
  });

  return {
    stop() {
      unsubscribe();
      for (const state of pending.values()) state.link.destroy();
      pending.clear();
      for (const session of established) session.tunnel.close(ErrorCode.NO_ERROR, 'The donor stopped sharing.');
      established.clear();
    },
    get activeSessions() {
      return pending.size + established.size;
    },
  };
}
