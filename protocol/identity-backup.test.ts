import type { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { createIdentity } from './identity.ts';
import {
  IdentityBackupError,
  defaultBackupIterations,
  exportIdentityBackup,
  importIdentityBackup,
  isPassphraseLongEnough,
  type BackupKeys,
  type IdentityBackupProblem,
} from './identity-backup.ts';
import { paymentKeyFromSecret, paymentSecretOf } from './payment-secret.ts';

// The default (600 000) takes about a second per derivation; the format is the same at any count.
const fast = { iterations: 1_000 };
const passphrase = 'correct horse battery staple';
const identity = createIdentity(new Uint8Array(32).fill(7));
const other = createIdentity(new Uint8Array(32).fill(9));
const paymentKey = paymentKeyFromSecret(new Uint8Array(32).fill(7));
const otherPaymentKey = paymentKeyFromSecret(new Uint8Array(32).fill(9));
const keys: BackupKeys = { identity, paymentKey };

async function backupObject(): Promise<Record<string, any>> {
  return JSON.parse(await exportIdentityBackup(keys, passphrase, fast)) as Record<string, any>;
}

async function expectProblem(promise: Promise<unknown>, problem: IdentityBackupProblem): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdentityBackupError);
  expect((error as IdentityBackupError).problem).toBe(problem);
}

// Written by the v1 code (commit 7319ab1) for `identity` under `passphrase`, 1 000 iterations.
// Backups people already saved look like this; they must keep opening.
const v1Fixture = `{
  "format": "porchlight-identity",
  "v": 1,
  "kdf": {
    "name": "PBKDF2",
    "hash": "SHA-256",
    "iterations": 1000,
    "salt": "qZQl0NI4IxjiZf85dehkzQ=="
  },
  "cipher": {
    "name": "AES-GCM",
    "iv": "SfA1yw9yNMmX6lVA"
  },
  "check": "QtonydHfd5URBpLqY352gS2wQY9+EXHIttAwje2LCbw=",
  "data": "E/onERXquDx0XotfO8z036eI2VUeQc+YHQFZ2WGN/tIv3pcjjpa52gGkadBws93c",
  "peerId": "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
}
`;

function flipFirstByte(base64: string): string {
  const bytes = base64ToBytes(base64);
  bytes[0]! ^= 0x01;
  return bytesToBase64(bytes);
}

