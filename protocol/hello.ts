// HELLO: the first frame each peer sends on a new data channel. It binds the sender's ed25519
// identity to both DTLS fingerprints of this very connection and to both session nonces, so a
// relay that swapped SDPs (and so certificates) is caught, and an old HELLO cannot be replayed.
// It also carries the sender's payment key binding (payment-key.ts), checked in both halves.
import { bytesEqual, concatBytes, hexToBytes } from './bytes.ts';
import { FrameType, helloNonceBytes } from './frame-types.ts';
import type { HelloFrame, PeerRole } from './frames.ts';
import { bytesToHex } from './bytes.ts';
import { getAddress } from 'ethers';
import { signTagged, signatureTags, verifyTagged, type Identity } from './identity.ts';
import { PaymentBindingError, verifyPaymentBinding, type PaymentBinding } from './payment-key.ts';
import { fingerprintBytes } from './sdp-fingerprint.ts';

/** What one side knows about the connection, from its own point of view. */
export interface HelloContext {
  role: PeerRole;
  /** Canonical fingerprint (sdp-fingerprint.ts) of our own SDP. */
  localFingerprint: string;
  /** Canonical fingerprint of the SDP we received. */
  remoteFingerprint: string;
  localNonce: Uint8Array;
  remoteNonce: Uint8Array;
  /** Our payment key's binding to our identity (payment-key.ts). */
  payment: PaymentBinding;
}

export type HelloFailure = 'wrong-peer' | 'wrong-role' | 'wrong-nonce' | 'bad-signature' | 'bad-payment-binding';

/** A HELLO that does not prove what it must. */
export class HelloError extends Error {
  override readonly name = 'HelloError';
  constructor(
    readonly failure: HelloFailure,
    message: string,
  ) {
    super(message);
  }
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(bytes.length >>> 8, bytes.length & 0xff), bytes);
}

function signedPart(role: PeerRole, publicKey: Uint8Array, signerFingerprint: string, otherFingerprint: string, signerNonce: Uint8Array, otherNonce: Uint8Array, paymentAddress: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(role === 'client' ? 1 : 2),
    publicKey,
    lengthPrefixed(fingerprintBytes(signerFingerprint)),
    lengthPrefixed(fingerprintBytes(otherFingerprint)),
    signerNonce,
    otherNonce,
    paymentAddress,
  );
}

/**
 * Our HELLO for this connection.
 * @throws {RangeError} when a nonce is not 32 bytes.
 */
export function createHello(identity: Identity, context: HelloContext): HelloFrame {
  if (context.localNonce.length !== helloNonceBytes || context.remoteNonce.length !== helloNonceBytes) {
    throw new RangeError(`nonces: expected ${helloNonceBytes} bytes`);
  }
  const paymentAddress = hexToBytes(context.payment.address.slice(2));
  const message = signedPart(context.role, identity.publicKey, context.localFingerprint, context.remoteFingerprint, context.localNonce, context.remoteNonce, paymentAddress);
  return {
    type: FrameType.HELLO,
    streamId: 0,
    role: context.role,
    publicKey: identity.publicKey,
    nonce: context.localNonce,
    paymentAddress,
    paymentIdentitySignature: context.payment.identitySignature,
    paymentSignature: hexToBytes(context.payment.paymentSignature.slice(2)),
    signature: signTagged(identity, signatureTags.hello, message),
  };
}

/**
 * Checks the peer's HELLO against what we saw of the connection.
 * @throws {HelloError} naming what did not match.
 */
export function verifyHello(hello: HelloFrame, expectedPeerId: string, context: HelloContext): { peerId: string; paymentAddress: string } {
  const peerId = bytesToHex(hello.publicKey);
  if (peerId !== expectedPeerId) throw new HelloError('wrong-peer', 'The peer answered with a different identity than the one introduced.');
  const expectedRole: PeerRole = context.role === 'client' ? 'donor' : 'client';
  if (hello.role !== expectedRole) throw new HelloError('wrong-role', `Expected a ${expectedRole}, the peer says it is a ${hello.role}.`);
  if (!bytesEqual(hello.nonce, context.remoteNonce)) throw new HelloError('wrong-nonce', 'The peer’s HELLO belongs to another session.');
  // The peer signed its local fingerprint (our remote) and its remote fingerprint (our local).
  const message = signedPart(hello.role, hello.publicKey, context.remoteFingerprint, context.localFingerprint, hello.nonce, context.localNonce, hello.paymentAddress);
  if (!verifyTagged(peerId, signatureTags.hello, message, hello.signature)) {
    throw new HelloError('bad-signature', 'The peer’s HELLO does not match this connection’s encryption keys; someone may be in the middle. The link was closed.');
  }
  try {
    const paymentAddress = verifyPaymentBinding(peerId, {
      address: getAddress('0x' + bytesToHex(hello.paymentAddress)),
      identitySignature: hello.paymentIdentitySignature,
      paymentSignature: '0x' + bytesToHex(hello.paymentSignature),
    });
    return { peerId, paymentAddress };
  } catch (error) {
    if (error instanceof PaymentBindingError) throw new HelloError('bad-payment-binding', `The peer’s payment key is not bound to its identity (${error.code}).`);
    throw error;
  }
}
