// The browse page's strings (locales/<locale>/browse.json) through ui/common's `t`, typed by the
// English file like the other areas' keys.
import { t, type MessageKey } from '../common/i18n.ts';
import type browseMessages from '../../locales/en/browse.json';

/** A message name defined in locales/en/browse.json. */
export type BrowseMessageKey = keyof typeof browseMessages;

/** The browse message `key` in the browser's language, `substitutions` filling $1…$9. */
export function bt(key: BrowseMessageKey, substitutions: ReadonlyArray<string | number> = []): string {
  // ui/common's MessageKey lists the areas the donor pages use; browse keys are checked here instead.
  return t(key as unknown as MessageKey, substitutions);
}
