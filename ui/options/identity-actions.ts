// The options page's identity actions: show the peer id, export a passphrase-encrypted backup,
// import one. Crypto lives in protocol/identity-backup.ts, keys in offscreen/identity-store.ts.
import { exportIdentityBackup, IdentityBackupError, importIdentityBackup, maxBackupChars } from '../../protocol/identity-backup.ts';
import type { RuntimeMessage } from '../../protocol/runtime-messages.ts';
import type { IdentityStore } from '../../offscreen/identity-store.ts';

/** What the identity section can do. */
export interface IdentityActions {
  /** This browser's peer id (the identity is created here if the engine has not yet). */
  peerId(): Promise<string>;
  /**
   * Encrypts the identity under `passphrase` and downloads it; resolves with the file name.
   * @throws {IdentityBackupError} 'passphrase-too-short'.
   */
  exportBackup(passphrase: string): Promise<string>;
  /**
   * Replaces this browser's identity with the one in `file`; resolves with its peer id.
   * @throws {IdentityBackupError} on a wrong passphrase or a damaged or unsupported file (nothing changes).
   */
  importBackup(file: Blob, passphrase: string): Promise<string>;
}

/** What the identity actions need: the key store, runtime messages, a way to download. */
export interface IdentityActionDeps {
  openStore: () => Promise<IdentityStore>;
  send: (message: RuntimeMessage) => Promise<unknown>;
  download: (fileName: string, text: string) => void;
}

async function withStore<T>(openStore: () => Promise<IdentityStore>, use: (store: IdentityStore) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await use(store);
  } finally {
    store.close();
  }
}

/** Identity actions over the identity store, runtime messages and a download function. */
export function makeIdentityActions(deps: IdentityActionDeps): IdentityActions {
  return {
    peerId: () => withStore(deps.openStore, async (store) => (await store.loadOrCreate()).peerId),
    exportBackup: (passphrase) =>
      withStore(deps.openStore, async (store) => {
        const identity = await store.loadOrCreate();
        const text = await exportIdentityBackup(identity, passphrase);
        const fileName = `porchlight-identity-${identity.peerId.slice(0, 8)}.json`;
        deps.download(fileName, text);
        return fileName;
      }),
    async importBackup(file, passphrase) {
      // Checked before reading: a large file cannot be a backup, and reading it would only cost memory.
      if (file.size > maxBackupChars * 4) throw new IdentityBackupError('damaged', 'identity backup: the file is too large to be a backup');
      const identity = await importIdentityBackup(await file.text(), passphrase);
      await withStore(deps.openStore, (store) => store.replace(identity));
      try {
        await deps.send({ type: 'identity-changed' });
      } catch (error) {
        // The engine reads the identity whenever it starts; a sleeping one will find the new key.
        console.warn('porchlight: identity-changed not delivered', error);
      }
      return identity.peerId;
    },
  };
}
