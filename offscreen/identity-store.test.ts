import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../protocol/identity.ts';
import { openIdentityStore } from './identity-store.ts';

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

  it('two contexts starting at once agree on one identity', async () => {
    const [a, b] = await Promise.all([openIdentityStore(), openIdentityStore()]);
    await a.replace(createIdentity(new Uint8Array(32).fill(1)));
    const [x, y] = await Promise.all([a.loadOrCreate(), b.loadOrCreate()]);
    expect(x.peerId).toBe(y.peerId);
    a.close();
    b.close();
  });

  it('replace stores an imported identity', async () => {
    const store = await openIdentityStore();
    const imported = createIdentity(new Uint8Array(32).fill(7));
    await store.replace(imported);
    expect((await store.load())?.peerId).toBe(imported.peerId);
    store.close();
  });
});
