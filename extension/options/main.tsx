// Options page entrypoint: binds the options view to extension storage, the identity store, the
// payment ledger and runtime messages.
import { render } from 'solid-js/web';
import { browser } from 'wxt/browser';
import { initialCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import { openIdentityStore } from '../../offscreen/identity-store.ts';
import { openPaymentLedger } from '../../offscreen/payments/payment-ledger.ts';
import { openSettingsStore } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { sendRuntimeMessage } from '../../ui/common/runtime-message.ts';
import { createStorageSignal } from '../../ui/common/storage-signal.ts';
import { saveBlob } from '../../ui/common/save-file.ts';
import type { LedgerSnapshot } from '../../ui/options/earnings-section.tsx';
import { makeIdentityActions } from '../../ui/options/identity-actions.ts';
import { OptionsView } from '../../ui/options/options-view.tsx';
import { createSettingsEditor } from '../../ui/options/settings-editor.ts';
import '../../ui/common/base.css';
import '../../ui/options/options.css';

/**
 * The donor's channels and day rows. The page shares the offscreen document's origin, so it opens
 * the same IndexedDB; it closes it after each read so that it never holds up a schema upgrade there.
 */
async function loadDonorEarnings(): Promise<LedgerSnapshot> {
  const ledger = await openPaymentLedger({ initialWindowBytes: initialCreditWindowBytes });
  try {
    const [channels, days] = await Promise.all([ledger.channels('donor'), ledger.days('donor')]);
    return { channels, days };
  } finally {
    ledger.close();
  }
}

function main(): void {
  applyDocumentLocale(document, 'options_title');
  const store = openSettingsStore();
  const identity = makeIdentityActions({
    openStore: openIdentityStore,
    send: sendRuntimeMessage,
    download: (fileName, text) => saveBlob(document, new Blob([text], { type: 'application/json' }), fileName),
  });
  // The page has one root element; index.html defines it.
  const root = document.getElementById('root')!;
  render(() => {
    const settings = createStorageSignal(store.load, store.watch);
    const editor = createSettingsEditor(store);
    return (
      <OptionsView
        settings={settings}
        editor={editor}
        defaultSignalingUrl={__PORCHLIGHT_SIGNALING_URL__}
        identity={identity}
        loadEarnings={loadDonorEarnings}
        saveCsv={(fileName, text) => saveBlob(document, new Blob([text], { type: 'text/csv' }), fileName)}
        notificationPermission={{
          // Optional in the manifest: asked for only when the donor turns notifications on.
          request: () => browser.permissions.request({ permissions: ['notifications'] }),
          release: async () => void (await browser.permissions.remove({ permissions: ['notifications'] })),
        }}
      />
    );
  }, root);
}

main();
