// The browse page's locale files (locales/<locale>/browse.json): every translation defines exactly
// the English keys with the same placeholders, and is a translation.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const root = new URL('../../locales/', import.meta.url);
const locales = readdirSync(root).filter((name) => name !== 'en');
// Messages that are only placeholders and the brand name read the same in several languages.
const mayMatchEnglish = /^(\$TITLE\$ — Porchlight|\$NAME\$ \(\$TYPE\$\))$/;

function read(locale: string): Record<string, Message> {
  return JSON.parse(readFileSync(new URL(`${locale}/browse.json`, root), 'utf8')) as Record<string, Message>;
}

function placeholders(message: Message): string[] {
  return [...message.message.matchAll(/\$([A-Za-z_]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
}

describe('browse locale files', () => {
  const en = read('en');

  it('prefixes every key with browse_ and leaves no stray $', () => {
    for (const [key, message] of Object.entries(en)) {
      expect(key).toMatch(/^browse_[a-z_]+$/);
      expect(message.message.replace(/\$[A-Z_]+\$/g, ''), key).not.toContain('$');
    }
  });

  describe.each(locales)('%s', (locale) => {
    const translated = read(locale);

    it('has the English keys, each with its placeholders', () => {
      expect(Object.keys(translated).sort()).toEqual(Object.keys(en).sort());
      for (const [key, message] of Object.entries(en)) {
        const other = translated[key]!;
        expect(other.message.trim(), `${locale} ${key}`).not.toBe('');
        expect(other.message.replace(/\$[A-Z_]+\$/g, ''), `${locale} ${key}`).not.toContain('$');
        expect(placeholders(other), `${locale} ${key}`).toEqual(placeholders(message));
        for (const name of placeholders(message)) expect(other.placeholders?.[name]?.content, `${locale} ${key} $${name}$`).toBe(message.placeholders?.[name]?.content);
      }
    });

    it('is translated, not copied from English', () => {
      const copied = Object.entries(translated).filter(([key, m]) => m.message === en[key]!.message && !mayMatchEnglish.test(m.message)).map(([key]) => key);
      expect(copied).toEqual([]);
    });
  });
});
