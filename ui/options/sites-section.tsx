// "What people can reach": whether plain-http sites are allowed, with what that means.
import type { JSX } from 'solid-js';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import type { SettingsEditor } from './settings-editor.ts';
import { ToggleField } from './toggle-field.tsx';

/** The plain-http switch and its one-line warning. */
export function SitesSection(props: { settings: DonorSettings; save: SettingsEditor['save'] }): JSX.Element {
  return (
    <section class="options-section" aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t('options_sites_heading')}</h2>
      <ToggleField
        id="allow-plain-http"
        label={t('options_plain_http_label')}
        hint={t('options_plain_http_warning')}
        warning
        value={props.settings.allowPlainHttp}
        save={(allowPlainHttp) => props.save({ allowPlainHttp })}
      />
    </section>
  );
}
