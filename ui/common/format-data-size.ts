// Data sizes as the donor reads them: the number formatted for their language, the unit from the
// locale files ("1,5 MiB", "۱٫۲ MiB", "1,2 МиБ").
import { dataSizeParts, type DataSizeUnit } from './data-size.ts';
import { t, uiLanguage, type MessageKey } from './i18n.ts';

const unitMessages: Record<DataSizeUnit, MessageKey> = {
  b: 'common_size_b',
  kib: 'common_size_kib',
  mib: 'common_size_mib',
  gib: 'common_size_gib',
  tib: 'common_size_tib',
};

/** `bytes` in words, at most one decimal ("3.5 KiB"). */
export function formatDataSize(bytes: number): string {
  const { amount, unit } = dataSizeParts(bytes);
  const number = new Intl.NumberFormat([uiLanguage()], { maximumFractionDigits: unit === 'b' ? 0 : 1 });
  return t(unitMessages[unit], [number.format(amount)]);
}
