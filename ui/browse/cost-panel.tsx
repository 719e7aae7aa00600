// What browsing costs: the current donor's price per GiB and what this tab has used, in bytes and
// credits, as this browser's signed receipts count them; and what a credit is today.
import { Show, type JSX } from 'solid-js';
import { formatDataSize } from '../common/format-data-size.ts';
import { uiLanguage } from '../common/i18n.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseState } from './browse-store.ts';
import { makeCostFormat, pricePerGiB } from './session-cost.ts';

/** Props of CostPanel: the store's state. */
export interface CostPanelProps {
  state: BrowseState;
}

/** The price and this tab's usage, updated as receipts are signed. */
export function CostPanel(props: CostPanelProps): JSX.Element {
  const format = makeCostFormat(uiLanguage());
  // A lost donor's price still applies to what was used with it; a switch in progress has none yet.
  const donor = () => (props.state.donorState === 'connected' || props.state.donorState === 'lost' ? props.state.donor : undefined);
  return (
    <section class="cost-panel panel-section" aria-labelledby="cost-heading">
      <h2 id="cost-heading">{bt('browse_cost_heading')}</h2>
      <dl class="facts">
        <dt>{bt('browse_cost_price')}</dt>
        <Show when={donor()} fallback={<dd class="donor-price muted">{bt('browse_cost_price_unknown')}</dd>}>
          {(known) => (
            <dd class="donor-price" data-micro-credits-per-gib={pricePerGiB(known().pricePerMiB).toString()}>
              {format.price(known().pricePerMiB)}
            </dd>
          )}
        </Show>
        <dt>{bt('browse_cost_data')}</dt>
        <dd class="session-bytes" data-bytes={props.state.usage.bytes}>
          {formatDataSize(props.state.usage.bytes)}
        </dd>
        <dt>{bt('browse_cost_credits')}</dt>
        <dd class="session-credits" data-micro-credits={props.state.usage.microCredits}>
          {format.credits(props.state.usage)}
        </dd>
      </dl>
      <p class="hint">{bt('browse_cost_note')}</p>
    </section>
  );
}
