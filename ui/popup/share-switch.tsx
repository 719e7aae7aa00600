// The popup's one switch: share my connection, on or off.
import { createSignal, Show, type JSX } from 'solid-js';
import { t } from '../common/i18n.ts';

/** A labelled switch bound to `settings.sharing`; says so if the change could not be saved. */
export function ShareSwitch(props: { sharing: boolean; setSharing: (on: boolean) => Promise<void> }): JSX.Element {
  const [failed, setFailed] = createSignal(false);
  const onChange = async (event: Event & { currentTarget: HTMLInputElement }): Promise<void> => {
    const input = event.currentTarget;
    setFailed(false);
    try {
      await props.setSharing(input.checked);
    } catch (error) {
      // Storage still holds the old value, so the switch must show it again.
      input.checked = props.sharing;
      setFailed(true);
      console.error('porchlight: could not save the share switch', error);
    }
  };
  return (
    <div class="share-switch">
      <input type="checkbox" role="switch" id="share-switch" checked={props.sharing} onChange={onChange} aria-describedby="share-status" />
      <label for="share-switch">{t('popup_share_label')}</label>
      <Show when={failed()}>
        <p class="error-text" role="alert">
          {t('popup_save_failed')}
        </p>
      </Show>
    </div>
  );
}
