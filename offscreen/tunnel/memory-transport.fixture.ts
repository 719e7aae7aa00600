// An in-memory FrameTransport pair with a simulated send buffer, for unit tests and for
// running a client and an exit in one process without WebRTC.
import type { FrameTransport } from './frame-transport.ts';

export interface MemoryTransportOptions {
  /** `drained()` resolves once buffered bytes fall to this. */
  lowWaterBytes?: number;
  /** Bytes delivered to the other side per macrotask: a crude bandwidth model. */
  bytesPerTick?: number;
}

/** Two connected in-memory transports. */
export function createMemoryTransportPair(options: MemoryTransportOptions = {}): [FrameTransport, FrameTransport] {
  const a = new MemoryEnd(options);
  const b = new MemoryEnd(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryEnd implements FrameTransport {
  peer: MemoryEnd | undefined;
  bufferedAmount = 0;
  closed = false;
  private queue: Uint8Array[] = [];
  private flushing = false;
  private messageHandler: ((m: Uint8Array) => void) | undefined;
  private closeHandlers: Array<(error?: Error) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private readonly lowWater: number;
  private readonly bytesPerTick: number;

  constructor(options: MemoryTransportOptions) {
    this.lowWater = options.lowWaterBytes ?? 64 * 1024;
    this.bytesPerTick = options.bytesPerTick ?? 1024 * 1024;
  }

  send(message: Uint8Array): void {
    if (this.closed) throw new Error('transport is closed');
    // Copy, as a real channel would: the sender may reuse its buffer.
    this.queue.push(Uint8Array.from(message));
    this.bufferedAmount += message.length;
    if (!this.flushing) {
      this.flushing = true;
      setTimeout(() => this.flush(), 0);
    }
  }

  private flush(): void {
    let budget = this.bytesPerTick;
    while (this.queue.length > 0 && budget > 0 && !this.closed) {
      const message = this.queue.shift()!; // length checked by the loop condition
      this.bufferedAmount -= message.length;
      budget -= message.length;
      this.peer?.deliver(message);
    }
    if (this.bufferedAmount <= this.lowWater) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    if (this.queue.length > 0 && !this.closed) setTimeout(() => this.flush(), 0);
    else this.flushing = false;
  }

  deliver(message: Uint8Array): void {
    if (!this.closed) this.messageHandler?.(message);
  }

  drained(): Promise<void> {
    if (this.closed || this.bufferedAmount <= this.lowWater) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  onMessage(handler: (message: Uint8Array) => void): void {
    this.messageHandler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.bufferedAmount = 0;
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    for (const h of this.closeHandlers) h();
    // The other end notices shortly after, as a data channel's would.
    setTimeout(() => this.peer?.close(), 0);
  }
}
