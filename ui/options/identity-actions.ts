// The options page's identity actions: show the peer id and payment address, export a
// passphrase-encrypted backup of both keys, import one. Crypto lives in
// protocol/identity-backup.ts, keys in offscreen/identity-store.ts.
import { exportIdentityBackup, IdentityBackupError, importIdentityBackup, maxBackupChars } from '../../protocol/identity-backup.ts';
import type { RuntimeMessage } from '../../protocol/runtime-messages.ts';
import type { DonorKeys, IdentityStore } from '../../offscreen/identity-store.ts';

/** The public halves the identity section shows. */
export interface IdentitySummary {
  peerId: string;
  /** EIP-55 checksummed. */
  paymentAddress: string;
}

/** What the identity section can do. */
export interface IdentityActions {
  /** This browser's peer id and payment address (the keys are created here if the engine has not yet). */
  current(): Promise<IdentitySummary>;
  /**
   * Encrypts both keys under `passphrase` and downloads them; resolves with the file name.
   * @throws {IdentityBackupError} 'passphrase-too-short'.
   */
  exportBackup(passphrase: string): Promise<string>;
  /**
   * Replaces this browser's keys with those in `file`; resolves with what is now in use. A v1
   * backup holds no payment key, so this browser's stays.
   * @throws {IdentityBackupError} on a wrong passphrase or a damaged or unsupported file (nothing changes).
   */
  importBackup(file: Blob, passphrase: string): Promise<IdentitySummary>;
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

function summary(keys: DonorKeys): IdentitySummary {
  // ethers gives a wallet's address checksummed.
  return { peerId: keys.identity.peerId, paymentAddress: keys.paymentKey.address };
}

/** Identity actions over the identity store, runtime messages and a download function. */
export function makeIdentityActions(deps: IdentityActionDeps): IdentityActions {
  return {
    current: () => withStore(deps.openStore, async (store) => summary(await store.loadOrCreateKeys())),
    exportBackup: (passphrase) =>
      withStore(deps.openStore, async (store) => {
        const keys = await store.loadOrCreateKeys();
        const text = await exportIdentityBackup(keys, passphrase);
        const fileName = `porchlight-identity-${keys.identity.peerId.slice(0, 8)}.json`;
        deps.download(fileName, text);
        return fileName;
      }),
    async importBackup(file, passphrase) {
      // Checked before reading: a large file cannot be a backup, and reading it would only cost memory.
      if (file.size > maxBackupChars * 4) throw new IdentityBackupError('damaged', 'identity backup: the file is too large to be a backup');
      const restored = await importIdentityBackup(await file.text(), passphrase);
      const now = await withStore(deps.openStore, async (store) => {
        await store.replace(restored.identity, restored.paymentKey);
        return summary(await store.loadOrCreateKeys());
      });
      try {
        await deps.send({ type: 'identity-changed' });
      } catch (error) {
        // The engine reads the identity whenever it starts; a sleeping one will find the new key.
        console.warn('porchlight: identity-changed not delivered', error);
      }
      return now;
    },
  };
}
