// "How much to share": daily and monthly data caps, speed per person, people at once.
import type { JSX } from 'solid-js';
import { maxPeopleAtOnce, type DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import { AmountField } from './amount-field.tsx';
import type { SettingsEditor } from './settings-editor.ts';
import { capUnits, rateUnits } from './setting-inputs.ts';
import { WholeNumberField } from './whole-number-field.tsx';

/** The caps and limits, each saved on change. */
export function LimitsSection(props: { settings: DonorSettings; save: SettingsEditor['save'] }): JSX.Element {
  const capNames = { mib: t('options_unit_mib'), gib: t('options_unit_gib') };
  const rateNames = { kibps: t('options_unit_kibps'), mibps: t('options_unit_mibps') };
  return (
    <section class="options-section" aria-labelledby="limits-heading">
      <h2 id="limits-heading">{t('options_limits_heading')}</h2>
      <AmountField
        id="daily-cap"
        label={t('options_daily_cap_label')}
        unitLabel={t('options_daily_cap_unit')}
        hint={t('options_cap_hint')}
        errorText={t('options_cap_error')}
        units={capUnits}
        unitNames={capNames}
        value={props.settings.dailyCapBytes}
        save={(dailyCapBytes) => props.save({ dailyCapBytes })}
      />
      <AmountField
        id="monthly-cap"
        label={t('options_monthly_cap_label')}
        unitLabel={t('options_monthly_cap_unit')}
        hint={t('options_cap_hint')}
        errorText={t('options_cap_error')}
        units={capUnits}
        unitNames={capNames}
        value={props.settings.monthlyCapBytes}
        save={(monthlyCapBytes) => props.save({ monthlyCapBytes })}
      />
      <AmountField
        id="rate-limit"
        label={t('options_rate_label')}
        unitLabel={t('options_rate_unit')}
        hint={t('options_rate_hint')}
        errorText={t('options_rate_error')}
        units={rateUnits}
        unitNames={rateNames}
        value={props.settings.perPersonBytesPerSecond}
        save={(perPersonBytesPerSecond) => props.save({ perPersonBytesPerSecond })}
      />
      <WholeNumberField
        id="max-people"
        label={t('options_max_people_label')}
        errorText={t('options_max_people_error', [maxPeopleAtOnce])}
        min={1}
        max={maxPeopleAtOnce}
        value={props.settings.maxPeopleAtOnce}
        save={(value) => props.save({ maxPeopleAtOnce: value })}
      />
    </section>
  );
}
