// One multiplexed stream of a tunnel: its receive queue and credit window, its send queue and
// credit, and the handle the tunnel's user holds. The link-level scheduling is in tunnel.ts.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { maxDataPayloadBytes } from '../../protocol/frame-types.ts';
import type { ResponseFrame } from '../../protocol/frames.ts';
import { TunnelError } from './tunnel-error.ts';

export type ResponseHead = Omit<ResponseFrame, 'type' | 'streamId'>;

/** What a tunnel's user holds for one stream. */
export interface TunnelStream {
  readonly id: number;
  /** The peer's body bytes; errors with a TunnelError when the stream is reset or the link fails. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Aborted (with the TunnelError as reason) when the stream ends abnormally, from either side. */
  readonly signal: AbortSignal;
  /** Queues body bytes; resolves when the stream's send buffer has room again. @throws {TunnelError} once reset. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends our side of the stream after the queued bytes. */
  end(): void;
  /** Abandons the stream, telling the peer why. */
  reset(code: ErrorCode, reason: string, message: string): void;
}

/** The opener's view: it also waits for the peer's RESPONSE head. */
export interface OutgoingStream extends TunnelStream {
  readonly response: Promise<ResponseHead>;
}

/** The responder's view: it sends the RESPONSE head. */
export interface IncomingStream extends TunnelStream {
  respond(head: ResponseHead): void;
}

/** What a stream asks of its link. */
export interface StreamLink {
  /** The stream has something to send (data with credit, or its END). */
  markReady(stream: StreamState): void;
  sendWindowUpdate(streamId: number, increment: number): void;
  sendReset(streamId: number, code: ErrorCode, reason: string, message: string): void;
  sendResponse(streamId: number, head: ResponseHead): void;
  /** The stream has nothing left to do in either direction. */
  release(stream: StreamState): void;
}

/**
 * What a stream that left the link's table still allows from the peer: the frames an honest peer
 * may have had in flight when it finished. Anything past it breaks the protocol (tunnel.ts).
 */
export interface FinishedStream {
  /** The peer sent END or RESET: no more DATA, END or RESPONSE from it. */
  peerDone: boolean;
  /** We opened the stream and reset it before the RESPONSE head came: the head may still come (once). */
  headPending: boolean;
  /** DATA bytes the peer may still send: the credit it had when we reset the stream. */
  dataAllowance: number;
  /** WINDOW credit the peer may still return: bytes we sent it that it has not returned yet. */
  creditAllowance: number;
  /** The peer has not reset the stream: a RESET (a reader that gave up) may still come. */
  resetAllowed: boolean;
}

export interface StreamLimits {
  /** Bytes the peer may send before we return credit; also our initial credit for sending. */
  initialWindowBytes: number;
  /** Bytes a writer may queue before `write` waits. */
  sendBufferBytes: number;
}

/** Per-stream state shared by both directions; created and driven by tunnel.ts. */
export class StreamState {
  // receive side
  private recvQueue: Uint8Array[] = [];
  private recvWindowLeft: number;
  private consumedSinceUpdate = 0;
  private recvEnded = false;
  private pullWaiter: (() => void) | undefined;
  // send side
  sendCredit: number;
  /** DATA payload bytes sent, and credit the peer returned: it may never return more than it got. */
  private sentDataBytes = 0;
  private creditReturned = 0;
  private sendQueue: Uint8Array[] = [];
  private sendQueuedBytes = 0;
  private endQueued = false;
  endSent = false;
  private writeWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  // lifecycle
  failure: TunnelError | undefined;
  private resetByPeer = false;
  private readonly abort = new AbortController();
  private responseResolve: ((head: ResponseHead) => void) | undefined;
  private responseReject: ((e: Error) => void) | undefined;
  responseReceived = false;
  responseSent = false;
  readonly readable: ReadableStream<Uint8Array>;
  readonly response: Promise<ResponseHead> | undefined;

