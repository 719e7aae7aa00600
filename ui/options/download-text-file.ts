// Saving a file the page made (an identity backup) through the browser's own download flow.

// The object URL must outlive the click that starts the download; a minute is plenty.
const revokeAfterMs = 60_000;

/** Starts a download of `text` as `fileName` from `doc`. */
export function downloadTextFile(doc: Document, fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs);
}
