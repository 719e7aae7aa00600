// Reading a response body through to its end, with a byte cap and progress, as chunks ready to
// become a Blob (no copy into one big buffer: a 50 MiB download stays 50 MiB in memory).

/** A body was longer than the reader allows. */
export class BodyTooLargeError extends RangeError {
  override readonly name = 'BodyTooLargeError';
  /** Creates the error for a cap of `limit` bytes. */
  constructor(readonly limit: number) {
    super(`The response is larger than ${limit} bytes.`);
  }
}

/** Options of `readBody`. */
export interface ReadBodyOptions {
  /** Stop with BodyTooLargeError past this many bytes. */
  readonly maxBytes?: number;
  /** Called after each chunk with the bytes received so far. */
  readonly onProgress?: (received: number) => void;
}

/** A body read to its end. */
export interface BodyChunks {
  readonly chunks: Uint8Array<ArrayBuffer>[];
  readonly bytes: number;
}

/**
 * Reads `response`'s body to the end (an empty list for a response without one).
 * @throws {BodyTooLargeError} past `maxBytes` (the body is cancelled); the stream's own error otherwise.
 */
export async function readBody(response: Response, options: ReadBodyOptions = {}): Promise<BodyChunks> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let bytes = 0;
  if (response.body === null) return { chunks, bytes };
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (options.maxBytes !== undefined && bytes > options.maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(options.maxBytes);
    }
    // Response bodies are backed by ArrayBuffers; the cast only narrows the generic.
    chunks.push(value as Uint8Array<ArrayBuffer>);
    options.onProgress?.(bytes);
  }
  return { chunks, bytes };
}

/** The chunks joined into one array (for text that must be decoded as a whole). */
export function joinChunks(body: BodyChunks): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(body.bytes);
  let offset = 0;
  for (const chunk of body.chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
