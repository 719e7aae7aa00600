// A donor country as a person reads it: the name in their language, "unknown" for 'ZZ'.
import { unknownCountry } from '../../protocol/signaling-messages.ts';

/** The name of region `code` in `language`; undefined for the unknown country or a code Intl does not know. */
export function countryDisplayName(code: string, language: string): string | undefined {
  if (code === unknownCountry) return undefined;
  try {
    const name = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' }).of(code);
    return name === undefined || name === code ? undefined : name;
  } catch {
    return undefined;
  }
}
