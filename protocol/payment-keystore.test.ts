import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { paymentKeyFromSecret } from './payment-secret.ts';
import { encryptPaymentKeystore, keystoreFileName, keystoreScrypt } from './payment-keystore.ts';

const key = paymentKeyFromSecret(new Uint8Array(32).fill(7));
const password = 'four unrelated words here';

describe('payment keystore', () => {
  it('writes a Web3 Secret Storage v3 file with wallet-grade scrypt that ethers’ Wallet opens to the same key', async () => {
    const progress: number[] = [];
    const json = await encryptPaymentKeystore(key, password, { onProgress: (done) => progress.push(done) });
    const file = JSON.parse(json) as { version: number; address: string; Crypto: { cipher: string; kdf: string; kdfparams: { n: number; r: number; p: number } } };
    expect(file.version).toBe(3);
    // geth and MetaMask write and read the address as 40 lowercase hex digits, without 0x.
    expect(file.address).toBe(key.address.slice(2).toLowerCase());
    // 'Crypto', capitalised, as geth writes it; readers accept either case.
    expect(file.Crypto).toMatchObject({ cipher: 'aes-128-ctr', kdf: 'scrypt', kdfparams: { n: keystoreScrypt.N, r: keystoreScrypt.r, p: keystoreScrypt.p } });
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(2);
    const opened = await Wallet.fromEncryptedJson(json, password);
    expect(opened.address).toBe(key.address);
    expect(opened.privateKey).toBe(key.privateKey);
  }, 30_000);

  it('does not open with a wrong password', async () => {
    const json = await encryptPaymentKeystore(key, password, { scrypt: { N: 1024, r: 8, p: 1 } });
    await expect(Wallet.fromEncryptedJson(json, `${password}!`)).rejects.toThrow(/incorrect password/);
    expect((await Wallet.fromEncryptedJson(json, password)).address).toBe(key.address);
  });

  it('never writes the same file twice (fresh salt and IV), and refuses an empty password', async () => {
    const fast = { scrypt: { N: 1024, r: 8, p: 1 } };
    const [a, b] = await Promise.all([encryptPaymentKeystore(key, password, fast), encryptPaymentKeystore(key, password, fast)]);
    expect(a).not.toBe(b);
    await expect(encryptPaymentKeystore(key, '', fast)).rejects.toThrow(RangeError);
  });

  it('names the file after the checksummed address', () => {
    expect(keystoreFileName(key.address.toLowerCase())).toBe(`porchlight-payment-key-${key.address}.json`);
  });
});
