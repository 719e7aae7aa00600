// "Advanced", folded away: the signaling server, for donors who run their own.
import { untrack, type JSX } from 'solid-js';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import type { SettingsEditor } from './settings-editor.ts';
import { TextField } from './text-field.tsx';

/** The signaling server address and a way back to the default one. */
export function AdvancedSection(props: { settings: DonorSettings; defaultSignalingUrl: string; save: SettingsEditor['save'] }): JSX.Element {
  return (
    // Opened on arrival only when a custom server is set; after that the donor decides.
    <details class="options-section advanced-section" open={untrack(() => props.settings.signalingUrl !== props.defaultSignalingUrl)}>
      <summary>
        <h2>{t('options_advanced_heading')}</h2>
      </summary>
      <TextField
        id="signaling-url"
        type="url"
        dir="ltr"
        label={t('options_signaling_label')}
        hint={t('options_signaling_hint')}
        errorText={t('options_signaling_error')}
        value={props.settings.signalingUrl}
        save={(signalingUrl) => props.save({ signalingUrl })}
      >
        <button
          type="button"
          id="signaling-url-reset"
          class="secondary"
          disabled={props.settings.signalingUrl === props.defaultSignalingUrl}
          onClick={() => void props.save({ signalingUrl: props.defaultSignalingUrl })}
        >
          {t('options_signaling_reset')}
        </button>
      </TextField>
    </details>
  );
}
