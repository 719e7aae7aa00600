// Payment setups for Node and test-page peers: a fresh payment key, the local settlement domain
// and an in-memory ledger, so every test peer pays and is paid exactly as the extension does.
import { Wallet } from 'ethers';
import { localReceiptDomain } from '../../chain/local-domain.ts';
import { bindingCache, type Payments } from '../../offscreen/payments/channel-payments.ts';
import type { ClientPaymentOptions } from '../../offscreen/payments/client-payments.ts';
import { initialCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import type { DonorPaymentSetup } from '../../offscreen/peers/donor.ts';
import { makeMemoryPaymentLedger } from '../../offscreen/payments/payment-ledger.ts';

/** A donor's payment side with a fresh key and ledger. */
export function testDonorPayment(overrides: Partial<DonorPaymentSetup> = {}): DonorPaymentSetup {
  return { wallet: Wallet.createRandom(), domain: localReceiptDomain, ledger: makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }), ...overrides };
}

/** A client's payment side with a fresh key and ledger. */
export function testClientPayment(overrides: Partial<ClientPaymentOptions> = {}): ClientPaymentOptions {
  return { wallet: Wallet.createRandom(), domain: localReceiptDomain, ledger: makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }), ...overrides };
}

/**
 * A payment side that binds a key in HELLO but opens no channel, counts nothing and never holds
 * bytes back: the "receipts off" baseline of bench/receipts-overhead.ts. Never used by the extension.
 */
export function unmeteredPayments(wallet = Wallet.createRandom()): Payments {
  return {
    binding: bindingCache(wallet),
    forSession: () => ({
      meter: { received() {}, sent() {}, room: () => Number.POSITIVE_INFINITY, roomChanged: () => Promise.resolve() },
      onOpaqueFrame() {},
      attach: () => Promise.resolve(),
      counts: () => ({ sentBytes: 0, receivedBytes: 0, receiptBytes: 0, windowBytes: 0 }),
    }),
  };
}
