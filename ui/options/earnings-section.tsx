// "Credits for what you shared": what the people this donor helped acknowledged in signed
// receipts (recorded; nothing settles yet) — totals, a chart per day, a table per channel, and a
// CSV download. Read from the payment ledger through `load`, again every few seconds while the
// page is visible.
import { createMemo, createSignal, ErrorBoundary, For, Match, onCleanup, Show, Switch, type Accessor, type JSX } from 'solid-js';
import type { ChannelDay, ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';
import { countryNames } from '../common/country-names.ts';
import { makeCreditFormat } from '../common/credit-format.ts';
import { formatDataSize } from '../common/format-data-size.ts';
import { t, uiLanguage } from '../common/i18n.ts';
import { EarningsChart } from './earnings-chart.tsx';
import { earnings, earningsCsv, earningsCsvFileName } from './earnings-model.ts';

/**
 * How often the open page reads the ledger again. The offscreen document writes a receipt every
 * few hundred KiB served and tells no other page, so the page looks; two reads of small stores
 * every 5 s cost nothing, and only while the tab is visible.
 */
export const earningsRefreshMs = 5_000;

/** The donor's side of the payment ledger, as read at one moment. */
export interface LedgerSnapshot {
  channels: ChannelRecord[];
  days: ChannelDay[];
}

export interface EarningsSectionProps {
  /** Reads the donor's channels and day rows. */
  load: () => Promise<LedgerSnapshot>;
  /** Saves `text` as a CSV file named `fileName`. */
  saveCsv: (fileName: string, text: string) => void;
}

// Records hold only strings and numbers; equal text means nothing changed, so nothing re-renders
// (a selection in the table survives a refresh).
const sameSnapshot = (a: LedgerSnapshot | undefined, b: LedgerSnapshot | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The ledger read now, then every `earningsRefreshMs` while the document is visible, until cleanup. */
function createLedgerReader(load: () => Promise<LedgerSnapshot>, doc: Document): { snapshot: Accessor<LedgerSnapshot | undefined>; failed: Accessor<boolean> } {
  const [snapshot, setSnapshot] = createSignal<LedgerSnapshot | undefined>(undefined, { equals: sameSnapshot });
  const [failed, setFailed] = createSignal(false);
  const stop = new AbortController();
  let reading = false;
  const read = async (): Promise<void> => {
    if (reading || doc.hidden) return;
    reading = true;
    try {
      const next = await load();
      if (stop.signal.aborted) return;
      setSnapshot(next);
      setFailed(false);
    } catch {
      if (!stop.signal.aborted) setFailed(true);
    } finally {
      reading = false;
    }
  };
  void read();
  const timer = setInterval(() => void read(), earningsRefreshMs);
  stop.signal.addEventListener('abort', () => clearInterval(timer));
  doc.addEventListener('visibilitychange', () => void read(), { signal: stop.signal });
  onCleanup(() => stop.abort());
  return { snapshot, failed };
}

/** A country code as its name in `language`; anything that is not a two-letter code is shown as given. */
function countryName(code: string, language: string): string {
  return /^[A-Z]{2}$/.test(code) ? (countryNames([code], language)[0] ?? code) : code;
}

/** The earnings section of the options page. */
export function EarningsSection(props: EarningsSectionProps): JSX.Element {
  const language = uiLanguage();
  const credits = makeCreditFormat(language);
  const dateTime = new Intl.DateTimeFormat([language], { dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat([language], { dateStyle: 'medium' });
  const { snapshot, failed } = createLedgerReader(props.load, document);
  const model = createMemo(() => {
    const current = snapshot();
    return current && earnings(current.channels, current.days);
  });
  const dayText = (day: string | undefined): string => {
    const [year, month, dayOfMonth] = (day ?? '').split('-').map(Number);
    return day ? date.format(new Date(year!, month! - 1, dayOfMonth)) : '';
  };
  const unavailable = (): JSX.Element => (
    <p class="error-text" id="earnings-unavailable">
      {t('options_earnings_unavailable')}
    </p>
  );
  const download = (): void => {
    const current = snapshot();
    if (current) props.saveCsv(earningsCsvFileName(new Date()), earningsCsv(current.channels, current.days));
  };

  return (
    <section class="options-section earnings-section" id="earnings-section" aria-labelledby="earnings-heading">
      <h2 id="earnings-heading">{t('options_earnings_heading')}</h2>
      <p>{t('options_earnings_intro')}</p>
      {/* A record the model cannot read (written by a newer or broken version) costs this section, not the settings above it. */}
      <ErrorBoundary fallback={unavailable}>
        <Switch>
          <Match when={failed() && !snapshot()}>{unavailable()}</Match>
          <Match when={model()?.rows.length === 0}>
            <p class="muted" id="earnings-empty">
              {t('options_earnings_empty')}
            </p>
          </Match>
          <Match when={model()}>
            {(current) => (
              <>
                <dl class="earnings-totals" id="earnings-totals">
                  <div>
                    <dt>{t('options_earnings_data')}</dt>
                    <dd id="earnings-total-data">{formatDataSize(current().totals.bytes)}</dd>
                  </div>
                  <div>
                    <dt>{t('options_earnings_credits')}</dt>
                    <dd id="earnings-total-credits">{credits(current().totals.credits)}</dd>
                  </div>
                  <div>
                    <dt>{t('options_earnings_settled')}</dt>
                    <dd id="earnings-total-settled">{credits(current().totals.settledCredits)}</dd>
                  </div>
                  <div>
                    <dt>{t('options_earnings_unsettled')}</dt>
                    <dd id="earnings-total-unsettled">{credits(current().totals.unsettledCredits)}</dd>
                  </div>
                </dl>
                <Show when={current().series.x.length > 0}>
                  <EarningsChart
                    series={current().series}
                    summary={t('options_earnings_chart_summary', [dayText(current().series.firstDay), dayText(current().series.lastDay)])}
                    mibLabel={t('options_earnings_chart_mib')}
                    creditsLabel={t('options_earnings_chart_credits')}
                    language={language}
                  />
                </Show>
                {/* The table is wider than the column: it scrolls, so it must take focus to scroll by keyboard. */}
                <div class="earnings-table-scroll" role="region" aria-labelledby="earnings-table-caption" tabindex="0">
                  <table class="earnings-table" id="earnings-table">
                    <caption id="earnings-table-caption">{t('options_earnings_table_caption')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('options_earnings_channel')}</th>
                        <th scope="col">{t('options_earnings_country')}</th>
                        <th scope="col">{t('options_earnings_opened')}</th>
                        <th scope="col">{t('options_earnings_last_receipt')}</th>
                        <th scope="col" class="number">
                          {t('options_earnings_data')}
                        </th>
                        <th scope="col" class="number">
                          {t('options_earnings_credits')}
                        </th>
                        <th scope="col" class="number">
                          {t('options_earnings_settled')}
                        </th>
                        <th scope="col" class="number">
                          {t('options_earnings_unsettled')}
                        </th>
                        <th scope="col" class="number">
                          {t('options_earnings_price')}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={current().rows}>
                        {(row) => (
                          <tr data-channel-id={row.channelId}>
                            <th scope="row">
                              <code class="ltr-token" title={row.channelId}>
                                {row.shortId}
                              </code>
                            </th>
                            <td>{countryName(row.peerCountry, language)}</td>
                            <td>{dateTime.format(row.openedAt)}</td>
                            <td>{row.lastReceiptAt === undefined ? t('options_earnings_no_receipt') : dateTime.format(row.lastReceiptAt)}</td>
                            <td class="number">{formatDataSize(row.bytes)}</td>
                            <td class="number">{credits(row.credits)}</td>
                            <td class="number">{credits(row.settledCredits)}</td>
                            <td class="number">{credits(row.unsettledCredits)}</td>
                            <td class="number">{row.pricePerMiB === undefined ? '' : credits(row.pricePerMiB)}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
                <p>
                  <button type="button" class="secondary" id="earnings-download" onClick={download}>
                    {t('options_earnings_download')}
                  </button>
                </p>
              </>
            )}
          </Match>
        </Switch>
      </ErrorBoundary>
    </section>
  );
}
