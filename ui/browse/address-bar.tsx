// The URL bar: back, forward, reload or stop, the address field and Go.
import { type JSX } from 'solid-js';
import { bt } from './browse-i18n.ts';
import type { BrowseActions, BrowseState } from './browse-store.ts';

/** Props of AddressBar: the store's state and actions. */
export interface AddressBarProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The address field with its navigation buttons. */
export function AddressBar(props: AddressBarProps): JSX.Element {
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    props.actions.submitAddress();
  };
  return (
    <form class="address-bar" onSubmit={onSubmit} aria-label={bt('browse_controls_label')}>
      <button type="button" class="secondary icon" onClick={() => props.actions.back()} disabled={props.state.historyIndex <= 0} aria-label={bt('browse_back')} title={bt('browse_back')}>
        <span class="flip-in-rtl" aria-hidden="true">←</span>
      </button>
      <button
        type="button"
        class="secondary icon"
        onClick={() => props.actions.forward()}
        disabled={props.state.historyIndex >= props.state.history.length - 1}
        aria-label={bt('browse_forward')}
        title={bt('browse_forward')}
      >
        <span class="flip-in-rtl" aria-hidden="true">→</span>
      </button>
      {props.state.loading ? (
        <button type="button" class="secondary icon" onClick={() => props.actions.stop()} aria-label={bt('browse_stop')} title={bt('browse_stop')}>
          <span aria-hidden="true">✕</span>
        </button>
      ) : (
        <button type="button" class="secondary icon" onClick={() => props.actions.reload()} disabled={props.state.historyIndex < 0} aria-label={bt('browse_reload')} title={bt('browse_reload')}>
          <span aria-hidden="true">↻</span>
        </button>
      )}
      <label class="visually-hidden" for="address">
        {bt('browse_address_label')}
      </label>
      <input
        id="address"
        name="address"
        class="address-input"
        type="text"
        inputmode="url"
        autocomplete="off"
        spellcheck={false}
        dir="ltr"
        placeholder={bt('browse_address_placeholder')}
        value={props.state.address}
        onInput={(event) => props.actions.setAddress(event.currentTarget.value)}
      />
      <button type="submit" class="go">
        {bt('browse_go')}
      </button>
    </form>
  );
}
