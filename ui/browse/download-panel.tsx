// The download under way: name, bytes so far (of the total when known), cancel; then the outcome.
import { Match, Show, Switch, type JSX } from 'solid-js';
import { formatDataSize } from '../common/format-data-size.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState } from './browse-store.ts';
import { problemText } from './problem-notice.tsx';

/** Props of DownloadPanel: the store's state and actions. */
export interface DownloadPanelProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** Progress and outcome of the download. */
export function DownloadPanel(props: DownloadPanelProps): JSX.Element {
  return (
    <Show when={props.state.download}>
      {(download) => (
        <section class="notice download" aria-labelledby="download-heading" data-status={download().status}>
          <h2 id="download-heading">{bt('browse_download_heading')}</h2>
          <p class="download-name">
            <bdi>{download().name}</bdi>
          </p>
          {/* Without a total the bar is indeterminate: a <progress> with no value at all. */}
          <Show when={download().total} fallback={<progress aria-labelledby="download-heading" />}>
            {(total) => <progress max={total()} value={download().received} aria-labelledby="download-heading" />}
          </Show>
          <p aria-live="polite" class="download-progress">
            {download().total === undefined
              ? bt('browse_download_progress', [formatDataSize(download().received)])
              : bt('browse_download_progress_total', [formatDataSize(download().received), formatDataSize(download().total ?? 0)])}
          </p>
          <Switch>
            <Match when={download().status === 'saved'}>
              <p class="success-text">{bt('browse_download_saved')}</p>
            </Match>
            <Match when={download().status === 'cancelled'}>
              <p>{bt('browse_download_cancelled')}</p>
            </Match>
            <Match when={download().status === 'failed'}>
              <div class="error-text" role="alert">
                <p>{bt('browse_download_failed')}</p>
                <Show when={download().problem}>{(problem) => <p>{problemText(problem(), props.state)}</p>}</Show>
              </div>
            </Match>
          </Switch>
          <div class="actions">
            <Show
              when={download().status === 'running'}
              fallback={
                <button type="button" class="secondary" onClick={() => props.actions.dismissDownload()}>
                  {bt('browse_dismiss')}
                </button>
              }
            >
              <button type="button" class="secondary" onClick={() => props.actions.cancelDownload()}>
                {bt('browse_download_cancel')}
              </button>
            </Show>
          </div>
        </section>
      )}
    </Show>
  );
}
