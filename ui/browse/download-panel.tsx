// The download under way: name, share done, bytes so far (of the total when known), speed and time
// left, cancel; then the outcome.
import { Match, Show, Switch, type JSX } from 'solid-js';
import { formatDataSize } from '../common/format-data-size.ts';
import { uiLanguage } from '../common/i18n.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState, DownloadState } from './browse-store.ts';
import { timeLeftMs } from './download.ts';
import { formatDuration } from './format-duration.ts';
import { problemText } from './problem-notice.tsx';

const minuteMs = 60_000;

/** Time left as a person reads it: seconds under a minute, then whole minutes (rounded up), then hours and minutes. */
function formatTimeLeft(ms: number): string {
  const language = uiLanguage();
  if (ms < minuteMs) return formatDuration(Math.ceil(ms / 1000) * 1000, language);
  const minutes = Math.ceil(ms / minuteMs);
  const unit = (value: number, name: 'hour' | 'minute'): string =>
    new Intl.NumberFormat([language], { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  if (minutes < 60) return unit(minutes, 'minute');
  return new Intl.ListFormat([language], { style: 'narrow', type: 'unit' }).format([unit(Math.floor(minutes / 60), 'hour'), unit(minutes % 60, 'minute')]);
}

/** The share done, "42%", in the page's language. */
function formatShare(download: DownloadState): string | undefined {
  if (download.total === undefined) return undefined;
  return new Intl.NumberFormat([uiLanguage()], { style: 'percent', maximumFractionDigits: 0 }).format(Math.min(1, download.received / download.total));
}

/** Speed and time left, or speed and why no time left; undefined before the speed is measured. */
function speedLine(download: DownloadState): string | undefined {
  if (download.bytesPerSecond === undefined) return undefined;
  const speed = formatDataSize(download.bytesPerSecond);
  if (download.total === undefined) return bt('browse_download_speed_unknown_size', [speed]);
  const left = timeLeftMs(download);
  return left === undefined ? undefined : bt('browse_download_speed_left', [speed, formatTimeLeft(left)]);
}

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
          <p class="download-progress">
            <Show when={download().status === 'running' && formatShare(download())}>
              {(share) => <strong class="download-percent" data-percent={Math.floor((download().received / (download().total ?? 1)) * 100)}>{share()}</strong>}
            </Show>{' '}
            <span class="download-bytes" data-received={download().received}>
              {download().total === undefined
                ? bt('browse_download_progress', [formatDataSize(download().received)])
                : bt('browse_download_progress_total', [formatDataSize(download().received), formatDataSize(download().total ?? 0)])}
            </span>
          </p>
          <Show when={download().status === 'running' && speedLine(download())}>
            {(line) => <p class="download-speed">{line()}</p>}
          </Show>
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
