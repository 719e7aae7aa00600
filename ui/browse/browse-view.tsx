// The browse page: the address bar on top, the view, and a side panel with where the pages come
// from, what it costs, what the donor can see, timings and the raw response.
import type { JSX } from 'solid-js';
import { AddressBar } from './address-bar.tsx';
import { bt } from './browse-i18n.ts';
import { CostPanel } from './cost-panel.tsx';
import type { BrowseActions, BrowseState } from './browse-store.ts';
import { DownloadPanel } from './download-panel.tsx';
import { ExitStatus } from './exit-status.tsx';
import { FileOfferPanel } from './file-offer.tsx';
import { PageTimings } from './page-timings.tsx';
import { ProblemNotice, ScriptsNotice, UnsupportedFormNotice } from './problem-notice.tsx';
import { ResponseDetails } from './response-details.tsx';
import { RoutePicker } from './route-picker.tsx';
import { TlsNotice } from './tls-notice.tsx';
import { ViewFrame } from './view-frame.tsx';

/** Props of BrowseView: the store's state and actions. */
export interface BrowseViewProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The whole browse page. */
export function BrowseView(props: BrowseViewProps): JSX.Element {
  return (
    <div class="browse">
      <header class="browse-bar">
        <h1 class="visually-hidden">{bt('browse_title')}</h1>
        <AddressBar state={props.state} actions={props.actions} />
      </header>
      <main class="browse-main">
        <ProblemNotice state={props.state} actions={props.actions} />
        <UnsupportedFormNotice state={props.state} actions={props.actions} />
        <ScriptsNotice state={props.state} actions={props.actions} />
        <FileOfferPanel state={props.state} actions={props.actions} />
        <DownloadPanel state={props.state} actions={props.actions} />
        <ViewFrame state={props.state} actions={props.actions} />
      </main>
      <aside class="browse-panel" aria-label={bt('browse_panel_label')}>
        <ExitStatus state={props.state} actions={props.actions} />
        <CostPanel state={props.state} />
        <RoutePicker state={props.state} actions={props.actions} />
        <TlsNotice />
        <PageTimings state={props.state} />
        <ResponseDetails state={props.state} actions={props.actions} />
      </aside>
    </div>
  );
}