describe('identity backup', () => {
  it('round-trips both keys and writes the documented version 2 format', async () => {
    const text = await exportIdentityBackup(keys, passphrase, fast);
    const restored = await importIdentityBackup(text, passphrase);
    expect(restored.identity.peerId).toBe(identity.peerId);
    expect(restored.identity.secretKey).toEqual(identity.secretKey);
    expect(restored.paymentKey?.address).toBe(paymentKey.address);
    expect(restored.paymentKey?.privateKey).toBe(paymentKey.privateKey);

    const backup = JSON.parse(text) as Record<string, any>;
    expect(Object.keys(backup).sort()).toEqual(['check', 'cipher', 'data', 'format', 'kdf', 'paymentAddress', 'peerId', 'v']);
    expect(backup).toMatchObject({
      format: 'porchlight-identity',
      v: 2,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000 },
      cipher: { name: 'AES-GCM' },
      peerId: identity.peerId,
      paymentAddress: paymentKey.address,
    });
    expect(paymentKey.address).toMatch(/^0x(?=.*[a-f])(?=.*[A-F])[0-9a-fA-F]{40}$/); // checksummed: mixed case
    expect(base64ToBytes(backup.kdf.salt)).toHaveLength(16);
    expect(base64ToBytes(backup.cipher.iv)).toHaveLength(12);
    expect(base64ToBytes(backup.data)).toHaveLength(32 + 32 + 16);
    // Neither secret appears in the clear.
    expect(text).not.toContain(bytesToBase64(identity.secretKey));
    expect(text).not.toContain(bytesToBase64(paymentSecretOf(paymentKey)));
    expect(text.toLowerCase()).not.toContain(paymentKey.privateKey.slice(2));
  });

  it('opens the committed v1 fixture: the identity, and no payment key', async () => {
    const restored = await importIdentityBackup(v1Fixture, passphrase);
    expect(restored.identity.peerId).toBe(identity.peerId);
    expect(restored.identity.secretKey).toEqual(identity.secretKey);
    expect(restored.paymentKey).toBeUndefined();
  });

  it('refuses the v1 fixture under a wrong passphrase, or altered', async () => {
    await expectProblem(importIdentityBackup(v1Fixture, 'incorrect horse battery staple'), 'wrong-passphrase');
    const v1 = JSON.parse(v1Fixture) as Record<string, any>;
    await expectProblem(importIdentityBackup(JSON.stringify({ ...v1, data: flipFirstByte(v1.data) }), passphrase), 'damaged');
    await expectProblem(importIdentityBackup(JSON.stringify({ ...v1, peerId: other.peerId }), passphrase), 'damaged');
    await expectProblem(importIdentityBackup(JSON.stringify({ ...v1, paymentAddress: paymentKey.address }), passphrase), 'damaged');
  });

  it('uses 600 000 PBKDF2 iterations unless told otherwise', async () => {
    expect(defaultBackupIterations).toBe(600_000);
    const backup = JSON.parse(await exportIdentityBackup(keys, passphrase)) as Record<string, any>;
    expect(backup.kdf.iterations).toBe(600_000);
    expect((await importIdentityBackup(JSON.stringify(backup), passphrase)).identity.peerId).toBe(identity.peerId);
  });

  it('salts every export afresh', async () => {
    const [a, b] = await Promise.all([backupObject(), backupObject()]);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.iv).not.toBe(b.cipher.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('opens with the same words typed in another Unicode normalization', async () => {
    const composed = 'café crème brûlée';
    const text = await exportIdentityBackup(keys, composed, fast);
    expect((await importIdentityBackup(text, composed.normalize('NFD'))).identity.peerId).toBe(identity.peerId);
  });

  it('refuses a wrong passphrase', async () => {
    const text = await exportIdentityBackup(keys, passphrase, fast);
    await expectProblem(importIdentityBackup(text, 'incorrect horse battery staple'), 'wrong-passphrase');
  });

  it.each([
    ['export', () => exportIdentityBackup(keys, 'short', fast)],
    ['import', async () => importIdentityBackup(await exportIdentityBackup(keys, passphrase, fast), 'seven77')],
  ])('refuses a passphrase under 8 characters on %s', async (_, run) => {
    await expectProblem(run(), 'passphrase-too-short');
  });

  it('counts passphrase length in characters, not bytes or UTF-16 units', () => {
    expect(isPassphraseLongEnough('1234567')).toBe(false);
    expect(isPassphraseLongEnough('12345678')).toBe(true);
    expect(isPassphraseLongEnough('گذرواژه')).toBe(false); // 7 letters, 14 UTF-8 bytes
    expect(isPassphraseLongEnough('🔑🔑🔑🔑🔑🔑🔑')).toBe(false); // 7 characters, 14 UTF-16 units
  });

  it('refuses an iteration count outside the accepted range on export', async () => {
    await expect(exportIdentityBackup(keys, passphrase, { iterations: 10 })).rejects.toThrow(RangeError);
  });

  const damaged: Array<[string, (backup: Record<string, any>) => unknown]> = [
    ['tampered ciphertext', (b) => ({ ...b, data: flipFirstByte(b.data) })],
    ['tampered nonce', (b) => ({ ...b, cipher: { ...b.cipher, iv: flipFirstByte(b.cipher.iv) } })],
    ['a peer id that is not the key’s', (b) => ({ ...b, peerId: other.peerId })],
    ['a payment address that is not the key’s', (b) => ({ ...b, paymentAddress: otherPaymentKey.address })],
    ['a payment address not checksummed', (b) => ({ ...b, paymentAddress: b.paymentAddress.toLowerCase() })],
    ['no payment address', (b) => ({ ...b, paymentAddress: undefined })],
    ['a truncated ciphertext', (b) => ({ ...b, data: bytesToBase64(base64ToBytes(b.data).subarray(0, 48)) })],
    ['an unknown cipher', (b) => ({ ...b, cipher: { ...b.cipher, name: 'AES-CBC' } })],
    ['an unknown field', (b) => ({ ...b, extra: 1 })],
    ['a missing salt', (b) => ({ ...b, kdf: { ...b.kdf, salt: undefined } })],
    ['a huge iteration count', (b) => ({ ...b, kdf: { ...b.kdf, iterations: 1e12 } })],
    ['another format', (b) => ({ ...b, format: 'something-else' })],
    ['a JSON array', () => []],
    ['JSON null', () => null],
  ];

  it.each(damaged)('calls a backup with %s damaged', async (_, alter) => {
    const text = JSON.stringify(alter(await backupObject()));
    await expectProblem(importIdentityBackup(text, passphrase), 'damaged');
  });

  it.each(['', 'not json', '{"format":"porchlight-identity",', 'x'.repeat(20_000)])('calls %j damaged', async (text) => {
    await expectProblem(importIdentityBackup(text, passphrase), 'damaged');
  });

  it('calls a backup damaged when the encrypted payment key is not a secp256k1 key', async () => {
    // Only a broken exporter writes this: zero is outside [1, n).
    const broken = { privateKey: `0x${'00'.repeat(32)}`, address: paymentKey.address } as Wallet;
    const text = await exportIdentityBackup({ identity, paymentKey: broken }, passphrase, fast);
    await expectProblem(importIdentityBackup(text, passphrase), 'damaged');
  });

  it('calls a backup damaged when its payment key does not match the address it names', async () => {
    const mismatched = { privateKey: otherPaymentKey.privateKey, address: paymentKey.address } as Wallet;
    const text = await exportIdentityBackup({ identity, paymentKey: mismatched }, passphrase, fast);
    await expectProblem(importIdentityBackup(text, passphrase), 'damaged');
  });

  it('keys each version apart: a v2 file relabelled v1 no longer opens', async () => {
    const { paymentAddress: _, ...rest } = await backupObject();
    const relabelled = { ...rest, v: 1, data: bytesToBase64(base64ToBytes(rest.data).subarray(0, 48)) };
    // The v1 derivation yields another check, so the passphrase no longer matches.
    await expectProblem(importIdentityBackup(JSON.stringify(relabelled), passphrase), 'wrong-passphrase');
  });

  it('says a backup from a newer version is unsupported, not damaged', async () => {
    const text = JSON.stringify({ ...(await backupObject()), v: 3 });
    await expectProblem(importIdentityBackup(text, passphrase), 'unsupported-version');
  });

  it('treats a tampered passphrase check as a wrong passphrase (it cannot tell them apart)', async () => {
    const backup = await backupObject();
    const text = JSON.stringify({ ...backup, check: flipFirstByte(backup.check) });
    await expectProblem(importIdentityBackup(text, passphrase), 'wrong-passphrase');
  });
});
