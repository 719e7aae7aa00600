// The raw response, on demand: status line, final address and every header as the donor relayed it.
import { For, Show, type JSX } from 'solid-js';
import { bt } from './browse-i18n.ts';
import type { BrowseState } from './browse-store.ts';

/** Props of ResponseDetails: the store's state. */
export interface ResponseDetailsProps {
  state: BrowseState;
}

/** A disclosure with the response's status and headers. */
export function ResponseDetails(props: ResponseDetailsProps): JSX.Element {
  return (
    <Show when={props.state.response}>
      {(response) => (
        <details class="response-details panel-section">
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
        </details>
      )}
    </Show>
  );
}
