// An address that is a file, not a page: its name and type, and the download button.
import { Show, type JSX } from 'solid-js';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState } from './browse-store.ts';

/** Props of FileOfferPanel: the store's state and actions. */
export interface FileOfferProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** Offers the file at the address shown for download through the donor. */
export function FileOfferPanel(props: FileOfferProps): JSX.Element {
  return (
    <Show when={props.state.fileOffer}>
      {(offer) => (
        <section class="notice file-offer" aria-labelledby="file-offer-heading">
          <h2 id="file-offer-heading">{bt('browse_file_heading')}</h2>
          <p>
            <bdi>{bt('browse_file_description', [offer().name, offer().contentType || bt('browse_file_type_unknown')])}</bdi>
          </p>
          <div class="actions">
            <button type="button" class="download-file" onClick={() => props.actions.download(offer().url)}>
              {bt('browse_download')}
            </button>
          </div>
        </section>
      )}
    </Show>
  );
}
