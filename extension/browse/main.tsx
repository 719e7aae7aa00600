// Browse page entrypoint: a throwaway client identity for this tab, the extension's payment key, the
// signaling server from the settings, and the view bound to the browse store. `?url=` opens that address at once (the
// "Open through Porchlight" menu item).
import { render } from 'solid-js/web';
import { openSettingsStore } from '../../ui/common/extension-storage.ts';
import { applyDocumentLocale } from '../../ui/common/i18n.ts';
import { bt } from '../../ui/browse/browse-i18n.ts';
import { openBrowseSession } from '../../ui/browse/browse-session.ts';
import { openBrowsePayment } from '../../ui/browse/browse-payment.ts';
import { createBrowseStore } from '../../ui/browse/browse-store.ts';
import { BrowseView } from '../../ui/browse/browse-view.tsx';
import { saveBlob } from '../../ui/common/save-file.ts';
import '../../ui/common/base.css';
import '../../ui/browse/browse.css';

function main(): void {
  // `browse_title` is a browse key; ui/common's helper takes any key the locale files define.
  applyDocumentLocale(document, 'extName');
  document.title = bt('browse_title');
  const initialUrl = new URLSearchParams(location.search).get('url') ?? undefined;
  const settings = openSettingsStore();
  let payment: ReturnType<typeof openBrowsePayment> | undefined;
  // The page has one root element; index.html defines it.
  const root = document.getElementById('root')!;
  render(() => {
    const { state, actions } = createBrowseStore({
      openSession: async (handlers) => openBrowseSession({ signalingUrl: (await settings.load()).signalingUrl, payment: await (payment ??= openBrowsePayment()), ...handlers }),
      window,
      saveFile: (blob, name) => saveBlob(document, blob, name),
      now: () => performance.now(),
      fallbackName: bt('browse_download_fallback_name'),
      onTitle: (title) => (document.title = title ? bt('browse_title_with_page', [title]) : bt('browse_title')),
    });
    void actions.start(initialUrl);
    return <BrowseView state={state} actions={actions} />;
  }, root);
}

main();
