// What sharing has done today: people helped now, data shared, countries reached.
import type { JSX } from 'solid-js';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import { countryNames } from '../common/country-names.ts';
import { formatDataSize } from '../common/format-data-size.ts';
import { t, uiLanguage } from '../common/i18n.ts';

/** Today's figures from the engine's status, as a definition list. */
export function DonorStats(props: { status: DonorStatus }): JSX.Element {
  const countries = () => {
    const names = countryNames(props.status.countriesToday, uiLanguage());
    return names.length > 0 ? new Intl.ListFormat([uiLanguage()], { type: 'unit' }).format(names) : t('popup_countries_none');
  };
  return (
    <dl class="donor-stats">
      <div>
        <dt>{t('popup_helping_now_label')}</dt>
        <dd id="helping-now">{new Intl.NumberFormat([uiLanguage()]).format(props.status.helpingNow)}</dd>
      </div>
      <div>
        <dt>{t('popup_shared_today_label')}</dt>
        <dd id="shared-today">{formatDataSize(props.status.bytesToday)}</dd>
      </div>
      <div>
        <dt>{t('popup_countries_today_label')}</dt>
        <dd id="countries-today">{countries()}</dd>
      </div>
    </dl>
  );
}
