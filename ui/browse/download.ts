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

/** Progress of a download: bytes so far, the total when the site said, and the recent speed once measured. */
export interface DownloadProgress {
  readonly received: number;
  readonly total: number | undefined;
  /** Bytes per second over the last {@link speedWindowMs}; undefined until {@link minSpeedSpanMs} have passed. */
  readonly bytesPerSecond: number | undefined;
}

/** The speed is measured over this much recent time, so it follows changes without jumping at every chunk. */
export const speedWindowMs = 3_000;
/** No speed is given before the download has run this long: the first chunks arrive in a burst. */
export const minSpeedSpanMs = 500;

/** A speed meter over a sliding window: `add` the bytes so far at each chunk, read the rate back. */
export function makeSpeedMeter(now: () => number): { add(received: number): number | undefined } {
  const samples: Array<{ at: number; received: number }> = [];
  return {
    add(received) {
      const at = now();
      samples.push({ at, received });
      // Keep one sample older than the window, so the span covers it whole.
      while (samples.length > 2 && samples[1]!.at <= at - speedWindowMs) samples.shift(); // length > 2
      const first = samples[0]!; // just pushed one
      const span = at - first.at;
      return span < minSpeedSpanMs ? undefined : ((received - first.received) * 1000) / span;
    },
  };
}

/** Milliseconds left at the current speed, or undefined when the total or the speed is not known. */
export function timeLeftMs(progress: DownloadProgress): number | undefined {
  const { total, received, bytesPerSecond } = progress;
  if (total === undefined || bytesPerSecond === undefined || bytesPerSecond <= 0) return undefined;
  return (Math.max(0, total - received) * 1000) / bytesPerSecond;
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
  /** Millisecond clock for the speed; `performance.now` when absent. */
  readonly now?: () => number;
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
  const speed = makeSpeedMeter(options.now ?? (() => performance.now()));
  speed.add(0);
  const body = await readBody(response, { onProgress: (received) => options.onProgress?.({ received, total, bytesPerSecond: speed.add(received) }) });
  return { blob: new Blob(body.chunks, { type: mimeEssence(response.headers.get('content-type')) || 'application/octet-stream' }), name };
}

