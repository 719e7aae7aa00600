// First-run page entrypoint (welcome.html, opened by the service worker on a fresh install and
// linked from the popup): binds the view to extension storage and runtime messages, with the
// popup's own actions so its share switch is the same switch.
import { render } from 'solid-js/web';
import { browser } from 'wxt/browser';
import { openSettingsStore, loadStatus, watchStatus } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { createNow } from '../../ui/common/now-signal.ts';
import { sendRuntimeMessage } from '../../ui/common/runtime-message.ts';
import { createStorageSignal } from '../../ui/common/storage-signal.ts';
import { makePopupActions } from '../../ui/popup/popup-actions.ts';
import { WelcomeView } from '../../ui/welcome/welcome-view.tsx';
import '../../ui/common/base.css';
import '../../ui/popup/popup.css';
import '../../ui/welcome/welcome.css';

function main(): void {
  applyDocumentLocale(document, 'welcome_title');
  const settingsStore = openSettingsStore();
  const actions = makePopupActions({
    settings: settingsStore,
    send: sendRuntimeMessage,
    openOptionsPage: () => browser.runtime.openOptionsPage(),
    // A tab, not the popup: it stays open beside the settings.
    closePopup: () => {},
  });
  // The page has one root element; index.html defines it.
  const root = document.getElementById('root')!;
  render(() => {
    const settings = createStorageSignal(settingsStore.load, settingsStore.watch);
    const status = createStorageSignal(loadStatus, watchStatus);
    const now = createNow();
    return <WelcomeView settings={settings} status={status} now={now} actions={actions} />;
  }, root);
}

main();
