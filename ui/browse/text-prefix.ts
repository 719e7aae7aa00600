// The beginning of a text that fits a byte budget in UTF-8, cut between characters.

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes` (never half a character). */
export function textPrefix(text: string, maxBytes: number): string {
  // Three bytes per UTF-16 unit at most: short texts need no encoding at all.
  if (text.length * 3 <= maxBytes) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}
