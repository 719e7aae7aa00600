// The donor's keys, created on first run and kept in IndexedDB (idb): the ed25519 identity and the
// secp256k1 payment key bound to it. The secrets never leave the extension except in a
// passphrase-encrypted backup the donor asks for.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { BaseWallet } from 'ethers';
import { createIdentity, identityFromSecretKey, secretKeyBytes, type Identity } from '../protocol/identity.ts';
import { createPaymentKey, isPaymentSecret, paymentKeyFromSecret, paymentSecretOf } from '../protocol/payment-secret.ts';

/** The IndexedDB database that holds the donor's keys. */
export const identityDatabaseName = 'porchlight-identity';
// Still 1: the payment key is one more entry in the existing 'keys' store, not a new store.
const identityDatabaseVersion = 1;
const storeName = 'keys';
const identityKey = 'ed25519';
const paymentKeyName = 'secp256k1';

interface KeyRecord {
  secretKey: Uint8Array;
  createdAt: number;
}

interface IdentitySchema extends DBSchema {
  keys: { key: string; value: KeyRecord };
}

/** Both of a donor's keys. */
export interface DonorKeys {
  identity: Identity;
  paymentKey: BaseWallet;
}

export interface IdentityStore {
  /**
   * The stored identity, or undefined before the first run.
   * @throws {TypeError} when the stored key is damaged.
   */
  load(): Promise<Identity | undefined>;
  /**
   * The stored payment key, or undefined before the first run.
   * @throws {TypeError} when the stored key is damaged.
   */
  loadPaymentKey(): Promise<BaseWallet | undefined>;
  /**
   * Both stored keys, creating and storing whichever is missing (an identity from before payment
   * keys gets one added). One transaction, so contexts starting at once end with the same keys.
   * @throws {TypeError} when a stored key is damaged.
   */
  loadOrCreateKeys(): Promise<DonorKeys>;
  /** The stored identity, creating it (and the payment key) on first run; `loadOrCreateKeys().identity`. */
  loadOrCreate(): Promise<Identity>;
  /** Replaces the stored identity and, when given, the payment key (an imported backup). */
  replace(identity: Identity, paymentKey?: BaseWallet): Promise<void>;
  close(): void;
}

/** Opens the identity database in this context's IndexedDB (tests load fake-indexeddb/auto). */
export async function openIdentityStore(): Promise<IdentityStore> {
  const db: IDBPDatabase<IdentitySchema> = await openDB<IdentitySchema>(identityDatabaseName, identityDatabaseVersion, {
    upgrade(database) {
      database.createObjectStore(storeName);
    },
  });
  const loadOrCreateKeys = async (): Promise<DonorKeys> => {
    // One readwrite transaction: IndexedDB runs them one at a time, so a second context starting
    // at once sees the keys the first one wrote. Nothing here awaits anything but this
    // transaction, which would otherwise commit early.
    const tx = db.transaction(storeName, 'readwrite');
    const [identityRecord, paymentRecord] = await Promise.all([tx.store.get(identityKey), tx.store.get(paymentKeyName)]);
    // Parsed before writing anything: a damaged key throws and the transaction commits nothing.
    const stored = { identity: identityFromRecord(identityRecord), paymentKey: paymentKeyFromRecord(paymentRecord) };
    const identity = stored.identity ?? createIdentity();
    const paymentKey = stored.paymentKey ?? createPaymentKey();
    const writes: Array<Promise<unknown>> = [];
    if (!stored.identity) writes.push(tx.store.put(record(identity.secretKey), identityKey));
    if (!stored.paymentKey) writes.push(tx.store.put(record(paymentSecretOf(paymentKey)), paymentKeyName));
    await Promise.all([...writes, tx.done]);
    return { identity, paymentKey };
  };
  return {
    load: async () => identityFromRecord(await db.get(storeName, identityKey)),
    loadPaymentKey: async () => paymentKeyFromRecord(await db.get(storeName, paymentKeyName)),
    loadOrCreateKeys,
    loadOrCreate: async () => (await loadOrCreateKeys()).identity,
    async replace(identity, paymentKey) {
      const tx = db.transaction(storeName, 'readwrite');
      const writes = [tx.store.put(record(identity.secretKey), identityKey)];
      // A backup from before payment keys (v1) holds none, so this browser's payment key stays and
      // the restored identity is bound to it. Deleting it instead would strand whatever was already
      // paid to its address; no other copy of that key may exist. Without one, loadOrCreateKeys
      // creates it.
      if (paymentKey) writes.push(tx.store.put(record(paymentSecretOf(paymentKey)), paymentKeyName));
      await Promise.all([...writes, tx.done]);
    },
    close: () => db.close(),
  };
}

function record(secretKey: Uint8Array): KeyRecord {
  return { secretKey: Uint8Array.from(secretKey), createdAt: Date.now() };
}

function identityFromRecord(stored: KeyRecord | undefined): Identity | undefined {
  if (stored === undefined) return undefined;
  if (!(stored.secretKey instanceof Uint8Array) || stored.secretKey.length !== secretKeyBytes) {
    throw new TypeError('the stored identity key is damaged; import a backup or reset the identity');
  }
  return identityFromSecretKey(stored.secretKey);
}

function paymentKeyFromRecord(stored: KeyRecord | undefined): BaseWallet | undefined {
  if (stored === undefined) return undefined;
  if (!(stored.secretKey instanceof Uint8Array) || !isPaymentSecret(stored.secretKey)) {
    throw new TypeError('the stored payment key is damaged; import a backup or reset the identity');
  }
  return paymentKeyFromSecret(stored.secretKey);
}
