// Peer identity: an ed25519 key pair. The peer id is the public key in lowercase hex, so any
// message a peer signs can be checked against the id it claims without a directory.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from './bytes.ts';

// Synchronous signing needs a sha512; noble-hashes is the audited one noble-ed25519 suggests.
ed.hashes.sha512 = sha512;

export const publicKeyBytes = 32;
export const secretKeyBytes = 32;
export const signatureBytes = 64;

/**
 * Domain tags: every signature covers a tag first, so a signature made for one purpose can
 * never be replayed as another (a login answer is not a HELLO, a listing is not an SDP).
 */
export const signatureTags = {
  signalingLogin: 'porchlight/signaling-login/v1',
  listing: 'porchlight/listing/v1',
  signal: 'porchlight/signal/v1',
  hello: 'porchlight/hello/v1',
  paymentBinding: 'porchlight/payment-binding/v1',
  channelOpen: 'porchlight/channel-open/v1',
  uptimeChallenge: 'porchlight/uptime-challenge/v1',
  uptimeResponse: 'porchlight/uptime-response/v1',
} as const;
export type SignatureTag = (typeof signatureTags)[keyof typeof signatureTags];

export interface Identity {
  readonly peerId: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

const peerIdPattern = /^[0-9a-f]{64}$/;

/** True when `value` has the shape of a peer id (64 lowercase hex characters). */
export function isPeerId(value: unknown): value is string {
  return typeof value === 'string' && peerIdPattern.test(value);
}

/**
 * The public key a peer id names.
 * @throws {TypeError} when `peerId` is not 64 lowercase hex characters.
 */
export function peerIdToPublicKey(peerId: string): Uint8Array {
  if (!isPeerId(peerId)) throw new TypeError('peer id: expected 64 lowercase hex characters');
  return hexToBytes(peerId);
}

/** A fresh identity from the platform CSPRNG, or a deterministic one from a 32-byte seed. */
export function createIdentity(seed?: Uint8Array): Identity {
  const secretKey = seed ? identitySeed(seed) : ed.utils.randomSecretKey();
  return identityFromSecretKey(secretKey);
}

/**
 * Rebuilds an identity from its stored secret key.
 * @throws {RangeError} when the key is not 32 bytes.
 */
export function identityFromSecretKey(secretKey: Uint8Array): Identity {
  if (secretKey.length !== secretKeyBytes) throw new RangeError(`secret key: expected ${secretKeyBytes} bytes`);
  const publicKey = ed.getPublicKey(secretKey);
  return { peerId: bytesToHex(publicKey), publicKey, secretKey: Uint8Array.from(secretKey) };
}

function identitySeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== secretKeyBytes) throw new RangeError(`seed: expected ${secretKeyBytes} bytes`);
  return Uint8Array.from(seed);
}

function tagged(tag: SignatureTag, message: Uint8Array): Uint8Array {
  // tag, a zero byte (tags never contain one), then the message.
  return concatBytes(utf8ToBytes(tag), new Uint8Array([0]), message);
}

/** Signs `message` under a domain tag. */
export function signTagged(identity: Identity, tag: SignatureTag, message: Uint8Array): Uint8Array {
  return ed.sign(tagged(tag, message), identity.secretKey);
}

/** Checks a tagged signature by the peer `peerId`; false for any malformed input, never a throw. */
export function verifyTagged(peerId: string, tag: SignatureTag, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isPeerId(peerId) || signature.length !== signatureBytes) return false;
  try {
    return ed.verify(signature, tagged(tag, message), hexToBytes(peerId));
  } catch {
    return false;
  }
}
