// The exit the pages come through: its country and the donor's short ID, and the way to another donor.
import { Match, Show, Switch, type JSX } from 'solid-js';
import { uiLanguage } from '../common/i18n.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState } from './browse-store.ts';
import { countryDisplayName } from './country-label.ts';

/** Hex digits of a peer id shown to identify a donor at a glance. */
export const shortDonorIdChars = 8;

/** Props of ExitStatus: the store's state and actions. */
export interface ExitStatusProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The exit country, donor and connection state. */
export function ExitStatus(props: ExitStatusProps): JSX.Element {
  const countryName = () => {
    const donor = props.state.donor;
    return donor ? (countryDisplayName(donor.country, uiLanguage()) ?? bt('browse_country_unknown')) : '';
  };
  // The problem notice carries the button when a request found the donor gone; one button is enough.
  const problemOffersNext = () => props.state.problem?.kind === 'donor-left';
  return (
    <section class="exit-status panel-section" aria-labelledby="exit-heading" aria-live="polite">
      <h2 id="exit-heading">{bt('browse_exit_heading')}</h2>
      <Switch>
        <Match when={props.state.engine === 'starting'}>
          <p class="hint">{bt('browse_engine_starting')}</p>
        </Match>
        <Match when={props.state.donorState === 'connecting'}>
          <p class="hint">{bt('browse_exit_connecting')}</p>
        </Match>
        <Match when={props.state.donorState === 'none' || !props.state.donor}>
          <p class="hint">{bt('browse_exit_none')}</p>
        </Match>
        <Match when={props.state.donor}>
          {(donor) => (
            <>
              <dl class="facts">
                <dt>{bt('browse_exit_country')}</dt>
                <dd class="exit-country" data-country={donor().country}>
                  {countryName()}
                </dd>
                <dt>{bt('browse_exit_donor')}</dt>
                <dd>
                  <span class="ltr-token donor-short-id" title={donor().peerId}>
                    {donor().peerId.slice(0, shortDonorIdChars)}
                  </span>
                </dd>
              </dl>
              <Show
                when={props.state.donorState === 'lost'}
                fallback={
                  <button type="button" class="secondary" onClick={() => void props.actions.anotherDonor()} disabled={props.state.switching}>
                    {bt('browse_another_donor')}
                  </button>
                }
              >
                <p class="warning donor-lost">{bt('browse_exit_lost')}</p>
                <Show when={!problemOffersNext()}>
                  <button type="button" class="next-donor" onClick={() => void props.actions.anotherDonor()} disabled={props.state.switching}>
                    {bt('browse_next_donor')}
                  </button>
                </Show>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
