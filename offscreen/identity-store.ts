// The donor's ed25519 identity, created on first run and kept in IndexedDB (idb). The secret key
// never leaves the extension except in a passphrase-encrypted backup the donor asks for.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { createIdentity, identityFromSecretKey, secretKeyBytes, type Identity } from '../protocol/identity.ts';

/** The IndexedDB database that holds the donor's keys. */
export const identityDatabaseName = 'porchlight-identity';
const identityDatabaseVersion = 1;
const storeName = 'keys';
const identityKey = 'ed25519';

interface IdentityRecord {
  secretKey: Uint8Array;
  createdAt: number;
}

interface IdentitySchema extends DBSchema {
  keys: { key: string; value: IdentityRecord };
}

export interface IdentityStore {
  /** The stored identity, or undefined before the first run. */
  load(): Promise<Identity | undefined>;
  /** The stored identity, creating and storing one on first run. */
  loadOrCreate(): Promise<Identity>;
  /** Replaces the stored identity (an imported backup). */
  replace(identity: Identity): Promise<void>;
  close(): void;
}

/** Opens the identity database in this context's IndexedDB (tests load fake-indexeddb/auto). */
export async function openIdentityStore(): Promise<IdentityStore> {
  const db: IDBPDatabase<IdentitySchema> = await openDB<IdentitySchema>(identityDatabaseName, identityDatabaseVersion, {
    upgrade(database) {
      database.createObjectStore(storeName);
    },
  });
  const load = async (): Promise<Identity | undefined> => {
    const record = await db.get(storeName, identityKey);
    if (record === undefined) return undefined;
    if (!(record.secretKey instanceof Uint8Array) || record.secretKey.length !== secretKeyBytes) {
      throw new TypeError('the stored identity key is damaged; import a backup or reset the identity');
    }
    return identityFromSecretKey(record.secretKey);
  };
  return {
    load,
    async loadOrCreate() {
      // One transaction: two contexts starting at once must end up with the same identity.
      const tx = db.transaction(storeName, 'readwrite');
      const existing = await tx.store.get(identityKey);
      if (existing !== undefined) {
        await tx.done;
        return identityFromSecretKey(existing.secretKey);
      }
      const identity = createIdentity();
      await tx.store.put({ secretKey: identity.secretKey, createdAt: Date.now() }, identityKey);
      await tx.done;
      return identity;
    },
    async replace(identity) {
      await db.put(storeName, { secretKey: identity.secretKey, createdAt: Date.now() }, identityKey);
    },
    close: () => db.close(),
  };
}
