// The raw response, on demand: status line, final address, every header as the donor relayed it,
// and an HTML page's source as plain text.
import { For, Show, type JSX } from 'solid-js';
import { formatDataSize } from '../common/format-data-size.ts';
import { bt } from './browse-i18n.ts';
import { maxSourceBytes, type BrowseActions, type BrowseState } from './browse-store.ts';

/** Props of ResponseDetails: the store's state and actions. */
export interface ResponseDetailsProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** A disclosure with the response's status and headers. */
export function ResponseDetails(props: ResponseDetailsProps): JSX.Element {
  return (
    <Show when={props.state.response}>
      {(response) => (
        <details
          id="response-details"
          class="response-details panel-section"
          open={props.state.rawResponseOpen}
          onToggle={(event) => props.actions.setRawResponseOpen(event.currentTarget.open)}
        >
          <summary>{bt('browse_response_summary')}</summary>
          <dl class="facts">
            <dt>{bt('browse_response_status')}</dt>
            <dd class="ltr-token response-status">{`${response().status} ${response().statusText}`.trim()}</dd>
            <dt>{bt('browse_response_url')}</dt>
            <dd class="ltr-token break">{response().url}</dd>
          </dl>
          <table class="headers">
            <caption>{bt('browse_response_headers')}</caption>
            <thead>
              <tr>
                <th scope="col">{bt('browse_header_name')}</th>
                <th scope="col">{bt('browse_header_value')}</th>
              </tr>
            </thead>
            <tbody>
              <For each={response().headers}>
                {([name, value]) => (
                  <tr>
                    <th scope="row" class="ltr-token">
                      {name}
                    </th>
                    <td class="ltr-token break">{value}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <Show when={props.state.source}>
            {(source) => (
              <section class="page-source" aria-labelledby="page-source-heading">
                <h3 id="page-source-heading">{bt('browse_response_source')}</h3>
                {/* Text only: the markup is shown as characters, never parsed. */}
                <pre class="ltr-token" tabIndex={0}>{source().text}</pre>
                <Show when={source().cut}>
                  <p class="source-cut">{bt('browse_response_source_cut', [formatDataSize(maxSourceBytes)])}</p>
                </Show>
              </section>
            )}
          </Show>
        </details>
      )}
    </Show>
  );
}
