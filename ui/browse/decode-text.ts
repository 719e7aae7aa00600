// Turning a page's bytes into text with the encoding the site meant: the Content-Type charset,
// else a byte order mark, else a <meta charset> in the first 1024 bytes (HTML's prescan, simplified),
// else UTF-8.
import { charsetParameter } from './content-kind.ts';

/** Bytes of the body searched for a <meta charset> (the HTML prescan's window). */
export const charsetPrescanBytes = 1024;

/** The encoding label for a body with this Content-Type that starts with `head`. */
export function detectCharset(contentType: string | null, head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  const declared = charsetParameter(contentType);
  if (declared && isKnownEncoding(declared)) return declared;
  // Latin-1 maps each byte to one character, so ASCII markup reads the same in any ASCII-compatible encoding.
  const prefix = new TextDecoder('latin1').decode(head.subarray(0, charsetPrescanBytes));
  const meta = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.-]+)/i.exec(prefix);
  const label = meta?.[1]?.toLowerCase();
  // A page that claims UTF-16 in ASCII bytes is not UTF-16 (HTML says: treat as UTF-8).
  if (label && isKnownEncoding(label)) return label.startsWith('utf-16') ? 'utf-8' : label;
  return 'utf-8';
}

function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** `bytes` decoded with `label` (UTF-8 when the label is unknown), malformed sequences replaced. */
export function decodeText(bytes: Uint8Array, label: string): string {
  return new TextDecoder(isKnownEncoding(label) ? label : 'utf-8').decode(bytes);
}
