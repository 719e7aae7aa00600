// What sharing has done: people helped now, countries reached today, people, data and time today
// and in total, and how far today and this month are toward the donor's caps.
import { For, Show, type JSX } from 'solid-js';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { countryNames } from '../common/country-names.ts';
import { formatDataSize } from '../common/format-data-size.ts';
import { t, uiLanguage } from '../common/i18n.ts';
import { capProgress } from './cap-progress.ts';
import { donorFigures, type StoredFigures } from './donor-figures.ts';
import { formatSharedTime } from './shared-time.ts';

/** The engine's figures (or the stored ones while it is not running); `settings` (when loaded) gives the caps. */
export function DonorStats(props: { status: DonorStatus; stored: StoredFigures | undefined; settings: DonorSettings | undefined }): JSX.Element {
  const number = (value: number): string => new Intl.NumberFormat([uiLanguage()]).format(value);
  const figures = () => donorFigures(props.status, props.stored);
  const countries = () => {
    const names = countryNames(figures().countriesToday, uiLanguage());
    return names.length > 0 ? new Intl.ListFormat([uiLanguage()], { type: 'unit' }).format(names) : t('popup_countries_none');
  };
  const caps = () => (props.settings ? capProgress(props.settings, { bytesToday: figures().today.bytes, bytesThisMonth: figures().monthBytes }) : []);
  return (
    <>
      <dl class="donor-stats">
        <div>
          <dt>{t('popup_helping_now_label')}</dt>
          <dd id="helping-now">{number(props.status.helpingNow)}</dd>
        </div>
        <div>
          <dt>{t('popup_countries_today_label')}</dt>
          <dd id="countries-today">{countries()}</dd>
        </div>
      </dl>
      <table class="donor-totals">
        <caption class="visually-hidden">{t('popup_totals_caption')}</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">{t('popup_column_today')}</th>
            <th scope="col">{t('popup_column_total')}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t('popup_people_helped_label')}</th>
            <td id="people-today">{number(figures().today.people)}</td>
            <td id="people-total">{number(figures().lifetime.people)}</td>
          </tr>
          <tr>
            <th scope="row">{t('popup_data_shared_label')}</th>
            <td id="shared-today">{formatDataSize(figures().today.bytes)}</td>
            <td id="shared-total">{formatDataSize(figures().lifetime.bytes)}</td>
          </tr>
          <tr>
            <th scope="row">{t('popup_time_shared_label')}</th>
            <td id="time-today">{formatSharedTime(figures().today.seconds, uiLanguage())}</td>
            <td id="time-total">{formatSharedTime(figures().lifetime.seconds, uiLanguage())}</td>
          </tr>
        </tbody>
      </table>
      <Show when={caps().length > 0}>
        <ul class="cap-progress">
          <For each={caps()}>
            {(cap) => (
              <li id={cap.period === 'day' ? 'cap-today' : 'cap-month'}>
                <span class="cap-text">
                  {t(cap.period === 'day' ? 'popup_cap_today' : 'popup_cap_month', [formatDataSize(cap.usedBytes), formatDataSize(cap.capBytes)])}
                </span>
                {/* The sentence says it; the bar only draws it. */}
                <span class="cap-bar" aria-hidden="true" data-full={cap.fraction >= 1 ? 'true' : undefined}>
                  <span style={{ 'inline-size': `${(cap.fraction * 100).toFixed(1)}%` }} />
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
