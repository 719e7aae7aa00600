import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { createIdentity } from './identity.ts';
import {
  IdentityBackupError,
  defaultBackupIterations,
  exportIdentityBackup,
  importIdentityBackup,
  isPassphraseLongEnough,
  type IdentityBackupProblem,
} from './identity-backup.ts';

// The default (600 000) takes about a second per derivation; the format is the same at any count.
const fast = { iterations: 1_000 };
const passphrase = 'correct horse battery staple';
const identity = createIdentity(new Uint8Array(32).fill(7));
const other = createIdentity(new Uint8Array(32).fill(9));

async function backupObject(): Promise<Record<string, any>> {
  return JSON.parse(await exportIdentityBackup(identity, passphrase, fast)) as Record<string, any>;
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
  it('round-trips an identity and writes the documented versioned format', async () => {
    const text = await exportIdentityBackup(identity, passphrase, fast);
    const restored = await importIdentityBackup(text, passphrase);
    expect(restored.peerId).toBe(identity.peerId);
    expect(restored.secretKey).toEqual(identity.secretKey);

    const backup = JSON.parse(text) as Record<string, any>;
    expect(backup).toMatchObject({
      format: 'porchlight-identity',
      v: 1,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000 },
      cipher: { name: 'AES-GCM' },
      peerId: identity.peerId,
    });
    expect(base64ToBytes(backup.kdf.salt)).toHaveLength(16);
    expect(base64ToBytes(backup.cipher.iv)).toHaveLength(12);
    // The secret key never appears in the clear.
    expect(text).not.toContain(bytesToBase64(identity.secretKey));
  });

  it('opens the committed v1 fixture', async () => {
    const restored = await importIdentityBackup(v1Fixture, passphrase);
    expect(restored.peerId).toBe(identity.peerId);
    expect(restored.secretKey).toEqual(identity.secretKey);
  });

  it('uses 600 000 PBKDF2 iterations unless told otherwise', async () => {
    expect(defaultBackupIterations).toBe(600_000);
    const backup = JSON.parse(await exportIdentityBackup(identity, passphrase)) as Record<string, any>;
    expect(backup.kdf.iterations).toBe(600_000);
    expect((await importIdentityBackup(JSON.stringify(backup), passphrase)).peerId).toBe(identity.peerId);
  });

  it('salts every export afresh', async () => {
    const [a, b] = await Promise.all([backupObject(), backupObject()]);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.iv).not.toBe(b.cipher.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('opens with the same words typed in another Unicode normalization', async () => {
    const composed = 'café crème brûlée';
    const text = await exportIdentityBackup(identity, composed, fast);
    expect((await importIdentityBackup(text, composed.normalize('NFD'))).peerId).toBe(identity.peerId);
  });

  it('refuses a wrong passphrase', async () => {
    const text = await exportIdentityBackup(identity, passphrase, fast);
    await expectProblem(importIdentityBackup(text, 'incorrect horse battery staple'), 'wrong-passphrase');
  });

  it.each([
    ['export', () => exportIdentityBackup(identity, 'short', fast)],
    ['import', async () => importIdentityBackup(await exportIdentityBackup(identity, passphrase, fast), 'seven77')],
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
    await expect(exportIdentityBackup(identity, passphrase, { iterations: 10 })).rejects.toThrow(RangeError);
  });

  const damaged: Array<[string, (backup: Record<string, any>) => unknown]> = [
    ['tampered ciphertext', (b) => ({ ...b, data: flipFirstByte(b.data) })],
    ['tampered nonce', (b) => ({ ...b, cipher: { ...b.cipher, iv: flipFirstByte(b.cipher.iv) } })],
    ['a peer id that is not the key’s', (b) => ({ ...b, peerId: other.peerId })],
    ['a truncated ciphertext', (b) => ({ ...b, data: bytesToBase64(base64ToBytes(b.data).subarray(0, 40)) })],
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

  it('says a backup from a newer version is unsupported, not damaged', async () => {
    const text = JSON.stringify({ ...(await backupObject()), v: 2 });
    await expectProblem(importIdentityBackup(text, passphrase), 'unsupported-version');
  });

  it('treats a tampered passphrase check as a wrong passphrase (it cannot tell them apart)', async () => {
    const backup = await backupObject();
    const text = JSON.stringify({ ...backup, check: flipFirstByte(backup.check) });
    await expectProblem(importIdentityBackup(text, passphrase), 'wrong-passphrase');
  });
});
