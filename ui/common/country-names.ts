// Country codes (ISO 3166-1 alpha-2, as signaling reports them) as names in the donor's language.

/** The countries' names in `language`, sorted as that language sorts; unknown codes stay codes. */
export function countryNames(codes: readonly string[], language: string): string[] {
  const names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' });
  const collator = new Intl.Collator(language);
  return [...new Set(codes)].map((code) => names.of(code) ?? code).sort(collator.compare);
}
