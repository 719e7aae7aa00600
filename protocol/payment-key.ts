// Binds a peer's secp256k1 payment key to its ed25519 identity. Each key signs the other's public
// part, so neither a stolen payment address nor a stolen identity can be claimed alone: the
// identity vouches "this address is mine" and the payment key vouches "this peer id is mine".
// Spec: docs/receipts.md.
import { getAddress, verifyMessage, type BaseWallet } from 'ethers';
import { z } from 'zod';
import { describeSchemaError } from './schema-error.ts';
import { bytesToHex, hexToBytes } from './bytes.ts';
import { isPeerId, signTagged, signatureBytes, signatureTags, verifyTagged, type Identity } from './identity.ts';

/** The EIP-191 message prefix the payment key signs, followed by the peer id. */
export const paymentBindingMessagePrefix = 'Porchlight payment binding v1\npeer: ';

export interface PaymentBinding {
  /** The payment address, EIP-55 checksummed. */
  readonly address: string;
  /** ed25519 over tag 'porchlight/payment-binding/v1' and the 20 address bytes. */
  readonly identitySignature: Uint8Array;
  /** EIP-191 personal_sign by the payment key over prefix ‖ peer id; 0x + 130 lowercase hex. */
  readonly paymentSignature: string;
}

export const paymentBindingErrorCodes = ['bad-shape', 'bad-peer-id', 'bad-address', 'bad-identity-signature', 'bad-payment-signature'] as const;
export type PaymentBindingErrorCode = (typeof paymentBindingErrorCodes)[number];

/** A payment binding that does not prove what it claims. */
export class PaymentBindingError extends Error {
  override readonly name = 'PaymentBindingError';
  constructor(
    readonly code: PaymentBindingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The text the payment key signs (EIP-191 personal_sign) for `peerId`. */
export function paymentBindingMessage(peerId: string): string {
  return paymentBindingMessagePrefix + peerId;
}

/** Both signatures binding `wallet`'s address to `identity`. */
export async function createPaymentBinding(identity: Identity, wallet: Pick<BaseWallet, 'address' | 'signMessage'>): Promise<PaymentBinding> {
  const address = getAddress(wallet.address);
  return {
    address,
    identitySignature: signTagged(identity, signatureTags.paymentBinding, hexToBytes(address.slice(2))),
    paymentSignature: (await wallet.signMessage(paymentBindingMessage(identity.peerId))).toLowerCase(),
  };
}

const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const signaturePattern = /^0x[0-9a-f]{130}$/;

/**
 * Checks both halves of a binding claimed by `peerId`.
 * @returns the checksummed payment address.
 * @throws {PaymentBindingError} naming the half that failed.
 */
export function verifyPaymentBinding(peerId: string, binding: PaymentBinding): string {
  if (!isPeerId(peerId)) throw new PaymentBindingError('bad-peer-id', 'peer id: expected 64 lowercase hex characters');
  if (!addressPattern.test(binding.address)) throw new PaymentBindingError('bad-address', 'address: expected 0x and 40 hex digits');
  const address = getAddress(binding.address.toLowerCase());
  if (address !== binding.address) throw new PaymentBindingError('bad-address', `address: expected the checksummed spelling ${address}`);
  if (!verifyTagged(peerId, signatureTags.paymentBinding, hexToBytes(address.slice(2)), binding.identitySignature)) {
    throw new PaymentBindingError('bad-identity-signature', 'The identity key did not sign this payment address.');
  }
  if (!signaturePattern.test(binding.paymentSignature)) throw new PaymentBindingError('bad-payment-signature', 'payment signature: expected 0x and 130 lowercase hex digits');
  let signer: string;
  try {
    signer = verifyMessage(paymentBindingMessage(peerId), binding.paymentSignature);
  } catch {
    throw new PaymentBindingError('bad-payment-signature', 'The payment signature does not recover to any key.');
  }
  if (signer !== address) throw new PaymentBindingError('bad-payment-signature', 'The payment key did not sign this peer id.');
  return address;
}

/** The JSON form: signatures as hex. */
export interface PaymentBindingJson {
  address: string;
  identitySignature: string;
  paymentSignature: string;
}

/** The JSON form of a binding. */
export function paymentBindingToJson(binding: PaymentBinding): PaymentBindingJson {
  return { address: binding.address, identitySignature: bytesToHex(binding.identitySignature), paymentSignature: binding.paymentSignature };
}

const bindingJsonSchema = z.strictObject({
  address: z.string(),
  identitySignature: z.string().regex(new RegExp(`^[0-9a-f]{${signatureBytes * 2}}$`)),
  paymentSignature: z.string(),
});

/**
 * Parses the JSON form (shape only; verifyPaymentBinding checks the signatures).
 * @throws {PaymentBindingError} ('bad-shape').
 */
export function parsePaymentBinding(value: unknown): PaymentBinding {
  const parsed = bindingJsonSchema.safeParse(value);
  if (!parsed.success) throw new PaymentBindingError('bad-shape', `payment binding: ${describeSchemaError(parsed.error)}`);
  return { address: parsed.data.address, identitySignature: hexToBytes(parsed.data.identitySignature), paymentSignature: parsed.data.paymentSignature };
}
