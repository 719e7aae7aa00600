// The secp256k1 payment key as it is stored and backed up: 32 secret bytes, rebuilt into an ethers
// BaseWallet (ethers' signer without the keystore and mnemonic code a full Wallet drags into every
// page's bundle). One place checks the bytes, so the key store and the backup refuse the same things.
import { BaseWallet, SigningKey, getBytes, hexlify } from 'ethers';
import { randomBytes } from './bytes.ts';

/** Length of a secp256k1 secret key. */
export const paymentSecretBytes = 32;

// The order n of secp256k1's base point (SEC 2 v2, §2.4.1). A secret key is a scalar in [1, n).
const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Whether `secret` is 32 bytes holding a scalar in [1, n), i.e. a usable secp256k1 secret key. */
export function isPaymentSecret(secret: Uint8Array): boolean {
  if (secret.length !== paymentSecretBytes) return false;
  const scalar = BigInt(hexlify(secret));
  return scalar > 0n && scalar < secp256k1Order;
}

/**
 * The payment key whose secret is `secret`.
 * @throws {RangeError} when `secret` is not 32 bytes or not a scalar in [1, n).
 */
export function paymentKeyFromSecret(secret: Uint8Array): BaseWallet {
  if (secret.length !== paymentSecretBytes) throw new RangeError(`payment secret: expected ${paymentSecretBytes} bytes`);
  if (!isPaymentSecret(secret)) throw new RangeError('payment secret: expected a scalar from 1 to the secp256k1 group order minus 1');
  return new BaseWallet(new SigningKey(hexlify(secret)));
}

/** A fresh payment key from the platform CSPRNG. */
export function createPaymentKey(): BaseWallet {
  // A uniform 32-byte string falls outside [1, n) with probability about 2^-128; drawing again
  // keeps the key uniform over the valid scalars.
  for (;;) {
    const secret = randomBytes(paymentSecretBytes);
    if (isPaymentSecret(secret)) return paymentKeyFromSecret(secret);
  }
}

/** The 32 secret bytes of `wallet`, for storage or a backup. */
export function paymentSecretOf(wallet: Pick<BaseWallet, 'privateKey'>): Uint8Array {
  return getBytes(wallet.privateKey);
}
