// The donor UI's locale files (locales/<locale>/{common,popup,status,confirm,options,welcome,notifications}.json): every
// translation defines exactly the English keys with the same placeholders, and is a translation.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const root = new URL('../../locales/', import.meta.url);
const areas = ['common', 'popup', 'status', 'confirm', 'options', 'welcome', 'notifications'] as const;
const locales = readdirSync(root).filter((name) => name !== 'en');
// Brand names and unit symbols read the same in several languages.
const mayMatchEnglish = /^(Porchlight|\$AMOUNT\$ [A-Za-z]+|[KMG]iB(\/s)?|ltr)$/;

function read(locale: string, area: string): Record<string, Message> {
  return JSON.parse(readFileSync(new URL(`${locale}/${area}.json`, root), 'utf8')) as Record<string, Message>;
}

function placeholders(message: Message): string[] {
  return [...message.message.matchAll(/\$([A-Za-z_]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
}

describe('locale files', () => {
  it('covers the five shipped locales', () => {
    expect(locales.sort()).toEqual(['es', 'fa', 'ru', 'zh_CN']);
  });

  describe.each(locales)('%s', (locale) => {
    it.each(areas)('%s.json has the English keys, each with its placeholders', (area) => {
      const en = read('en', area);
      const translated = read(locale, area);
      expect(Object.keys(translated).sort()).toEqual(Object.keys(en).sort());
      for (const [key, message] of Object.entries(en)) {
        const other = translated[key]!;
        expect(other.message.trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholders(other), `${locale} ${key}`).toEqual(placeholders(message));
        for (const name of placeholders(message)) expect(other.placeholders?.[name]?.content, `${locale} ${key} $${name}$`).toBe(message.placeholders?.[name]?.content);
      }
    });

    it('is translated, not copied from English', () => {
      const copied = areas.flatMap((area) => {
        const en = read('en', area);
        return Object.entries(read(locale, area)).filter(([key, m]) => m.message === en[key]!.message && !mayMatchEnglish.test(m.message)).map(([key]) => key);
      });
      expect(copied).toEqual([]);
    });

    it('names its own language and writing direction', () => {
      const common = read(locale, 'common');
      expect(common.common_lang!.message).toBe(locale.replace('_', '-'));
      expect(common.common_dir!.message).toBe(locale === 'fa' ? 'rtl' : 'ltr');
    });
  });
});
