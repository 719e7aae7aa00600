// CHANNEL_OPEN: the client's signed acceptance of a donor's terms, sent once right after HELLO.
// It names the payment channel (a fresh random id, or a stored one to resume), the price from the
// donor's signed listing, the settlement domain, and where a resumed channel continues from. The
// client's ed25519 identity signs it together with both payment addresses (proven in HELLO) and
// the donor's peer id, so neither side can change the price afterwards and no other donor or
// client can reuse it. Spec: docs/receipts.md.
import { getAddress } from 'ethers';
import { bytesToHex, bytesToUint, concatBytes, hexToBytes, randomBytes, uintToBytes } from './bytes.ts';
import { peerIdToPublicKey, signTagged, signatureBytes, signatureTags, verifyTagged, type Identity } from './identity.ts';
import type { ReceiptDomainConfig } from './receipt.ts';

export const channelOpenVersion = 1;
/** version 1, channelId 32, price 32, chainId 32, verifyingContract 20, resumeBytes 8, signature 64. */
export const channelOpenBytes = 1 + 32 + 32 + 32 + 20 + 8 + signatureBytes;

export interface ChannelOpen {
  /** 0x + 64 lowercase hex. */
  readonly channelId: string;
  /** Micro-credits per MiB, as the donor's listing offered it. */
  readonly price: bigint;
  readonly domain: { readonly chainId: bigint; readonly verifyingContract: string };
  /** cumBytes of the client's newest stored receipt on a resumed channel; 0 for a new one. */
  readonly resumeBytes: bigint;
}

/** Who the channel is between: both proven by HELLO, signed into CHANNEL_OPEN but not carried in it. */
export interface ChannelParties {
  readonly donorPeerId: string;
  /** Checksummed payment addresses. */
  readonly client: string;
  readonly exit: string;
}

export const channelOpenErrorCodes = ['bad-frame', 'bad-signature'] as const;
export type ChannelOpenErrorCode = (typeof channelOpenErrorCodes)[number];

/** A CHANNEL_OPEN payload that is malformed or not signed by the client. */
export class ChannelOpenError extends Error {
  override readonly name = 'ChannelOpenError';
  constructor(
    readonly code: ChannelOpenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A fresh random channel id. */
export function newChannelId(): string {
  return '0x' + bytesToHex(randomBytes(32));
}

function body(open: ChannelOpen): Uint8Array {
  if (!/^0x[0-9a-f]{64}$/.test(open.channelId)) throw new RangeError('channelId: expected 0x and 64 lowercase hex digits');
  return concatBytes(
    Uint8Array.of(channelOpenVersion),
    hexToBytes(open.channelId.slice(2)),
    uintToBytes(open.price, 32),
    uintToBytes(open.domain.chainId, 32),
    hexToBytes(getAddress(open.domain.verifyingContract).slice(2)),
    uintToBytes(open.resumeBytes, 8),
  );
}

function signedMessage(bodyBytes: Uint8Array, parties: ChannelParties): Uint8Array {
  return concatBytes(peerIdToPublicKey(parties.donorPeerId), hexToBytes(getAddress(parties.client).slice(2)), hexToBytes(getAddress(parties.exit).slice(2)), bodyBytes);
}

/**
 * The CHANNEL_OPEN payload, signed by the client's identity.
 * @throws {RangeError} when a field does not fit its layout.
 */
export function encodeChannelOpen(identity: Identity, open: ChannelOpen, parties: ChannelParties): Uint8Array {
  const bodyBytes = body(open);
  return concatBytes(bodyBytes, signTagged(identity, signatureTags.channelOpen, signedMessage(bodyBytes, parties)));
}

/**
 * Decodes a CHANNEL_OPEN payload and checks the client's signature over it.
 * @throws {ChannelOpenError} ('bad-frame' | 'bad-signature').
 */
export function decodeChannelOpen(payload: Uint8Array, clientPeerId: string, parties: ChannelParties): ChannelOpen {
  if (payload.length !== channelOpenBytes) throw new ChannelOpenError('bad-frame', `channel open: expected ${channelOpenBytes} bytes, got ${payload.length}`);
  if (payload[0] !== channelOpenVersion) throw new ChannelOpenError('bad-frame', `channel open: unknown version ${payload[0]}`);
  const bodyBytes = payload.subarray(0, channelOpenBytes - signatureBytes);
  if (!verifyTagged(clientPeerId, signatureTags.channelOpen, signedMessage(bodyBytes, parties), payload.subarray(bodyBytes.length))) {
    throw new ChannelOpenError('bad-signature', 'The channel open is not signed by the client for these two parties.');
  }
  let at = 1;
  const take = (n: number): Uint8Array => bodyBytes.subarray(at, (at += n));
  const channelId = '0x' + bytesToHex(take(32));
  const price = bytesToUint(take(32));
  const chainId = bytesToUint(take(32));
  const verifyingContract = getAddress('0x' + bytesToHex(take(20)));
  const resumeBytes = bytesToUint(take(8));
  return { channelId, price, domain: { chainId, verifyingContract }, resumeBytes };
}

/** True when a channel open names the settlement domain we were configured with. */
export function sameDomain(open: ChannelOpen, domain: ReceiptDomainConfig): boolean {
  return open.domain.chainId === BigInt(domain.chainId) && open.domain.verifyingContract === getAddress(domain.verifyingContract);
}
