import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// i18n reads browser.i18n, which @wxt-dev/browser takes from globalThis.chrome when it loads.
const messages: Record<string, string> = {
  common_lang: 'fa',
  common_dir: 'rtl',
  popup_title: 'Porchlight',
  options_max_people_error: 'یک عدد صحیح از ۱ تا $1 وارد کنید.',
  confirm_request_with_code: '$1 asks, with code $2.',
};
const fakeChrome = {
  i18n: {
    getMessage: (key: string, substitutions: string[] = []) => (messages[key] ?? '').replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? ''),
  },
};

let i18n: typeof import('./i18n.ts');

beforeAll(async () => {
  (globalThis as { chrome?: unknown }).chrome = fakeChrome;
  i18n = await import('./i18n.ts');
});

afterAll(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
});

describe('i18n', () => {
  it('fills substitutions, writing numbers the way the translation’s language does', () => {
    expect(i18n.t('options_max_people_error', [32])).toBe('یک عدد صحیح از ۱ تا ۳۲ وارد کنید.');
  });

  it('throws for a key no locale file defines (development and test builds)', () => {
    expect(() => i18n.t('popup_retry')).toThrow(/popup_retry/);
  });

  it('splits a message around element substitutions, keeping their order', () => {
    const origin = { element: 'origin' } as unknown as Element;
    const code = { element: 'code' } as unknown as Element;
    expect(i18n.tParts('confirm_request_with_code', [origin, code])).toEqual([origin, ' asks, with code ', code, '.']);
  });

  it('sets the document’s language, direction and title from the translation in use', () => {
    const doc = { documentElement: { lang: '', dir: '' }, title: '' } as unknown as Document;
    i18n.applyDocumentLocale(doc, 'popup_title');
    expect([doc.documentElement.lang, doc.documentElement.dir, doc.title]).toEqual(['fa', 'rtl', 'Porchlight']);
  });
});
