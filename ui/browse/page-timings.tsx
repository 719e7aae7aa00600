// How long the page took: to the response, to first content, to everything, and what it pulled in.
import { Show, type JSX } from 'solid-js';
import { formatDataSize } from '../common/format-data-size.ts';
import { uiLanguage } from '../common/i18n.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseState } from './browse-store.ts';
import { formatDuration } from './format-duration.ts';

/** Props of PageTimings: the store's state. */
export interface PageTimingsProps {
  state: BrowseState;
}

/** The timings of the page shown. */
export function PageTimings(props: PageTimingsProps): JSX.Element {
  // A figure still to come reads "waiting"; one that never comes (a file has no first content) a dash.
  const time = (ms: number | undefined): string => (ms !== undefined ? formatDuration(ms, uiLanguage()) : props.state.loading ? bt('browse_timing_waiting') : '—');
  const number = (n: number): string => new Intl.NumberFormat([uiLanguage()]).format(n);
  return (
    <Show when={props.state.loading || props.state.timings.headersMs !== undefined}>
      <section class="page-timings panel-section" aria-labelledby="timings-heading">
        <h2 id="timings-heading">{bt('browse_timings_heading')}</h2>
        <dl class="facts">
          <dt>{bt('browse_timing_headers')}</dt>
          <dd data-timing="headers" data-ms={props.state.timings.headersMs}>{time(props.state.timings.headersMs)}</dd>
          <dt>{bt('browse_timing_first_content')}</dt>
          <dd data-timing="first-content" data-ms={props.state.timings.firstContentMs}>{time(props.state.timings.firstContentMs)}</dd>
          <dt>{bt('browse_timing_total')}</dt>
          <dd data-timing="total" data-ms={props.state.timings.totalMs}>{time(props.state.timings.totalMs)}</dd>
          <dt>{bt('browse_timing_resources')}</dt>
          <dd data-timing="resources">
            {bt('browse_resources_value', [number(props.state.subresources.loaded), formatDataSize(props.state.subresources.bytes)])}
            <Show when={props.state.subresources.failed > 0}>
              <br />
              {bt('browse_resources_failed', [number(props.state.subresources.failed)])}
            </Show>
          </dd>
        </dl>
        <p class="hint">{bt('browse_timings_note')}</p>
      </section>
    </Show>
  );
}
