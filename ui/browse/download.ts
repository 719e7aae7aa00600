// Downloads through the donor: the body streams into a Blob (with progress, cancellable), and the
// file is saved through an <a download> click (ui/common/save-file.ts), so no downloads permission is needed.
import { mimeEssence } from './content-kind.ts';
import { downloadName, safeFileName } from './download-name.ts';
import { readBody } from './read-body.ts';
import type { FetchThrough } from './subresources.ts';

/** The site answered a download with an error status. */
export class DownloadStatusError extends Error {
  override readonly name = 'DownloadStatusError';
  /** Creates the error for HTTP `status`. */
  constructor(readonly status: number) {
    super(`The site answered the download with status ${status}.`);
  }
}

/** Progress of a download: bytes so far, and the total when the site said. */
export interface DownloadProgress {
  readonly received: number;
  readonly total: number | undefined;
}

/** A finished download. */
export interface DownloadedFile {
  readonly blob: Blob;
  readonly name: string;
}

/** Options of `downloadThrough`. */
export interface DownloadOptions {
  readonly signal: AbortSignal;
  readonly onStart?: (name: string, total: number | undefined) => void;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** The file name when neither the headers nor the address give one. */
  readonly fallbackName: string;
  /** The name the page's link suggested ('' or absent for none); the site's Content-Disposition wins. */
  readonly suggestedName?: string;
}

/**
 * Fetches `url` through the donor into a Blob.
 * @throws {DownloadStatusError} for a status other than 2xx; the fetch's and the stream's errors
 *   (an AbortError when cancelled).
 */
export async function downloadThrough(fetch: FetchThrough, url: string, options: DownloadOptions): Promise<DownloadedFile> {
  const response = await fetch(url, { signal: options.signal });
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new DownloadStatusError(response.status);
  }
  const disposition = response.headers.get('content-disposition');
  const suggested = disposition === null && options.suggestedName ? safeFileName(options.suggestedName) : '';
  const name = suggested || downloadName(disposition, response.url || url, options.fallbackName);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isSafeInteger(length) && length > 0 ? length : undefined;
  options.onStart?.(name, total);
  const body = await readBody(response, { onProgress: (received) => options.onProgress?.({ received, total }) });
  return { blob: new Blob(body.chunks, { type: mimeEssence(response.headers.get('content-type')) || 'application/octet-stream' }), name };
}

