// Peer ids are 64 hex characters; people compare the ends.

/** `peerId` as its first and last 8 characters, e.g. "1a2b3c4d…9e8f7a6b". */
export function shortPeerId(peerId: string): string {
  return peerId.length <= 20 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-8)}`;
}
