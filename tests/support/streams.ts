// Reading WHATWG streams in tests: whole bodies, the rest of a body, and how a body fails.
import { concatBytes } from '../../protocol/bytes.ts';

/** Bytes a stream yields, concatenated. */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readable) chunks.push(chunk);
  return concatBytes(...chunks);
}

/** Whatever a reader still yields, as UTF-8 text. */
export async function readRestAsText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (let next = await reader.read(); !next.done; next = await reader.read()) text += decoder.decode(next.value, { stream: true });
  return text + decoder.decode();
}

/** Reads to the end and returns the error the body failed with, or undefined if it ended cleanly. */
export async function readUntilError(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<unknown> {
  try {
    for (;;) if ((await reader.read()).done) return undefined;
  } catch (error) {
    return error;
  }
}
