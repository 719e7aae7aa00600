// The message transport a tunnel runs over: in production an RTCDataChannel (peer-link.ts),
// in unit tests an in-memory pair (memory-transport.fixture.ts).

export interface FrameTransport {
  /**
   * Sends one message. The transport copies it (as RTCDataChannel.send does) or is done with it
   * before returning: the tunnel reuses one buffer for its DATA frames. The tunnel's scheduler
   * checks `bufferedAmount` before every send.
   */
  send(message: Uint8Array): void;
  /** Bytes accepted by `send` but not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Resolves once `bufferedAmount` has fallen to the transport's low-water mark, or it closed. */
  drained(): Promise<void>;
  /** Registers the one handler for incoming messages. */
  onMessage(handler: (message: Uint8Array) => void): void;
  /** Registers a handler called once when the transport closes, for whatever reason. */
  onClose(handler: (error?: Error) => void): void;
  /** Closes the transport; idempotent. */
  close(): void;
  readonly closed: boolean;
}

/** How long a closing side waits for its last frames (a GOAWAY) to leave before it hangs up. */
export const closeLingerMs = 1_000;

/** Closes `transport` once what it has buffered has gone out, or after `closeLingerMs`. */
export function closeAfterDrain(transport: FrameTransport, lingerMs = closeLingerMs): void {
  if (transport.closed) return;
  const timer = setTimeout(() => transport.close(), lingerMs);
  void transport.drained().then(() => {
    clearTimeout(timer);
    // One more turn: a drained buffer means handed to SCTP, not yet on the wire.
    setTimeout(() => transport.close(), 50);
  });
}
