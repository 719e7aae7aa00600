// The file name a download is saved under: the site's Content-Disposition name (RFC 6266, with
// RFC 8187's UTF-8 form preferred), else the last segment of the address, made safe for a disk.

/** Longest file name kept, in characters (file systems allow 255 bytes; leave room for "(1)"). */
export const maxFileNameChars = 180;

/** A safe file name for a download of `url` with this Content-Disposition; `fallback` when nothing usable is left. */
export function downloadName(contentDisposition: string | null, url: string, fallback: string): string {
  return safeFileName(dispositionName(contentDisposition ?? '') ?? urlName(url) ?? '') || safeFileName(fallback) || 'download';
}

function dispositionName(header: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      const charset = extended[1]!.trim().toLowerCase();
      const value = extended[2]!.trim();
      if (charset === 'utf-8') return decodeURIComponent(value);
      // ISO-8859-1 is the only other charset RFC 8187 requires; its bytes map to U+0000–U+00FF.
      if (charset === 'iso-8859-1') return value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    } catch {
      // malformed percent-encoding: fall through to the plain parameter
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header);
  return token?.[1];
}

function urlName(url: string): string | undefined {
  try {
    const segment = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `name` without path separators, control characters, characters Windows refuses, or leading dots. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  return Array.from(cleaned).slice(0, maxFileNameChars).join('');
}
