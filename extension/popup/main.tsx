// Popup entrypoint: binds the popup view to extension storage, the usage ledger and runtime messages.
import { render } from 'solid-js/web';
import { browser } from 'wxt/browser';
import { openSettingsStore, loadStatus, watchStatus } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { createNow } from '../../ui/common/now-signal.ts';
import { sendRuntimeMessage } from '../../ui/common/runtime-message.ts';
import { createStorageSignal } from '../../ui/common/storage-signal.ts';
import { readStoredUsage } from '../../offscreen/metering/usage-ledger.ts';
import { createStoredFigures, isLive } from '../../ui/popup/donor-figures.ts';
import { makePopupActions } from '../../ui/popup/popup-actions.ts';
import { PopupView } from '../../ui/popup/popup-view.tsx';
import '../../ui/common/base.css';
import '../../ui/popup/popup.css';

function main(): void {
  applyDocumentLocale(document, 'popup_title');
  const settingsStore = openSettingsStore();
  const actions = makePopupActions({
    settings: settingsStore,
    send: sendRuntimeMessage,
    openOptionsPage: () => browser.runtime.openOptionsPage(),
    closePopup: () => window.close(),
  });
  // The page has one root element; index.html defines it.
  const root = document.getElementById('root')!;
  render(() => {
    const settings = createStorageSignal(settingsStore.load, settingsStore.watch);
    const status = createStorageSignal(loadStatus, watchStatus);
    const now = createNow();
    // The page shares the engine's origin, so it reads the same IndexedDB (and closes it after each read).
    const stored = createStoredFigures(() => readStoredUsage(), () => {
      const current = status();
      return current !== undefined && isLive(current);
    });
    return <PopupView settings={settings} status={status} now={now} stored={stored} actions={actions} />;
  }, root);
}

main();
