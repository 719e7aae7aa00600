// Every string the donor reads comes from the locale files (locales/<locale>/<area>.json, merged
// into _locales/<locale>/messages.json at build time) through `t`. Keys are typed from the English
// files, so a misspelt key fails the typecheck; a key missing at run time throws in development.
import type { JSX } from 'solid-js';
import { browser, type Browser } from 'wxt/browser';
import type commonMessages from '../../locales/en/common.json';
import type confirmMessages from '../../locales/en/confirm.json';
import type extensionMessages from '../../locales/en/extension.json';
import type notificationsMessages from '../../locales/en/notifications.json';
import type optionsMessages from '../../locales/en/options.json';
import type popupMessages from '../../locales/en/popup.json';
import type statusMessages from '../../locales/en/status.json';
import type welcomeMessages from '../../locales/en/welcome.json';

/** A message name defined in the locale files this UI uses. */
export type MessageKey =
  | keyof typeof commonMessages
  | keyof typeof confirmMessages
  | keyof typeof extensionMessages
  | keyof typeof notificationsMessages
  | keyof typeof optionsMessages
  | keyof typeof popupMessages
  | keyof typeof statusMessages
  | keyof typeof welcomeMessages;

// Private-use characters stand in for rich substitutions; no translation contains them.
const markerBase = 0xe000;

function i18nApi(): typeof Browser.i18n {
  // WXT types getMessage from generated files that only know the built-in @@ names (our messages
  // are merged at build time, after type generation), so use the platform's own signature.
  return browser.i18n as unknown as typeof Browser.i18n;
}

/**
 * The message `key` in the browser's language, with `substitutions` filling $1…$9 (numbers formatted for that language).
 * @throws {Error} in development builds when no locale file defines `key`.
 */
export function t(key: MessageKey, substitutions: ReadonlyArray<string | number> = []): string {
  // Numbers are written the way the translation's language writes them ("۳۲" in Persian).
  let numbers: Intl.NumberFormat | undefined;
  const strings = substitutions.map((value) => (typeof value === 'number' ? (numbers ??= new Intl.NumberFormat([uiLanguage()])).format(value) : value));
  const text = i18nApi().getMessage(key, strings);
  if (text) return text;
  if (import.meta.env.DEV) throw new Error(`i18n: no message "${key}" in locales/*/`);
  return key;
}

/** `key`'s message as parts, its substitutions being elements (e.g. `<bdi>` for an origin inside a sentence). */
export function tParts(key: MessageKey, substitutions: readonly JSX.Element[]): JSX.Element[] {
  const markers = substitutions.map((_, i) => String.fromCharCode(markerBase + i));
  const parts: JSX.Element[] = [];
  let run = '';
  for (const char of t(key, markers)) {
    const index = markers.indexOf(char);
    if (index < 0) {
      run += char;
      continue;
    }
    if (run) parts.push(run);
    run = '';
    parts.push(substitutions[index]);
  }
  if (run) parts.push(run);
  return parts;
}

/**
 * The language of the strings shown, as a BCP 47 tag for `lang` and Intl. Read from our own
 * locale files rather than @@ui_locale/@@bidi_dir: those describe the browser's language, and a
 * browser in a language we have no file for shows our English strings.
 */
export function uiLanguage(): string {
  return t('common_lang');
}

/** Sets the document's `lang`, `dir` (fa is right-to-left) and title from the translation in use. */
export function applyDocumentLocale(doc: Document, titleKey: MessageKey): void {
  doc.documentElement.lang = uiLanguage();
  doc.documentElement.dir = t('common_dir') === 'rtl' ? 'rtl' : 'ltr';
  doc.title = t(titleKey);
}
