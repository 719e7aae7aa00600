// Where to browse from: any country, a country from the list (with donor counts), or one donor by ID.
import { For, Show, createSignal, type JSX } from 'solid-js';
import { isPeerId } from '../../protocol/identity.ts';
import { uiLanguage } from '../common/i18n.ts';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState, Route } from './browse-store.ts';
import { countryDisplayName } from './country-label.ts';

/** Props of RoutePicker: the store's state and actions. */
export interface RoutePickerProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The route choice form. */
export function RoutePicker(props: RoutePickerProps): JSX.Element {
  const [mode, setMode] = createSignal<Route['mode']>(props.state.route.mode);
  const [country, setCountry] = createSignal(props.state.route.mode === 'country' ? props.state.route.country : '');
  const [donor, setDonor] = createSignal(props.state.route.mode === 'donor' ? props.state.route.donor : '');
  const [donorTouched, setDonorTouched] = createSignal(false);

  const collator = () => new Intl.Collator([uiLanguage()]);
  const options = () =>
    (props.state.countries ?? [])
      .map((entry) => ({ ...entry, name: countryDisplayName(entry.country, uiLanguage()) ?? bt('browse_country_unknown') }))
      .sort((a, b) => collator().compare(a.name, b.name));
  const chosenCountry = () => country() || options()[0]?.country || '';
  const donorId = () => donor().trim().toLowerCase();
  const donorInvalid = () => mode() === 'donor' && donorTouched() && !isPeerId(donorId());
  const canApply = () => props.state.engine === 'ready' && !props.state.switching && (mode() === 'any' || (mode() === 'country' ? chosenCountry() !== '' : isPeerId(donorId())));

  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    setDonorTouched(true);
    if (!canApply()) return;
    const route: Route = mode() === 'country' ? { mode: 'country', country: chosenCountry() } : mode() === 'donor' ? { mode: 'donor', donor: donorId() } : { mode: 'any' };
    void props.actions.chooseRoute(route);
  };

  return (
    <form class="route-picker panel-section" onSubmit={onSubmit}>
      <fieldset>
        <legend>{bt('browse_route_heading')}</legend>
        <label class="choice">
          <input type="radio" name="route" value="any" checked={mode() === 'any'} onChange={() => setMode('any')} />
          {bt('browse_route_any')}
        </label>
        <label class="choice">
          <input type="radio" name="route" value="country" checked={mode() === 'country'} onChange={() => setMode('country')} />
          {bt('browse_route_country')}
        </label>
        <Show when={mode() === 'country'}>
          <div class="nested">
            <label for="route-country">{bt('browse_country_label')}</label>
            <div class="inline-row">
              <select id="route-country" value={chosenCountry()} onChange={(event) => setCountry(event.currentTarget.value)} disabled={options().length === 0}>
                <For each={options()}>{(entry) => <option value={entry.country}>{bt('browse_country_option', [entry.name, entry.donors])}</option>}</For>
              </select>
              <button type="button" class="secondary" onClick={() => void props.actions.refreshCountries()} disabled={props.state.countriesLoading || props.state.engine !== 'ready'}>
                {bt('browse_countries_refresh')}
              </button>
            </div>
            <Show when={props.state.countriesLoading}>
              <p class="hint">{bt('browse_countries_loading')}</p>
            </Show>
            <Show when={!props.state.countriesLoading && options().length === 0}>
              <p class="hint">{bt('browse_countries_none')}</p>
            </Show>
          </div>
        </Show>
        <label class="choice">
          <input type="radio" name="route" value="donor" checked={mode() === 'donor'} onChange={() => setMode('donor')} />
          {bt('browse_route_donor')}
        </label>
        <Show when={mode() === 'donor'}>
          <div class="nested">
            <label for="route-donor">{bt('browse_donor_id_label')}</label>
            <input
              id="route-donor"
              class="ltr-token donor-id"
              type="text"
              dir="ltr"
              autocomplete="off"
              spellcheck={false}
              value={donor()}
              aria-invalid={donorInvalid()}
              aria-describedby="route-donor-hint"
              onInput={(event) => setDonor(event.currentTarget.value)}
              onBlur={() => setDonorTouched(donor() !== '')}
            />
            <p id="route-donor-hint" class={donorInvalid() ? 'error-text' : 'hint'}>
              {donorInvalid() ? bt('browse_donor_id_invalid') : bt('browse_donor_id_hint')}
            </p>
          </div>
        </Show>
      </fieldset>
      <button type="submit" disabled={!canApply()}>
        {bt('browse_route_apply')}
      </button>
    </form>
  );
}
