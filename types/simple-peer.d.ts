// Just the surface of @thaunknown/simple-peer (lite build) that peer-link.ts uses; the package
// ships no type declarations.
declare module '@thaunknown/simple-peer/lite.js' {
  export interface SignalData {
    type?: 'offer' | 'answer' | 'pranswer' | 'rollback' | 'candidate' | 'renegotiate' | 'transceiverRequest';
    sdp?: string;
    candidate?: unknown;
  }
  export interface PeerOptions {
    initiator?: boolean;
    trickle?: boolean;
    config?: RTCConfiguration;
    channelConfig?: RTCDataChannelInit;
    channelName?: string;
  }
  export default class Peer {
    constructor(options?: PeerOptions);
    /** Private in simple-peer, but the only way to reach bufferedAmount events without its stream layer. */
    _channel: RTCDataChannel | null;
    readonly connected: boolean;
    readonly destroyed: boolean;
    signal(data: SignalData | string): void;
    send(data: Uint8Array): void;
    destroy(error?: Error): void;
    on(event: 'signal', listener: (data: SignalData) => void): this;
    on(event: 'connect', listener: () => void): this;
    on(event: 'data', listener: (data: Uint8Array) => void): this;
    on(event: 'close', listener: () => void): this;
    on(event: 'error', listener: (error: Error & { code?: string }) => void): this;
  }
}
