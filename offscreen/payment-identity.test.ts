import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../protocol/identity.ts';
import { verifyPaymentBinding, PaymentBindingError } from '../protocol/payment-key.ts';
import { paymentKeyFromSecret } from '../protocol/payment-secret.ts';
import { openIdentityStore } from './identity-store.ts';
import { loadPaymentIdentity } from './payment-identity.ts';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('payment identity', () => {
  it('creates both keys on first run and binds them so that a peer accepts the binding', async () => {
    const store = await openIdentityStore();
    const { identity, paymentKey, binding } = await loadPaymentIdentity(store);
    expect(binding.address).toBe(paymentKey.address);
    expect(verifyPaymentBinding(identity.peerId, binding)).toBe(paymentKey.address);
    // The stored keys, not throwaway ones.
    expect((await store.load())?.peerId).toBe(identity.peerId);
    expect((await store.loadPaymentKey())?.address).toBe(paymentKey.address);
    store.close();
  });

  it('gives the same binding on every load, and a new one after an import', async () => {
    const store = await openIdentityStore();
    const first = await loadPaymentIdentity(store);
    expect(await loadPaymentIdentity(store)).toEqual(first);

    const imported = { identity: createIdentity(new Uint8Array(32).fill(7)), paymentKey: paymentKeyFromSecret(new Uint8Array(32).fill(7)) };
    await store.replace(imported.identity, imported.paymentKey);
    const after = await loadPaymentIdentity(store);
    expect(after.identity.peerId).toBe(imported.identity.peerId);
    expect(verifyPaymentBinding(imported.identity.peerId, after.binding)).toBe(imported.paymentKey.address);
    // The old binding does not vouch for the new identity.
    expect(() => verifyPaymentBinding(imported.identity.peerId, first.binding)).toThrow(PaymentBindingError);
    store.close();
  });

  it('binds a legacy identity to the payment key added for it', async () => {
    const store = await openIdentityStore();
    const legacy = createIdentity(new Uint8Array(32).fill(2));
    await store.replace(legacy); // an identity alone, as before payment keys
    expect(await store.loadPaymentKey()).toBeUndefined();
    const { identity, paymentKey, binding } = await loadPaymentIdentity(store);
    expect(identity.peerId).toBe(legacy.peerId);
    expect(verifyPaymentBinding(legacy.peerId, binding)).toBe(paymentKey.address);
    store.close();
  });
});
