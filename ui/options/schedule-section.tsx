// "When to share": only while idle, only within hours, pause on battery.
import type { JSX } from 'solid-js';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import { HoursField } from './hours-field.tsx';
import type { SettingsEditor } from './settings-editor.ts';
import { ToggleField } from './toggle-field.tsx';

/** The conditions that pause sharing, each saved on change. */
export function ScheduleSection(props: { settings: DonorSettings; save: SettingsEditor['save'] }): JSX.Element {
  return (
    <section class="options-section" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">{t('options_when_heading')}</h2>
      <ToggleField
        id="only-when-idle"
        label={t('options_only_idle_label')}
        hint={t('options_only_idle_hint')}
        value={props.settings.onlyWhenIdle}
        save={(onlyWhenIdle) => props.save({ onlyWhenIdle })}
      />
      <HoursField value={props.settings.hours} save={(hours) => props.save({ hours })} />
      <ToggleField
        id="pause-on-battery"
        label={t('options_battery_label')}
        hint={t('options_battery_hint')}
        value={props.settings.pauseOnBattery}
        save={(pauseOnBattery) => props.save({ pauseOnBattery })}
      />
    </section>
  );
}