  constructor(
    readonly id: number,
    private readonly link: StreamLink,
    private readonly limits: StreamLimits,
    /** True for streams we opened: they expect a RESPONSE head first. */
    readonly outgoing: boolean,
  ) {
    this.recvWindowLeft = limits.initialWindowBytes;
    this.sendCredit = limits.initialWindowBytes;
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.pull(controller),
        cancel: () => this.reset(ErrorCode.CANCEL, 'cancelled', 'The reader cancelled the stream.'),
      },
      { highWaterMark: 0 },
    );
    if (outgoing) {
      this.response = new Promise<ResponseHead>((resolve, reject) => {
        this.responseResolve = resolve;
        this.responseReject = reject;
      });
      // A caller that never awaits the response must not see an unhandled rejection.
      this.response.catch(() => {});
    }
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get closed(): boolean {
    return this.failure !== undefined || (this.endSent && this.recvEnded && this.recvQueue.length === 0);
  }

  // ---- receive side (driven by the link) ----

  /** The peer's RESPONSE head arrived. */
  acceptResponse(head: ResponseHead): void {
    this.responseReceived = true;
    this.responseResolve?.(head);
  }

  /**
   * Body bytes arrived.
   * @throws {TunnelError} FLOW_CONTROL_ERROR when the peer overran our window (a link-level fault).
   */
  acceptData(data: Uint8Array): void {
    if (data.length > this.recvWindowLeft) {
      throw new TunnelError(ErrorCode.FLOW_CONTROL_ERROR, '', `Peer sent ${data.length} bytes with ${this.recvWindowLeft} bytes of credit on stream ${this.id}.`);
    }
    this.recvWindowLeft -= data.length;
    this.recvQueue.push(data);
    this.wakeReader();
  }

  /** The peer ended its side. */
  acceptEnd(): void {
    this.recvEnded = true;
    this.wakeReader();
    this.maybeRelease();
  }

  get receiveEnded(): boolean {
    return this.recvEnded;
  }

  private wakeReader(): void {
    const waiter = this.pullWaiter;
    this.pullWaiter = undefined;
    waiter?.();
  }

  private pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void {
    if (this.failure) {
      controller.error(this.failure);
      return;
    }
    const chunk = this.recvQueue.shift();
    if (chunk) {
      controller.enqueue(chunk);
      this.returnCredit(chunk.length);
      return;
    }
    if (this.recvEnded) {
      controller.close();
      this.maybeRelease();
      return;
    }
    return new Promise<void>((resolve) => {
      this.pullWaiter = resolve;
    }).then(() => this.pull(controller));
  }

  private returnCredit(bytes: number): void {
    if (this.recvEnded) return; // the peer will send nothing more: no credit needed
    this.consumedSinceUpdate += bytes;
    // Return credit in quarters of the window: frequent enough to keep the pipe full,
    // rare enough that WINDOW frames stay a tiny share of the traffic.
    if (this.consumedSinceUpdate >= this.limits.initialWindowBytes / 4) {
      this.recvWindowLeft += this.consumedSinceUpdate;
      this.link.sendWindowUpdate(this.id, this.consumedSinceUpdate);
      this.consumedSinceUpdate = 0;
    }
  }

  // ---- send side ----

  /** Queues bytes, split into frame-sized pieces. */
  write(chunk: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.endQueued) return Promise.reject(new TypeError('write after end'));
    if (this.outgoing === false && !this.responseSent) return Promise.reject(new TypeError('respond() before writing the body'));
    for (let offset = 0; offset < chunk.length; offset += maxDataPayloadBytes) {
      this.sendQueue.push(chunk.subarray(offset, offset + maxDataPayloadBytes));
    }
    this.sendQueuedBytes += chunk.length;
    if (chunk.length > 0) this.link.markReady(this);
    if (this.sendQueuedBytes <= this.limits.sendBufferBytes) return Promise.resolve();
    return new Promise((resolve, reject) => this.writeWaiters.push({ resolve, reject }));
  }

  end(): void {
    if (this.failure || this.endQueued) return;
    this.endQueued = true;
    this.link.markReady(this);
  }

  /** True when the scheduler may send something for this stream now. */
  get sendable(): boolean {
    if (this.failure || this.endSent) return false;
    if (this.sendQueue.length > 0) return this.sendCredit > 0;
    return this.endQueued;
  }

  /**
   * Takes the next DATA payload the credit allows, at most `maxBytes` long, or `'end'` when only
   * END remains.
   */
  takeNext(maxBytes = Number.POSITIVE_INFINITY): Uint8Array | 'end' | undefined {
    const head = this.sendQueue[0];
    if (head === undefined) {
      if (this.endQueued && !this.endSent) {
        this.endSent = true;
        this.maybeRelease();
        return 'end';
      }
      return undefined;
    }
    const limit = Math.min(this.sendCredit, maxBytes);
    if (limit <= 0) return undefined;
    let piece = head;
    if (head.length > limit) {
      piece = head.subarray(0, limit);
      this.sendQueue[0] = head.subarray(limit);
    } else {
      this.sendQueue.shift();
    }
    this.sendCredit -= piece.length;
    this.sentDataBytes += piece.length;
    this.sendQueuedBytes -= piece.length;
    if (this.sendQueuedBytes <= this.limits.sendBufferBytes && this.writeWaiters.length > 0) {
      const waiters = this.writeWaiters;
      this.writeWaiters = [];
      for (const w of waiters) w.resolve();
    }
    return piece;
  }

  /**
   * The peer granted more credit.
   * @throws {TunnelError} FLOW_CONTROL_ERROR when it returns more than we sent it, or the credit would overflow.
   */
  grantCredit(increment: number): void {
    // A receiver returns credit for bytes its reader consumed, never more than it was sent; a
    // WINDOW past that is no flow control, and would bill the sender for empty frames.
    if (increment > this.sentDataBytes - this.creditReturned) {
      throw new TunnelError(ErrorCode.FLOW_CONTROL_ERROR, '', `Peer returned ${increment} bytes of credit on stream ${this.id}, more than the ${this.sentDataBytes - this.creditReturned} it was sent and had not returned.`);
    }
    if (this.sendCredit + increment > 0x7fff_ffff) {
      throw new TunnelError(ErrorCode.FLOW_CONTROL_ERROR, '', `Window on stream ${this.id} overflowed.`);
    }
    this.creditReturned += increment;
    this.sendCredit += increment;
    if (this.sendable) this.link.markReady(this);
  }

  // ---- lifecycle ----

  /** Resets from our side: tells the peer, fails locally. */
  reset(code: ErrorCode, reason: string, message: string): void {
    if (this.failure || (this.endSent && this.recvEnded)) return;
    this.link.sendReset(this.id, code, reason, message);
    this.fail(new TunnelError(code, reason, message));
  }

  /** The peer reset the stream: it sends nothing more for it. */
  peerReset(error: TunnelError): void {
    this.resetByPeer = true;
    this.fail(error);
  }

  /** What the peer may still send once the stream left the link's table (see FinishedStream). */
  afterlife(): FinishedStream {
    const peerDone = this.recvEnded || this.resetByPeer;
    return {
      peerDone,
      headPending: this.outgoing && !this.responseReceived && !peerDone,
      dataAllowance: peerDone ? 0 : this.recvWindowLeft,
      creditAllowance: this.resetByPeer ? 0 : this.sentDataBytes - this.creditReturned,
      resetAllowed: !this.resetByPeer,
    };
  }

  /** Fails the stream locally (peer RESET, link failure, or our own reset). */
  fail(error: TunnelError): void {
    if (this.failure) return;
    this.failure = error;
    this.sendQueue = [];
    this.sendQueuedBytes = 0;
    this.recvQueue = [];
    for (const w of this.writeWaiters) w.reject(error);
    this.writeWaiters = [];
    this.responseReject?.(error);
    this.wakeReader();
    this.abort.abort(error);
    this.link.release(this);
  }

  private maybeRelease(): void {
    if (this.endSent && this.recvEnded && this.recvQueue.length === 0) this.link.release(this);
  }

  /** The user's handle for a stream we opened. */
  outgoingHandle(): OutgoingStream {
    const response = this.response;
    if (!response) throw new TypeError('not an outgoing stream');
    return { ...this.commonHandle(), response };
  }

  /** The user's handle for a stream the peer opened. */
  incomingHandle(): IncomingStream {
    return {
      ...this.commonHandle(),
      respond: (head) => {
        if (this.failure) return;
        if (this.responseSent) throw new TypeError('respond() called twice');
        this.responseSent = true;
        this.link.sendResponse(this.id, head);
      },
    };
  }

  private commonHandle(): TunnelStream {
    return {
      id: this.id,
      readable: this.readable,
      signal: this.signal,
      write: (chunk) => this.write(chunk),
      end: () => this.end(),
      reset: (code, reason, message) => this.reset(code, reason, message),
    };
  }
}
