// The sandboxed frame the page is shown in. It only renders; the store fills it and handles its events.
import { Show, type JSX } from 'solid-js';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState } from './browse-store.ts';
import { viewSandbox, viewSkeleton } from './frame-document.ts';

/** Props of ViewFrame: the store's state and actions. */
export interface ViewFrameProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The view frame, with a hint while nothing has been opened. */
export function ViewFrame(props: ViewFrameProps): JSX.Element {
  return (
    <div class="view" aria-busy={props.state.loading}>
      <Show when={props.state.history.length === 0}>
        <p class="view-empty hint">{bt('browse_view_empty')}</p>
      </Show>
      <Show when={props.state.loading}>
        <p class="view-loading" role="status">
          {bt('browse_loading')}
        </p>
      </Show>
      <iframe
        class="view-frame"
        title={bt('browse_view_title')}
        sandbox={viewSandbox}
        srcdoc={viewSkeleton()}
        referrerPolicy="no-referrer"
        onLoad={(event) => props.actions.attachView(event.currentTarget)}
      />
    </div>
  );
}
