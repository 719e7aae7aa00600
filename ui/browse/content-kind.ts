// How the view shows a response: as a page, an image, text, or a file to download. Decided from
// the headers alone, before the body is read.

/** What the view does with a response. */
export type ContentKind = 'html' | 'image' | 'text' | 'file';

const htmlTypes: readonly string[] = ['text/html', 'application/xhtml+xml'];
// Formats every browser the extension supports decodes in an <img>.
const imageTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/svg+xml', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/apng'];
const textTypes: readonly string[] = ['text/plain', 'text/css', 'text/csv', 'text/markdown', 'text/xml', 'text/javascript', 'application/json', 'application/xml', 'application/javascript', 'application/ld+json', 'application/rss+xml', 'application/atom+xml'];

/** The MIME type essence of a Content-Type header ("text/html"), lowercase; '' when absent or malformed. */
export function mimeEssence(contentType: string | null): string {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : '';
}

/** The charset parameter of a Content-Type header, lowercase, or undefined. */
export function charsetParameter(contentType: string | null): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

/** True when Content-Disposition asks for the body to be saved rather than shown. */
export function isAttachment(contentDisposition: string | null): boolean {
  return /^\s*attachment\b/i.test(contentDisposition ?? '');
}

/** How to show a response with these headers. */
export function contentKind(contentType: string | null, contentDisposition: string | null): ContentKind {
  if (isAttachment(contentDisposition)) return 'file';
  const essence = mimeEssence(contentType);
  if (htmlTypes.includes(essence)) return 'html';
  if (imageTypes.includes(essence)) return 'image';
  if (textTypes.includes(essence) || essence.endsWith('+json')) return 'text';
  return 'file';
}
