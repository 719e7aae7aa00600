// Options page entrypoint: binds the options view to extension storage, the identity store and
// runtime messages.
import { render } from 'solid-js/web';
import { openIdentityStore } from '../../offscreen/identity-store.ts';
import { openSettingsStore } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { sendRuntimeMessage } from '../../ui/common/runtime-message.ts';
import { createStorageSignal } from '../../ui/common/storage-signal.ts';
import { saveBlob } from '../../ui/common/save-file.ts';
import { makeIdentityActions } from '../../ui/options/identity-actions.ts';
import { OptionsView } from '../../ui/options/options-view.tsx';
import { createSettingsEditor } from '../../ui/options/settings-editor.ts';
import '../../ui/common/base.css';
import '../../ui/options/options.css';

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
    return <OptionsView settings={settings} editor={editor} defaultSignalingUrl={__PORCHLIGHT_SIGNALING_URL__} identity={identity} />;
  }, root);
}

main();
