// How the browse page pays its donors: the extension's payment key (IndexedDB, offscreen/identity-store.ts),
// this build's settlement domain, and the client side of the payment ledger, kept in the same
// IndexedDB so a channel survives the tab, the browser, and a donor restart.
import type { ClientPaymentOptions } from '../../offscreen/payments/client-payments.ts';
import { initialCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import { openIdentityStore } from '../../offscreen/identity-store.ts';
import { openPaymentLedger } from '../../offscreen/payments/payment-ledger.ts';
import { buildReceiptDomain } from '../../offscreen/payments/settlement-config.ts';

/** The payment side of this page's client. */
export async function openBrowsePayment(): Promise<ClientPaymentOptions> {
  const identities = await openIdentityStore();
  try {
    const { paymentKey } = await identities.loadOrCreateKeys();
    return { wallet: paymentKey, domain: buildReceiptDomain(), ledger: await openPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }) };
  } finally {
    identities.close();
  }
}
