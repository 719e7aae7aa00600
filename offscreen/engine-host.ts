// Starts the donor engine in an extension context (Chrome's offscreen document, Firefox's
// background page) with its browser-side parts — keys, usage and receipts in IndexedDB, the browser's
// fetch, the battery — and answers the runtime messages meant for it.
import type { RuntimeMessage } from '../protocol/runtime-messages.ts';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import type { AddressGate } from './exit/guarded-fetch/address-gate.ts';
import { createBatteryMonitor } from './battery-monitor.ts';
import { browserExitFetch, type AddressCheck } from './exit/guarded-fetch/browser-exit-fetch.ts';
import { createDonorEngine, type DonorEngine } from './peers/donor-engine.ts';
import { withDnsCheck, type ResolveHost } from './exit/guarded-fetch/firefox-dns-check.ts';
import { openIdentityStore } from './identity-store.ts';
import { openUsageLedger } from './metering/usage-ledger.ts';
import { initialCreditWindowBytes } from './payments/credit-window.ts';
import { openPaymentLedger } from './payments/payment-ledger.ts';
import { buildReceiptDomain } from './payments/settlement-config.ts';

/**
 * The engine with the parts of this browser context; with `resolveHost` (Firefox), the host of each
 * hop of an exit request is resolved and checked before that hop is sent (offscreen/exit/guarded-fetch/firefox-dns-check.ts).
 */
export async function startBrowserEngine(onStatus: (status: DonorStatus) => void, addressCheck: AddressCheck, resolveHost?: ResolveHost): Promise<DonorEngine> {
  const [identities, ledger, payments, battery] = await Promise.all([openIdentityStore(), openUsageLedger(), openPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }), createBatteryMonitor()]);
  return createDonorEngine({
    loadIdentity: () => identities.loadOrCreate(),
    payment: {
      loadPaymentKey: async () => (await identities.loadOrCreateKeys()).paymentKey,
      domain: buildReceiptDomain(),
      ledger: payments,
      onRefusal: (code, message, peerId) => console.warn(`porchlight: refused a payment from ${peerId.slice(0, 8)} (${code}): ${message}`),
    },
    createFetch: resolveHost ? withDnsCheck(browserExitFetch(addressCheck), resolveHost) : browserExitFetch(addressCheck),
    // Empty in production builds: the exit policy then allows no loopback origin at all.
    ...(__PORCHLIGHT_TEST_ORIGINS__.length > 0 ? { testOrigins: __PORCHLIGHT_TEST_ORIGINS__ } : {}),
    ledger,
    battery,
    onStatus,
  });
}

/**
 * Acts on a message meant for the engine; returns a promise when the sender waits for an answer,
 * undefined for messages that are not the engine's.
 */
export function handleEngineMessage(engine: DonorEngine, message: RuntimeMessage, addressGate?: AddressGate): Promise<{ ok: true }> | undefined {
  switch (message.type) {
    case 'exit-address':
      addressGate?.report(message.url, message.ips, message.redirect, message.failure);
      return undefined;
    case 'engine-configure':
      engine.configure(message.config);
      // Sharing off: the service worker closes the document after this answer; keep today's counts.
      return (message.config.settings.sharing ? Promise.resolve() : engine.persist()).then(() => ({ ok: true as const }));
    case 'engine-retry':
    case 'retry-now':
      engine.retry();
      return undefined;
    case 'identity-changed':
      engine.reloadIdentity();
      return undefined;
    default:
      return undefined;
  }
}
