import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../protocol/identity.ts';
import { paymentKeyFromSecret } from '../protocol/payment-secret.ts';
import { identityDatabaseName, openIdentityStore } from './identity-store.ts';

// Each test starts from a browser profile that has never run Porchlight.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

/** Writes a raw entry the way an earlier version (or damage) left it. */
async function putRaw(key: string, value: unknown): Promise<void> {
  const db = await openDB(identityDatabaseName, 1, { upgrade: (database) => void database.createObjectStore('keys') });
  await db.put('keys', value, key);
  db.close();
}

const importedKey = paymentKeyFromSecret(new Uint8Array(32).fill(7));

describe('identity store', () => {
  it('creates an identity on first run and returns the same one afterwards, across reopenings', async () => {
    const store = await openIdentityStore();
    const first = await store.loadOrCreate();
    expect(await store.loadOrCreate()).toEqual(first);
    store.close();
    const reopened = await openIdentityStore();
    expect((await reopened.load())?.peerId).toBe(first.peerId);
    reopened.close();
  });

  it('creates both keys on first run and keeps them across reopenings', async () => {
    const store = await openIdentityStore();
    expect(await store.load()).toBeUndefined();
    expect(await store.loadPaymentKey()).toBeUndefined();
    const first = await store.loadOrCreateKeys();
    store.close();
    const reopened = await openIdentityStore();
    const again = await reopened.loadOrCreateKeys();
    expect(again.identity.peerId).toBe(first.identity.peerId);
    expect(again.paymentKey.address).toBe(first.paymentKey.address);
    expect((await reopened.loadPaymentKey())?.privateKey).toBe(first.paymentKey.privateKey);
    reopened.close();
  });

  it('two contexts starting at once agree on both keys', async () => {
    const [a, b] = await Promise.all([openIdentityStore(), openIdentityStore()]);
    const [x, y] = await Promise.all([a.loadOrCreateKeys(), b.loadOrCreateKeys()]);
    expect(x.identity.peerId).toBe(y.identity.peerId);
    expect(x.paymentKey.address).toBe(y.paymentKey.address);
    a.close();
    b.close();
  });

  it('adds a payment key to an identity from before payment keys, keeping the identity', async () => {
    const legacy = createIdentity(new Uint8Array(32).fill(1));
    await putRaw('ed25519', { secretKey: legacy.secretKey, createdAt: 0 });
    const store = await openIdentityStore();
    expect(await store.loadPaymentKey()).toBeUndefined();
    const keys = await store.loadOrCreateKeys();
    expect(keys.identity.peerId).toBe(legacy.peerId);
    expect((await store.loadPaymentKey())?.address).toBe(keys.paymentKey.address);
    store.close();
  });

  it('replace stores an imported identity and payment key', async () => {
    const store = await openIdentityStore();
    await store.loadOrCreateKeys();
    const imported = createIdentity(new Uint8Array(32).fill(7));
    await store.replace(imported, importedKey);
    expect((await store.load())?.peerId).toBe(imported.peerId);
    expect((await store.loadPaymentKey())?.address).toBe(importedKey.address);
    store.close();
  });

  it('replace without a payment key (a v1 backup) keeps this browser’s payment key', async () => {
    const store = await openIdentityStore();
    const before = await store.loadOrCreateKeys();
    const imported = createIdentity(new Uint8Array(32).fill(7));
    await store.replace(imported);
    const after = await store.loadOrCreateKeys();
    expect(after.identity.peerId).toBe(imported.peerId);
    expect(after.paymentKey.address).toBe(before.paymentKey.address);
    store.close();
  });

  it.each([
    ['a short payment key', 'secp256k1', { secretKey: new Uint8Array(31).fill(1), createdAt: 0 }, /payment key is damaged/],
    ['a zero payment key', 'secp256k1', { secretKey: new Uint8Array(32), createdAt: 0 }, /payment key is damaged/],
    ['a payment key stored as text', 'secp256k1', { secretKey: '0x01', createdAt: 0 }, /payment key is damaged/],
    ['a short identity key', 'ed25519', { secretKey: new Uint8Array(16), createdAt: 0 }, /identity key is damaged/],
  ])('refuses %s with a TypeError and overwrites nothing', async (_, key, value, message) => {
    await putRaw(key, value);
    const store = await openIdentityStore();
    const load = key === 'secp256k1' ? store.loadPaymentKey : store.load;
    await expect(load()).rejects.toThrow(TypeError);
    await expect(store.loadOrCreateKeys()).rejects.toThrow(message);
    await expect(load()).rejects.toThrow(message);
    store.close();
  });
});
