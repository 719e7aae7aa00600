// Bodies at the exit: the client's request body, buffered up to a limit and metered as it arrives;
// the site's response body, metered and written in frame-sized slices at the pace of the client's
// reader.
import { concatBytes } from '../../protocol/bytes.ts';
import { ErrorCode } from '../../protocol/frame-types.ts';
import type { IncomingStream } from '../tunnel/tunnel.ts';
import { formatBytes } from '../util/format-bytes.ts';
import type { ExitFetchResponse } from './exit-fetch.ts';
import type { ExitMeter } from './exit-meter.ts';
import { ExitRefusal, exitResetReasons } from './exit-refusal.ts';

/** The most response bytes metered and written at once: one DATA frame's payload, so a cap is overshot by at most this. */
export const meteredSliceBytes = 64 * 1024;

// fetch's null-body statuses (Fetch standard): no body may be forwarded for them.
const nullBodyStatuses: readonly number[] = [101, 103, 204, 205, 304];

/** Whose bytes these are and where they are counted. */
export interface BodyMetering {
  client: string;
  meter?: ExitMeter;
  signal: AbortSignal;
  /** Called with each chunk's length once it has passed the meter's checks. */
  counted(bytes: number): void;
}

/** Whether `response` to a `method` request carries a body the exit forwards. */
export function forwardsBody(response: ExitFetchResponse, method: string): response is ExitFetchResponse & { readonly body: NonNullable<ExitFetchResponse['body']> } {
  return response.body !== null && method !== 'HEAD' && !nullBodyStatuses.includes(response.status);
}

/**
 * Reads the client's request body to its end, or null when it is empty.
 * @throws {ExitRefusal} BODY_TOO_LARGE past `maxBytes`; {ExitCapReached} past the donor's data cap; the stream's TunnelError when it is reset.
 */
export async function readRequestBody(stream: IncomingStream, maxBytes: number, metering: BodyMetering): Promise<Uint8Array<ArrayBuffer> | null> {
  const { client, meter, signal } = metering;
  const reader = stream.readable.getReader();
  const onAbort = (): void => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      total += value.length;
      metering.counted(value.length);
      if (total > maxBytes) {
        throw new ExitRefusal(ErrorCode.BODY_TOO_LARGE, exitResetReasons.requestBodyTooLarge,
          `The request body is larger than the ${formatBytes(maxBytes)} this donor accepts.`);
      }
      // Uploads count against the donor's caps and the client's rate like responses; a chunk is one DATA payload.
      await meter?.take(client, value.length, signal);
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return total === 0 ? null : (concatBytes(...chunks) as Uint8Array<ArrayBuffer>);
}

/**
 * Streams the site's body through `write`, which resolves when the stream's send buffer has room:
 * the site is read no faster than the client. Cancels the site's body when anything throws.
 */
export async function pipeResponseBody(reader: ReturnType<NonNullable<ExitFetchResponse['body']>['getReader']>, write: (chunk: Uint8Array) => Promise<void>, metering: BodyMetering): Promise<void> {
  const { client, meter, signal } = metering;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value === undefined || value.length === 0) continue;
      // Browsers hand over chunks of up to a megabyte; in frame-sized slices a cap is overshot by at
      // most one slice, and every credit the reader returns lets a waiting write through (so a write
      // that waits out the stall timeout means the reader stopped, not that it is slow).
      for (let offset = 0; offset < value.length; offset += meteredSliceBytes) {
        const slice = value.subarray(offset, offset + meteredSliceBytes);
        await meter?.take(client, slice.length, signal);
        await write(slice);
        metering.counted(slice.length);
      }
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}
