// Confirmation page entrypoint (confirm.html, opened by the service worker for a partner site's
// request): binds the view to session storage and runtime messages.
import { render } from 'solid-js/web';
import { browser } from 'wxt/browser';
import { sessionArea } from '../../settings/session-area.ts';
import { openSettingsStore } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { sendRuntimeMessage } from '../../ui/common/runtime-message.ts';
import { createStorageSignal } from '../../ui/common/storage-signal.ts';
import { makeConfirmActions } from '../../ui/confirm/confirm-actions.ts';
import { ConfirmView } from '../../ui/confirm/confirm-view.tsx';
import { loadPendingRequest, watchPendingRequest } from '../../ui/confirm/pending-request.ts';
import '../../ui/common/base.css';
import '../../ui/confirm/confirm.css';

function main(): void {
  applyDocumentLocale(document, 'confirm_title');
  const settings = openSettingsStore();
  const actions = makeConfirmActions({ send: sendRuntimeMessage, loadSettings: settings.load, closeWindow: () => window.close() });
  // The page has one root element; index.html defines it.
  const root = document.getElementById('root')!;
  render(() => {
    const request = createStorageSignal(
      () => loadPendingRequest(sessionArea().area),
      (listener, signal) => watchPendingRequest(browser.storage.onChanged, listener, signal, sessionArea().name),
    );
    return <ConfirmView request={request} actions={actions} />;
  }, root);
}

main();
