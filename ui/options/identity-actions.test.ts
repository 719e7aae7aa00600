import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentity } from '../../protocol/identity.ts';
import { exportIdentityBackup, IdentityBackupError, importIdentityBackup } from '../../protocol/identity-backup.ts';
import { paymentKeyFromSecret } from '../../protocol/payment-secret.ts';
import { openIdentityStore } from '../../offscreen/identity-store.ts';
import { makeIdentityActions } from './identity-actions.ts';

const passphrase = 'a long enough passphrase';
const fast = { iterations: 1_000 };

// Each test is a browser profile of its own.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

function setup() {
  const send = vi.fn(async () => undefined);
  const downloads: Array<{ fileName: string; text: string }> = [];
  const actions = makeIdentityActions({ openStore: openIdentityStore, send, download: (fileName, text) => downloads.push({ fileName, text }) });
  return { actions, send, downloads };
}

async function stored(): Promise<{ peerId?: string; paymentAddress?: string }> {
  const store = await openIdentityStore();
  try {
    return { peerId: (await store.load())?.peerId, paymentAddress: (await store.loadPaymentKey())?.address };
  } finally {
    store.close();
  }
}

function keysFromSeed(seed: number) {
  return { identity: createIdentity(new Uint8Array(32).fill(seed)), paymentKey: paymentKeyFromSecret(new Uint8Array(32).fill(seed)) };
}

describe('identity actions', () => {
  it('shows the same peer id and checksummed payment address every time, and stores them', async () => {
    const { actions } = setup();
    const first = await actions.current();
    expect(first.paymentAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(await actions.current()).toEqual(first);
    expect(await stored()).toEqual(first);
  });

  it('exports a backup of both stored keys that opens to the same peer id and payment address', async () => {
    const { actions, downloads } = setup();
    const { peerId, paymentAddress } = await actions.current();
    expect(await actions.exportBackup(passphrase)).toBe(`porchlight-identity-${peerId.slice(0, 8)}.json`);
    expect(downloads).toHaveLength(1);
    expect(JSON.parse(downloads[0]!.text)).toMatchObject({ format: 'porchlight-identity', v: 2, peerId, paymentAddress });
    const restored = await importIdentityBackup(downloads[0]!.text, passphrase);
    expect(restored.identity.peerId).toBe(peerId);
    expect(restored.paymentKey?.address).toBe(paymentAddress);
  }, 20_000);

  it('replaces both keys on a good import and tells the engine', async () => {
    const { actions, send } = setup();
    await actions.current();
    const incoming = keysFromSeed(3);
    const file = new Blob([await exportIdentityBackup(incoming, passphrase, fast)]);
    const expected = { peerId: incoming.identity.peerId, paymentAddress: incoming.paymentKey.address };
    expect(await actions.importBackup(file, passphrase)).toEqual(expected);
    expect(await stored()).toEqual(expected);
    expect(await actions.current()).toEqual(expected);
    expect(send).toHaveBeenCalledWith({ type: 'identity-changed' });
  });

  it('keeps this browser’s payment key when a v1 backup (identity only) is imported', async () => {
    const { actions } = setup();
    const before = await actions.current();
    // A v1 backup of createIdentity(fill(7)) under 'correct horse battery staple', as protocol/identity-backup.test.ts has it.
    const v1 = JSON.stringify({
      format: 'porchlight-identity',
      v: 1,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 1000, salt: 'qZQl0NI4IxjiZf85dehkzQ==' },
      cipher: { name: 'AES-GCM', iv: 'SfA1yw9yNMmX6lVA' },
      check: 'QtonydHfd5URBpLqY352gS2wQY9+EXHIttAwje2LCbw=',
      data: 'E/onERXquDx0XotfO8z036eI2VUeQc+YHQFZ2WGN/tIv3pcjjpa52gGkadBws93c',
      peerId: 'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c',
    });
    const after = await actions.importBackup(new Blob([v1]), 'correct horse battery staple');
    expect(after).toEqual({ peerId: createIdentity(new Uint8Array(32).fill(7)).peerId, paymentAddress: before.paymentAddress });
    expect(await stored()).toEqual(after);
  });

  it('changes nothing on a wrong passphrase or a damaged file', async () => {
    const { actions, send } = setup();
    const before = await actions.current();
    const text = await exportIdentityBackup(keysFromSeed(4), passphrase, fast);
    await expect(actions.importBackup(new Blob([text]), 'not the passphrase')).rejects.toMatchObject({ problem: 'wrong-passphrase' });
    await expect(actions.importBackup(new Blob(['{}']), passphrase)).rejects.toBeInstanceOf(IdentityBackupError);
    await expect(actions.importBackup(new Blob(['x'.repeat(100_000)]), passphrase)).rejects.toMatchObject({ problem: 'damaged' });
    expect(await stored()).toEqual(before);
    expect(send).not.toHaveBeenCalled();
  });

  it('still replaces the keys when the engine is not listening', async () => {
    const { actions, send } = setup();
    send.mockRejectedValueOnce(new Error('Could not establish connection. Receiving end does not exist.'));
    const incoming = keysFromSeed(5);
    const file = new Blob([await exportIdentityBackup(incoming, passphrase, fast)]);
    expect((await actions.importBackup(file, passphrase)).peerId).toBe(incoming.identity.peerId);
    expect(await stored()).toEqual({ peerId: incoming.identity.peerId, paymentAddress: incoming.paymentKey.address });
  });
});
