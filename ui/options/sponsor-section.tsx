// "Sponsor": a partner organisation's sponsor/compartment code.
import type { JSX } from 'solid-js';
import { maxSponsorCodeChars } from '../../protocol/sponsor-code.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import type { SettingsEditor } from './settings-editor.ts';
import { TextField } from './text-field.tsx';

/** The sponsor code, saved on change. */
export function SponsorSection(props: { settings: DonorSettings; save: SettingsEditor['save'] }): JSX.Element {
  return (
    <section class="options-section" aria-labelledby="sponsor-heading">
      <h2 id="sponsor-heading">{t('options_sponsor_heading')}</h2>
      <TextField
        id="sponsor-code"
        label={t('options_sponsor_label')}
        hint={t('options_sponsor_hint')}
        errorText={t('options_sponsor_error', [maxSponsorCodeChars])}
        dir="ltr"
        value={props.settings.sponsorCode}
        save={(sponsorCode) => props.save({ sponsorCode })}
      />
    </section>
  );
}
