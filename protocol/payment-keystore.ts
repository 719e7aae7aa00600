// The payment key as a standard encrypted JSON keystore (Web3 Secret Storage v3: scrypt, AES-128-CTR,
// keccak MAC), the file MetaMask, geth and every ethers or web3 wallet import. ethers'
// encryptKeystoreJson writes exactly what Wallet.encrypt writes; called directly, it spares the
// options page the HD-wallet and mnemonic code a full Wallet brings. The page loads this module only
// when the donor asks for the file, so scrypt is not in its first bundle.
import { encryptKeystoreJson, getAddress } from 'ethers';

/** scrypt's cost as ethers' Wallet.encrypt sets it (N = 2^17, r = 8, p = 1): what wallets expect, about a second or two in a browser. */
export const keystoreScrypt = { N: 131_072, r: 8, p: 1 } as const;

/** What a keystore is made from: the payment key's address and secret. */
export interface PaymentKeyAccount {
  /** EIP-55 or lowercase 0x address. */
  address: string;
  /** 0x + 64 hex. */
  privateKey: string;
}

export interface KeystoreOptions {
  /** Called with the share of scrypt done, 0 to 1. */
  onProgress?: (done: number) => void;
  /** Tests only: a cheaper scrypt. */
  scrypt?: { N: number; r: number; p: number };
}

/**
 * The keystore JSON of `account` under `password`.
 * @throws {RangeError} when the password is empty.
 */
export async function encryptPaymentKeystore(account: PaymentKeyAccount, password: string, options: KeystoreOptions = {}): Promise<string> {
  if (password.length === 0) throw new RangeError('password: expected at least one character');
  return encryptKeystoreJson({ address: getAddress(account.address), privateKey: account.privateKey }, password, {
    scrypt: options.scrypt ?? keystoreScrypt,
    ...(options.onProgress && { progressCallback: options.onProgress }),
  });
}

/** `porchlight-payment-key-<checksummed address>.json`. */
export function keystoreFileName(address: string): string {
  return `porchlight-payment-key-${getAddress(address)}.json`;
}
