// One WebRTC peer connection with one ordered, reliable data channel, negotiated through
// simple-peer. It yields a FrameTransport once the channel opens, and remembers both SDP
// fingerprints for the HELLO. Same code in a page, an offscreen document and Node (where
// simple-peer's webrtc-polyfill uses node-datachannel).
import Peer, { type SignalData } from '@thaunknown/simple-peer/lite.js';
import { sdpFingerprint } from '../../protocol/sdp-fingerprint.ts';
import { createDataChannelTransport, type DataChannelLike } from '../tunnel/datachannel-transport.ts';
import type { FrameTransport } from '../tunnel/frame-transport.ts';

export interface PeerLinkOptions {
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** Hands a local offer, answer or ICE candidate to the signaling layer. */
  onSignal: (data: SignalData) => void;
  lowWaterBytes?: number;
  /**
   * Extra RTCPeerConnection configuration. Node peers pass node-datachannel's
   * `bindAddress: '127.0.0.1'` here: libjuice skips loopback when it gathers candidates.
   */
  rtcConfig?: RTCConfiguration & { bindAddress?: string };
}

export interface PeerLink {
  /** Feeds a remote offer, answer or candidate. @throws {Error} when simple-peer rejects it. */
  signal(data: SignalData): void;
  /** Resolves with the open channel's transport; rejects if the connection fails first. */
  readonly connected: Promise<FrameTransport>;
  /** Canonical DTLS fingerprints; throw until the respective SDP is known. */
  localFingerprint(): string;
  remoteFingerprint(): string;
  destroy(): void;
}

/** Starts a peer connection; the initiator creates the data channel and the offer. */
export function createPeerLink(options: PeerLinkOptions): PeerLink {
  let localSdp: string | undefined;
  let remoteSdp: string | undefined;
  const peer = new Peer({
    initiator: options.initiator,
    trickle: true,
    config: { ...options.rtcConfig, iceServers: options.iceServers },
    channelConfig: { ordered: true },
  });

  peer.on('signal', (data) => {
    if ((data.type === 'offer' || data.type === 'answer') && data.sdp) localSdp = data.sdp;
    options.onSignal(data);
  });

  const connected = new Promise<FrameTransport>((resolve, reject) => {
    peer.on('error', (error) => reject(new Error(`The peer connection failed: ${error.message}`)));
    peer.on('close', () => reject(new Error('The peer connection closed before it opened.')));
    peer.on('connect', () => {
      // simple-peer keeps the channel private; its stream wrapper has a fixed 64 KiB threshold,
      // and the tunnel needs the channel's own bufferedAmount to schedule fairly.
      const channel = peer._channel;
      if (!channel) return reject(new Error('The data channel vanished while opening.'));
      const transport = createDataChannelTransport(
        channel as unknown as DataChannelLike,
        (onMessage, onClose) => {
          peer.on('data', onMessage);
          peer.on('close', () => onClose());
          peer.on('error', (error) => onClose(error));
        },
        { lowWaterBytes: options.lowWaterBytes },
        () => peer.destroy(),
      );
      resolve(transport);
    });
  });
  connected.catch(() => {}); // observed by whoever awaits it; never unhandled

  // Remote candidates wait until the remote description has been applied for a turn of the
  // event loop: node-datachannel reports a remote description before its ICE transport exists,
  // and simple-peer destroys the connection when a candidate lands in that gap.
  let candidatesReady = false;
  const heldCandidates: SignalData[] = [];

  return {
    signal(data) {
      if (peer.destroyed) return;
      if ((data.type === 'offer' || data.type === 'answer') && data.sdp) {
        remoteSdp = data.sdp;
        peer.signal(data);
        setTimeout(() => {
          candidatesReady = true;
          for (const candidate of heldCandidates.splice(0)) if (!peer.destroyed) peer.signal(candidate);
        }, 0);
        return;
      }
      if (candidatesReady) peer.signal(data);
      else heldCandidates.push(data);
    },
    connected,
    localFingerprint() {
      if (!localSdp) throw new Error('no local description yet');
      return sdpFingerprint(localSdp);
    },
    remoteFingerprint() {
      if (!remoteSdp) throw new Error('no remote description yet');
      return sdpFingerprint(remoteSdp);
    },
    destroy() {
      peer.destroy();
    },
  };
}
