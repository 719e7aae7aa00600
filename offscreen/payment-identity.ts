// The donor's keys as the engine presents them to peers: the identity, the payment key, and the
// binding in which each signs the other's public part (protocol/payment-key.ts).
import type { BaseWallet } from 'ethers';
import type { Identity } from '../protocol/identity.ts';
import { createPaymentBinding, type PaymentBinding } from '../protocol/payment-key.ts';
import type { IdentityStore } from './identity-store.ts';

/** Both keys and the binding between them. */
export interface PaymentIdentity {
  identity: Identity;
  paymentKey: BaseWallet;
  binding: PaymentBinding;
}

/**
 * Loads both keys, creating whichever is missing, and binds them.
 * Not cached: both signatures are deterministic (RFC 8032, RFC 6979), so signing again after an
 * import gives the binding for the new keys and otherwise the same bytes, for a few milliseconds.
 * @throws {TypeError} when a stored key is damaged.
 */
export async function loadPaymentIdentity(store: IdentityStore): Promise<PaymentIdentity> {
  const { identity, paymentKey } = await store.loadOrCreateKeys();
  return { identity, paymentKey, binding: await createPaymentBinding(identity, paymentKey) };
}
