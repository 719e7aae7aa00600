// A tunnel: many request/response streams multiplexed over one ordered, reliable message
// transport, with per-stream credit windows and a round-robin scheduler that respects the
// transport's send buffer. Spec: docs/protocol.md.
import { ErrorCode, FrameType, errorCodeName, frameHeaderBytes, maxFrameBytes } from '../../protocol/frame-types.ts';
import { FrameError, decodeFrame, encodeDataInto, encodeFrame, type Frame, type HeaderList, type OpaqueFrame, type PeerRole, type RequestFrame } from '../../protocol/frames.ts';
import { randomBytes } from '../../protocol/bytes.ts';
import { closeAfterDrain, type FrameTransport } from './frame-transport.ts';
import { StreamState, type FinishedStream, type IncomingStream, type OutgoingStream, type ResponseHead, type StreamLink } from './tunnel-stream.ts';
import { TunnelError, linkFailureReasons } from './tunnel-error.ts';

export type { IncomingStream, OutgoingStream, ResponseHead } from './tunnel-stream.ts';

export interface TunnelLimits {
  /** Per-stream credit window, both directions. */
  initialWindowBytes: number;
  /** Bytes a stream's writer may queue before `write` waits. */
  sendBufferBytes: number;
  /** Transport buffer above which the scheduler waits for it to drain. */
  transportHighWaterBytes: number;
  /** Streams the peer may have open at once; more are refused. */
  maxConcurrentStreams: number;
  /** Idle time after which we PING the peer. */
  pingIntervalMs: number;
  /** Silence after which the peer is declared gone. */
  peerTimeoutMs: number;
}

export const defaultTunnelLimits: TunnelLimits = {
  initialWindowBytes: 512 * 1024,
  sendBufferBytes: 256 * 1024,
  transportHighWaterBytes: 1024 * 1024,
  maxConcurrentStreams: 128,
  pingIntervalMs: 3_000,
  peerTimeoutMs: 12_000,
};

/** Pause before re-checking a send buffer that `drained()` reported empty but is still full. */
export const drainRetryMs = 5;
/**
 * PONGs that may wait unsent; a PING past them closes the link with FLOOD. An honest peer PINGs
 * only after pingIntervalMs of silence, once per heartbeat, and gives up after peerTimeoutMs: at
 * most 7 PINGs with the default timings, so only a peer that floods while not reading gets here.
 */
export const maxUnansweredPings = 8;
/** RESET REFUSED_STREAM answers that may wait unsent; a REQUEST past them closes the link with FLOOD. */
export const maxQueuedRefusals = 128;
/**
 * Finished streams whose racing frames (DATA in flight before our RESET reached the peer, WINDOW
 * and RESET crossing an END) are still accepted; the oldest is forgotten past this, and a frame
 * for a forgotten stream breaks the protocol. Racing frames arrive within a round trip; a link
 * does not finish a thousand streams in one.
 */
export const maxFinishedStreams = 1024;

/**
 * The one rule for what a paid channel counts (docs/receipts.md, "Metering"): what the donor sends,
 * every stream frame; what the client sends, its request bodies (DATA), which the donor forwards to
 * the site. A client's REQUEST, END, WINDOW and RESET are not counted (each request is paid by the
 * head or RESET it is answered with), nor is PROBE either way: it measures the link, no service.
 */
export function isMeteredFrame(frame: Pick<Frame, 'type' | 'streamId'>, sender: PeerRole): boolean {
  if (frame.streamId === 0 || frame.type === FrameType.PROBE) return false;
  return sender === 'donor' || frame.type === FrameType.DATA;
}

export interface RequestHead {
  method: string;
  url: string;
  headers: HeaderList;
}

/**
 * Counts the frames of a paid channel and, on the donor, holds back what its credit window does
 * not cover: the donor's stream frames and the client's DATA (isMeteredFrame); link frames
 * (HELLO, PING, RECEIPT, …) never.
 */
