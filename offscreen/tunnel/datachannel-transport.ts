// FrameTransport over an open RTCDataChannel, with explicit backpressure: the tunnel's
// scheduler reads bufferedAmount before every send and waits on `drained()`, which listens for
// `bufferedamountlow` and also polls (some implementations fire that event late or never).
import type { FrameTransport } from './frame-transport.ts';

export interface DataChannelTransportOptions {
  /** `drained()` resolves at or below this; also set as the channel's bufferedAmountLowThreshold. */
  lowWaterBytes?: number;
  /** Fallback poll for implementations without a dependable `bufferedamountlow`. */
  drainPollMs?: number;
}

export const defaultLowWaterBytes = 256 * 1024;
export const defaultDrainPollMs = 20;

/** What the transport needs of a data channel. */
export interface DataChannelLike {
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: string;
  send(data: Uint8Array): void;
  close(): void;
  addEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
}

/**
 * Wraps a data channel whose messages arrive through `subscribe` (the caller owns the
 * channel's message event; simple-peer does, in peer-link.ts). `hangUp` ends the connection
 * when the transport is closed (default: close the channel).
 */
export function createDataChannelTransport(
  channel: DataChannelLike,
  subscribe: (onMessage: (m: Uint8Array) => void, onClose: (error?: Error) => void) => void,
  options: DataChannelTransportOptions = {},
  hangUp: () => void = () => channel.close(),
): FrameTransport {
  const lowWater = options.lowWaterBytes ?? defaultLowWaterBytes;
  const pollMs = options.drainPollMs ?? defaultDrainPollMs;
  channel.bufferedAmountLowThreshold = lowWater;
  let messageHandler: ((m: Uint8Array) => void) | undefined;
  const pending: Uint8Array[] = [];
  const closeHandlers: Array<(error?: Error) => void> = [];
  let closed = false;

  function finish(error?: Error): void {
    if (closed) return;
    closed = true;
    for (const handler of closeHandlers) handler(error);
  }

  subscribe(
    (message) => {
      if (closed) return;
      // Messages that arrive before a handler is set (between 'connect' and HELLO) wait here.
      if (messageHandler) messageHandler(message);
      else pending.push(message);
    },
    (error) => finish(error),
  );

  return {
    send(message) {
      channel.send(message);
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    drained() {
      if (closed || channel.bufferedAmount <= lowWater) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearInterval(poll);
          channel.removeEventListener('bufferedamountlow', check);
          channel.removeEventListener('close', done);
          resolve();
        };
        const check = () => {
          if (closed || channel.readyState !== 'open' || channel.bufferedAmount <= lowWater) done();
        };
        const poll = setInterval(check, pollMs);
        channel.addEventListener('bufferedamountlow', check);
        channel.addEventListener('close', done);
      });
    },
    onMessage(handler) {
      messageHandler = handler;
      while (pending.length > 0 && messageHandler === handler && !closed) handler(pending.shift()!); // length checked
    },
    onClose(handler) {
      if (closed) handler();
      else closeHandlers.push(handler);
    },
    close() {
      if (closed) return;
      try {
        hangUp();
      } finally {
        finish();
      }
    },
    get closed() {
      return closed;
    },
  };
}
