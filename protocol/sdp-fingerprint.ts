// DTLS certificate fingerprints, read from SDP. The HELLO signs both of them, which is what keeps
// the signaling server (which relays the SDP) from sitting in the middle of a data channel.
import { utf8ToBytes } from './bytes.ts';

const fingerprintLine = /^a=fingerprint:([A-Za-z0-9-]+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)\s*$/gm;

/** Thrown when an SDP carries no usable DTLS fingerprint. */
export class FingerprintError extends Error {
  override readonly name = 'FingerprintError';
}

/**
 * The DTLS fingerprint(s) of an SDP in one canonical spelling: `alg HEX:HEX…`, lowercase,
 * several lines sorted and joined by `,`.
 * @throws {FingerprintError} when the SDP has no fingerprint line.
 */
export function sdpFingerprint(sdp: string): string {
  const found = new Set<string>();
  for (const match of sdp.matchAll(fingerprintLine)) found.add(`${match[1]!.toLowerCase()} ${match[2]!.toLowerCase()}`);
  if (found.size === 0) throw new FingerprintError('The session description carries no DTLS fingerprint.');
  return [...found].sort().join(',');
}

/** The bytes of a canonical fingerprint, as signed in HELLO. */
export function fingerprintBytes(fingerprint: string): Uint8Array {
  return utf8ToBytes(fingerprint);
}