export interface TunnelMeter {
  /**
   * Every metered frame received and accepted (isMeteredFrame), by its size in bytes: a frame that
   * breaks the protocol (DATA past the credit, after END, on an unknown stream, …) closes the link
   * and is never counted.
   */
  received(bytes: number): void;
  /** Every metered frame sent (isMeteredFrame), by its size in bytes. */
  sent(bytes: number): void;
  /** Bytes of stream frames that may be sent now (the donor's credit window; unlimited for a client). */
  room(): number;
  /** Resolves when room() may have grown; the tunnel waits on it while it holds frames back. */
  roomChanged(): Promise<void>;
}

export interface TunnelOptions {
  transport: FrameTransport;
  /** Clients open odd stream ids, donors even ones. */
  role: PeerRole;
  /** Called for each REQUEST the peer opens; without it, every request is refused. */
  onRequest?: (stream: IncomingStream, head: RequestHead) => void;
  /** RECEIPT and PROBE frames, for the layers that define them. */
  onOpaqueFrame?: (frame: OpaqueFrame) => void;
  /** Metering of a paid channel; without it nothing is counted or held back. */
  meter?: TunnelMeter;
  limits?: Partial<TunnelLimits>;
}

export interface TunnelStats {
  bytesSent: number;
  bytesReceived: number;
  framesSent: number;
  framesReceived: number;
  openStreams: number;
  /** Control frames (heads, WINDOW, RESET, PONG, …) queued and not yet handed to the transport, in bytes. */
  queuedControlBytes: number;
}

/** A control frame waiting for the scheduler; `reply` marks the ones a peer can make us queue. */
interface QueuedFrame {
  bytes: Uint8Array;
  reply?: 'pong' | 'refusal';
  /** Counted by the meter when sent (isMeteredFrame). */
  metered?: boolean;
}

export interface Tunnel {
  /** Opens a stream with a REQUEST head. @throws {TunnelError} when closed; {RangeError | TypeError} for a head over the limits. */
  open(head: RequestHead): OutgoingStream;
  /** Sends a RECEIPT, PROBE or CHANNEL_OPEN frame. */
  sendOpaque(frame: OpaqueFrame): void;
  /** Closes the link, telling the peer why; every open stream fails with the same error. */
  close(code?: ErrorCode, message?: string): void;
  /** Resolves when the link is closed, with the error that closed it. */
  readonly closed: Promise<TunnelError>;
  readonly isClosed: boolean;
  stats(): TunnelStats;
}

