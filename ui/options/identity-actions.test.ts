import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createIdentity } from '../../protocol/identity.ts';
import { exportIdentityBackup, IdentityBackupError } from '../../protocol/identity-backup.ts';
import { openIdentityStore } from '../../offscreen/identity-store.ts';
import { makeIdentityActions } from './identity-actions.ts';

const passphrase = 'a long enough passphrase';

function setup() {
  const send = vi.fn(async () => undefined);
  const downloads: Array<{ fileName: string; text: string }> = [];
  const actions = makeIdentityActions({ openStore: openIdentityStore, send, download: (fileName, text) => downloads.push({ fileName, text }) });
  return { actions, send, downloads };
}

async function storedPeerId(): Promise<string | undefined> {
  const store = await openIdentityStore();
  try {
    return (await store.load())?.peerId;
  } finally {
    store.close();
  }
}

describe('identity actions', () => {
  it('exports a backup of the stored identity and imports it back into another profile', async () => {
    const { actions, downloads } = setup();
    const peerId = await actions.peerId();
    expect(await actions.exportBackup(passphrase)).toBe(`porchlight-identity-${peerId.slice(0, 8)}.json`);
    expect(downloads).toHaveLength(1);
    expect(JSON.parse(downloads[0]!.text)).toMatchObject({ format: 'porchlight-identity', peerId });
  }, 20_000);

  it('replaces the identity on a good import and tells the engine', async () => {
    const { actions, send } = setup();
    const incoming = createIdentity(new Uint8Array(32).fill(3));
    const file = new Blob([await exportIdentityBackup(incoming, passphrase, { iterations: 1_000 })]);
    expect(await actions.importBackup(file, passphrase)).toBe(incoming.peerId);
    expect(await storedPeerId()).toBe(incoming.peerId);
    expect(send).toHaveBeenCalledWith({ type: 'identity-changed' });
  });

  it('changes nothing on a wrong passphrase or a damaged file', async () => {
    const { actions, send } = setup();
    const before = await actions.peerId();
    const text = await exportIdentityBackup(createIdentity(new Uint8Array(32).fill(4)), passphrase, { iterations: 1_000 });
    await expect(actions.importBackup(new Blob([text]), 'not the passphrase')).rejects.toMatchObject({ problem: 'wrong-passphrase' });
    await expect(actions.importBackup(new Blob(['{}']), passphrase)).rejects.toBeInstanceOf(IdentityBackupError);
    await expect(actions.importBackup(new Blob(['x'.repeat(100_000)]), passphrase)).rejects.toMatchObject({ problem: 'damaged' });
    expect(await storedPeerId()).toBe(before);
    expect(send).not.toHaveBeenCalled();
  });

  it('still replaces the identity when the engine is not listening', async () => {
    const { actions, send } = setup();
    send.mockRejectedValueOnce(new Error('Could not establish connection. Receiving end does not exist.'));
    const incoming = createIdentity(new Uint8Array(32).fill(5));
    const file = new Blob([await exportIdentityBackup(incoming, passphrase, { iterations: 1_000 })]);
    expect(await actions.importBackup(file, passphrase)).toBe(incoming.peerId);
    expect(await storedPeerId()).toBe(incoming.peerId);
  });
});
