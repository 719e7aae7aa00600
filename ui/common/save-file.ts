// Saving a file the page holds (a download through a donor, an identity backup) through the
// browser's own download flow: a temporary <a download> on an object URL.

/** The object URL must outlive the click that starts the download; a minute is plenty. */
export const savedBlobLifetimeMs = 60_000;

/** Saves `blob` as `name` from `doc`. */
export function saveBlob(doc: Document, blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = doc.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.hidden = true;
  doc.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The browser reads the blob after the click returns; give it time before letting go.
  setTimeout(() => URL.revokeObjectURL(url), savedBlobLifetimeMs);
}