/** Builds a tunnel over an open transport. */
export function createTunnel(options: TunnelOptions): Tunnel {
  const limits: TunnelLimits = { ...defaultTunnelLimits, ...options.limits };
  const { transport, role } = options;
  const peerRole: PeerRole = role === 'client' ? 'donor' : 'client';
  const endMetered = isMeteredFrame({ type: FrameType.END, streamId: 1 }, role);
  const streams = new Map<number, StreamState>();
  // Streams that left `streams`, oldest first, with what the peer may still send on them.
  const finished = new Map<number, FinishedStream>();
  // Link frames (stream 0) are never metered nor held back; stream control frames are.
  const linkControl: QueuedFrame[] = [];
  const streamControl: QueuedFrame[] = [];
  // What a peer can make us queue in reply, bounded so that one that does not read cannot grow it.
  let queuedPongs = 0;
  let queuedRefusals = 0;
  const { meter } = options;
  let waitingForRoom = false;
  // Transports copy on send, so every DATA frame of this link is assembled in one buffer.
  const dataFrameBuffer = new Uint8Array(maxFrameBytes);
  const ready = new Set<StreamState>();
  const stats: TunnelStats = { bytesSent: 0, bytesReceived: 0, framesSent: 0, framesReceived: 0, openStreams: 0, queuedControlBytes: 0 };
  let nextOwnId = role === 'client' ? 1 : 2;
  let highestPeerId = 0;
  let pumping = false;
  let closeError: TunnelError | undefined;
  let lastHeard = Date.now();
  let resolveClosed!: (e: TunnelError) => void; // assigned synchronously by the Promise constructor
  const closed = new Promise<TunnelError>((resolve) => (resolveClosed = resolve));

  const link: StreamLink = {
    markReady(stream) {
      if (stream.sendable) {
        ready.add(stream);
        schedulePump();
      }
    },
    sendWindowUpdate(streamId, increment) {
      queueControl({ type: FrameType.WINDOW, streamId, increment });
    },
    sendReset(streamId, code, reason, message) {
      queueControl({ type: FrameType.RESET, streamId, code, reason, message });
    },
    sendResponse(streamId, head) {
      queueControl({ type: FrameType.RESPONSE, streamId, ...head });
    },
    release(stream) {
      ready.delete(stream);
      if (!streams.delete(stream.id)) return;
      stats.openStreams = streams.size;
      if (!closeError) remember(stream.id, stream.afterlife());
    },
  };

  function queueControl(frame: Frame, reply?: QueuedFrame['reply']): void {
    if (closeError) return;
    const bytes = encodeFrame(frame);
    // Stream frames keep their order behind the stream's REQUEST; PROBE, like link frames, is never held back.
    const queue = frame.streamId === 0 || frame.type === FrameType.PROBE ? linkControl : streamControl;
    queue.push({ bytes, reply, metered: isMeteredFrame(frame, role) });
    stats.queuedControlBytes += bytes.length;
    if (reply === 'pong') queuedPongs++;
    else if (reply === 'refusal') queuedRefusals++;
    schedulePump();
  }

  /** Takes the head of a control queue for sending. */
  function dequeue(queue: QueuedFrame[]): Uint8Array | undefined {
    const item = queue.shift();
    if (!item) return undefined;
    stats.queuedControlBytes -= item.bytes.length;
    if (item.reply === 'pong') queuedPongs--;
    else if (item.reply === 'refusal') queuedRefusals--;
    return item.bytes;
  }

  /** Sends a stream frame, counting it when the channel pays for it. */
  function sendStreamFrame(bytes: Uint8Array, metered: boolean): void {
    sendNow(bytes);
    if (metered) meter?.sent(bytes.length);
  }

  /** Holds stream frames until the meter has room again. */
  function waitForRoom(): void {
    if (waitingForRoom || !meter) return;
    waitingForRoom = true;
    void meter.roomChanged().then(() => {
      waitingForRoom = false;
      schedulePump();
    });
  }

  function schedulePump(): void {
    if (pumping || closeError) return;
    pumping = true;
    queueMicrotask(() => void pump());
  }

  function sendNow(bytes: Uint8Array): void {
    transport.send(bytes);
    stats.bytesSent += bytes.length;
    stats.framesSent++;
  }

  async function pump(): Promise<void> {
    try {
      for (;;) {
        if (closeError || transport.closed) return;
        if (transport.bufferedAmount >= limits.transportHighWaterBytes) {
          await transport.drained();
          // A transport whose low-water mark is not below our high-water mark resolves at once;
          // yield to the event loop so the channel can actually drain instead of spinning.
          if (transport.bufferedAmount >= limits.transportHighWaterBytes) await new Promise((resolve) => setTimeout(resolve, drainRetryMs));
          continue;
        }
        const linkFrame = dequeue(linkControl);
        if (linkFrame) {
          sendNow(linkFrame);
          continue;
        }
        const room = meter ? meter.room() : Number.POSITIVE_INFINITY;
        const controlFrame = streamControl[0];
        if (controlFrame) {
          if (controlFrame.bytes.length > room) return waitForRoom();
          sendStreamFrame(dequeue(streamControl)!, controlFrame.metered === true); // the head checked just above
          continue;
        }
        const stream = nextReady();
        if (!stream) return;
        // The smallest frame a stream can send is END (a header alone); DATA is cut to the room left.
        if (room <= frameHeaderBytes) {
          ready.add(stream);
          return waitForRoom();
        }
        const next = stream.takeNext(room - frameHeaderBytes);
        if (next === 'end') sendStreamFrame(encodeFrame({ type: FrameType.END, streamId: stream.id }), endMetered);
        else if (next) sendStreamFrame(encodeDataInto(dataFrameBuffer, stream.id, next), true);
        // Round-robin: a stream with more to send goes to the back of the line.
        if (stream.sendable) ready.add(stream);
      }
    } catch (error) {
      fail(new TunnelError(ErrorCode.INTERNAL_ERROR, linkFailureReasons.linkLost, `Sending failed: ${String(error)}`));
    } finally {
      pumping = false;
      if (!closeError && (linkControl.length > 0 || (!waitingForRoom && (streamControl.length > 0 || ready.size > 0)))) schedulePump();
    }
  }

  function nextReady(): StreamState | undefined {
    for (const stream of ready) {
      ready.delete(stream);
      if (stream.sendable) return stream;
    }
    return undefined;
  }

  function fail(error: TunnelError, linger = false): void {
    if (closeError) return;
    closeError = error;
    clearInterval(heartbeat);
    for (const stream of [...streams.values()]) stream.fail(error);
    streams.clear();
    finished.clear();
    ready.clear();
    linkControl.length = 0;
    streamControl.length = 0;
    queuedPongs = queuedRefusals = stats.queuedControlBytes = 0;
    stats.openStreams = 0;
    if (linger) closeAfterDrain(transport);
    else transport.close();
    resolveClosed(error);
  }

  function closeWith(code: ErrorCode, message: string, reason = ''): void {
    if (closeError) return;
    try {
      // Best effort: the GOAWAY jumps the queue so the peer learns why.
      if (!transport.closed) sendNow(encodeFrame({ type: FrameType.GOAWAY, streamId: 0, code, message }));
    } catch {
      // the transport is already gone; nothing to tell
    }
    fail(new TunnelError(code, reason, message), true);
  }

  function onMessage(message: Uint8Array): void {
    if (closeError) return;
    lastHeard = Date.now();
    stats.bytesReceived += message.length;
    stats.framesReceived++;
    let frame: Frame;
    try {
      frame = decodeFrame(message);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      const stream = error.streamId ? streams.get(error.streamId) : undefined;
      // A bad payload on a live stream costs that stream; anything else costs the link.
      if (stream && error.code === ErrorCode.MALFORMED_FRAME) stream.reset(error.code, 'malformed-frame', error.message);
      else closeWith(error.code, `Malformed frame: ${error.message}`);
      return;
    }
    try {
      dispatch(frame);
    } catch (error) {
      if (error instanceof TunnelError) closeWith(error.code, error.message);
      else closeWith(ErrorCode.INTERNAL_ERROR, `Internal error: ${String(error)}`);
      return;
    }
    // Counted only once accepted: what broke the rules closed the link above and is never paid.
    if (isMeteredFrame(frame, peerRole)) meter?.received(message.length);
  }

  function protocolError(message: string): TunnelError {
    return new TunnelError(ErrorCode.PROTOCOL_ERROR, '', message);
  }

  /** Keeps what a finished stream still allows, forgetting the oldest past maxFinishedStreams. */
  function remember(id: number, afterlife: FinishedStream): void {
    finished.delete(id);
    if (afterlife.peerDone && !afterlife.resetAllowed) return; // the peer reset it: nothing more may come
    finished.set(id, afterlife);
    if (finished.size > maxFinishedStreams) finished.delete(finished.keys().next().value!); // size > 0
  }

  /**
   * A frame for a stream no longer open: accepted only as far as an honest peer may have had it in
   * flight when the stream finished.
   * @throws {TunnelError} PROTOCOL_ERROR or FLOW_CONTROL_ERROR for anything else.
   */
  function acceptFinished(frame: Frame): void {
    const id = frame.streamId;
    const neverOpened = ownsId(id, role) ? id >= nextOwnId : id > highestPeerId;
    if (neverOpened) throw protocolError(`Frame for stream ${id}, which was never opened.`);
    const after = finished.get(id);
    if (!after) throw protocolError(`Frame for stream ${id}, which already finished.`);
    switch (frame.type) {
      case FrameType.RESPONSE:
        if (!after.headPending) throw protocolError(`RESPONSE head for stream ${id}, which already had one or is the peer's.`);
        after.headPending = false;
        return;
      case FrameType.DATA:
        if (after.peerDone) throw protocolError(`DATA for stream ${id} after the peer ended it.`);
        if (after.headPending) throw protocolError(`DATA before the RESPONSE head on stream ${id}.`);
        if (frame.data.length > after.dataAllowance) {
          throw new TunnelError(ErrorCode.FLOW_CONTROL_ERROR, '', `Peer sent ${frame.data.length} bytes with ${after.dataAllowance} bytes of credit on stream ${id}.`);
        }
        after.dataAllowance -= frame.data.length;
        return;
      case FrameType.END:
        if (after.peerDone) throw protocolError(`END for stream ${id}, which the peer already ended.`);
        if (after.headPending) throw protocolError(`END before the RESPONSE head on stream ${id}.`);
        after.peerDone = true;
        after.dataAllowance = 0;
        return;
      case FrameType.RESET:
        if (!after.resetAllowed) throw protocolError(`RESET for stream ${id}, which the peer already reset.`);
        finished.delete(id); // the peer sends nothing more for it
        return;
      case FrameType.WINDOW:
        if (frame.increment > after.creditAllowance) {
          throw new TunnelError(ErrorCode.FLOW_CONTROL_ERROR, '', `Peer returned ${frame.increment} bytes of credit on stream ${id}, more than the ${after.creditAllowance} it was sent and had not returned.`);
        }
        after.creditAllowance -= frame.increment;
        return;
      default:
        return;
    }
  }

  function ownsId(id: number, opener: PeerRole): boolean {
    return opener === 'client' ? id % 2 === 1 : id % 2 === 0;
  }

  function dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.HELLO:
        throw new TunnelError(ErrorCode.PROTOCOL_ERROR, '', 'HELLO after the link was established.');
      case FrameType.PING:
        if (queuedPongs >= maxUnansweredPings) {
          throw new TunnelError(ErrorCode.FLOOD, '', `The peer sent more than ${maxUnansweredPings} PINGs that wait for an answer while it reads nothing: the link is closed.`);
        }
        queueControl({ type: FrameType.PONG, streamId: 0, payload: frame.payload }, 'pong');
        return;
      case FrameType.PONG:
        return;
      case FrameType.GOAWAY:
        fail(new TunnelError(frame.code, '', frame.message || `The peer closed the link (${errorCodeName(frame.code)}).`));
        return;
      case FrameType.RECEIPT:
      case FrameType.PROBE:
      case FrameType.CHANNEL_OPEN:
        options.onOpaqueFrame?.(frame);
        return;
      case FrameType.REQUEST:
        acceptRequest(frame);
        return;
      default:
        break;
    }
    const stream = streams.get(frame.streamId);
    if (!stream) return acceptFinished(frame);
    const id = frame.streamId;
    switch (frame.type) {
      case FrameType.RESPONSE:
        if (!stream.outgoing) throw protocolError(`RESPONSE head on stream ${id}, which the peer opened.`);
        if (stream.responseReceived) throw protocolError(`A second RESPONSE head on stream ${id}.`);
        stream.acceptResponse({ status: frame.status, statusText: frame.statusText, url: frame.url, redirected: frame.redirected, headers: frame.headers });
        return;
      case FrameType.DATA:
        if (stream.outgoing && !stream.responseReceived) throw protocolError(`DATA before the RESPONSE head on stream ${id}.`);
        if (stream.receiveEnded) throw protocolError(`DATA for stream ${id} after the peer ended it.`);
        stream.acceptData(frame.data);
        return;
      case FrameType.END:
        if (stream.outgoing && !stream.responseReceived) throw protocolError(`END before the RESPONSE head on stream ${id}.`);
        if (stream.receiveEnded) throw protocolError(`END for stream ${id}, which the peer already ended.`);
        stream.acceptEnd();
        return;
      case FrameType.RESET:
        stream.peerReset(new TunnelError(frame.code, frame.reason, frame.message || `The peer reset the stream (${errorCodeName(frame.code)}).`));
        return;
      case FrameType.WINDOW:
        stream.grantCredit(frame.increment);
        return;
    }
  }

  function acceptRequest(frame: RequestFrame): void {
    if (!ownsId(frame.streamId, peerRole) || frame.streamId <= highestPeerId) {
      throw new TunnelError(ErrorCode.PROTOCOL_ERROR, '', `REQUEST on stream ${frame.streamId}, which the peer may not open.`);
    }
    highestPeerId = frame.streamId;
    if (!options.onRequest || streams.size >= limits.maxConcurrentStreams) {
      if (queuedRefusals >= maxQueuedRefusals) {
        throw new TunnelError(ErrorCode.FLOOD, '', `The peer opened more than ${maxQueuedRefusals} requests past the limit of ${limits.maxConcurrentStreams} while it reads nothing: the link is closed.`);
      }
      // Its body may already be on the way: the credit a fresh stream grants, and its END, are accepted.
      remember(frame.streamId, { peerDone: false, headPending: false, dataAllowance: limits.initialWindowBytes, creditAllowance: 0, resetAllowed: true });
      queueControl({ type: FrameType.RESET, streamId: frame.streamId, code: ErrorCode.REFUSED_STREAM, reason: 'too-many-streams', message: `This peer serves at most ${limits.maxConcurrentStreams} requests at once.` }, 'refusal');
      return;
    }
    const stream = new StreamState(frame.streamId, link, limits, false);
    streams.set(stream.id, stream);
    stats.openStreams = streams.size;
    options.onRequest(stream.incomingHandle(), { method: frame.method, url: frame.url, headers: frame.headers });
  }

  const heartbeat = setInterval(() => {
    const silentMs = Date.now() - lastHeard;
    if (silentMs >= limits.peerTimeoutMs) {
      closeWith(ErrorCode.TIMEOUT, `The peer stopped answering (silent for ${Math.round(silentMs / 1000)} s).`, linkFailureReasons.peerTimeout);
    } else if (silentMs >= limits.pingIntervalMs) {
      queueControl({ type: FrameType.PING, streamId: 0, payload: randomBytes(8) });
    }
  }, Math.max(50, Math.min(limits.pingIntervalMs, limits.peerTimeoutMs) / 2));
  (heartbeat as { unref?: () => void }).unref?.();

  transport.onMessage(onMessage);
  transport.onClose(() => fail(new TunnelError(ErrorCode.INTERNAL_ERROR, linkFailureReasons.linkLost, 'The connection to the peer was lost.')));

  return {
    open(head) {
      if (closeError) throw closeError;
      const id = nextOwnId;
      // Encode first: a head that breaks the limits throws here, before any state exists.
      const requestFrame = encodeFrame({ type: FrameType.REQUEST, streamId: id, ...head });
      nextOwnId += 2;
      const stream = new StreamState(id, link, limits, true);
      streams.set(id, stream);
      stats.openStreams = streams.size;
      streamControl.push({ bytes: requestFrame, metered: isMeteredFrame({ type: FrameType.REQUEST, streamId: id }, role) });
      stats.queuedControlBytes += requestFrame.length;
      schedulePump();
      return stream.outgoingHandle();
    },
    sendOpaque(frame) {
      queueControl(frame);
    },
    close(code = ErrorCode.NO_ERROR, message = 'Closed by this peer.') {
      closeWith(code, message, linkFailureReasons.closedLocally);
    },
    closed,
    get isClosed() {
      return closeError !== undefined;
    },
    stats: () => ({ ...stats }),
  };
}
