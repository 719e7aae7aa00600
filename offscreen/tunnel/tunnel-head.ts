// Fits REQUEST and RESPONSE heads into the tunnel's frame limits before they reach the encoder,
// which throws on anything oversized (protocol/frames.ts). The exit trims a site's response head
// (a site may send more headers than a frame holds); the client refuses an unsendable request.
import { utf8ToBytes } from '../../protocol/bytes.ts';
import { isHttpToken, isWireHeaderValue } from '../../protocol/http-syntax.ts';
import { maxHeadBytes, maxHeaderCount, maxHeaderNameBytes, maxHeaderValueBytes, maxMethodBytes, maxStatusTextBytes, maxUrlBytes } from '../../protocol/frame-types.ts';
import type { HeaderList } from '../../protocol/frames.ts';
import { truncateUtf8 } from '../../protocol/frames.ts';
import type { RequestHead } from './tunnel.ts';
import type { ResponseHead } from './tunnel-stream.ts';

// Per-field framing: a u8 name length and a u16 value length.
const headerFramingBytes = 3;
// RESPONSE: u16 status, u8 status text length, u16 url length, u8 redirected, u16 header count.
const responseFixedBytes = 8;
// REQUEST: u8 method length, u16 url length, u16 header count.
const requestFixedBytes = 5;

const byteLength = (text: string): number => utf8ToBytes(text).length;

function headerBytes(name: string, value: string): number {
  return headerFramingBytes + byteLength(name) + byteLength(value);
}

function isEncodableHeader(name: string, value: string): boolean {
  return (
    isHttpToken(name) &&
    isWireHeaderValue(value) &&
    byteLength(name) <= maxHeaderNameBytes &&
    byteLength(value) <= maxHeaderValueBytes
  );
}

/**
 * A response head the codec will accept: status text cut to its limit, headers that cannot be
 * encoded dropped, and headers beyond the count or byte budget dropped in order.
 * @throws {RangeError} when the URL alone is longer than a frame may carry.
 */
export function fitResponseHead(head: ResponseHead): ResponseHead {
  const statusText = truncateUtf8(head.statusText, maxStatusTextBytes);
  const urlBytes = byteLength(head.url);
  if (urlBytes > maxUrlBytes) throw new RangeError(`The final address is ${urlBytes} bytes long; a tunnel carries at most ${maxUrlBytes}.`);
  let budget = maxHeadBytes - responseFixedBytes - byteLength(statusText) - urlBytes;
  const headers: HeaderList = [];
  for (const [name, value] of head.headers) {
    if (headers.length >= maxHeaderCount) break;
    if (!isEncodableHeader(name, value)) continue;
    const size = headerBytes(name, value);
    if (size > budget) continue;
    budget -= size;
    headers.push([name, value]);
  }
  return { ...head, statusText, headers };
}

/** Why a request head cannot be sent through a tunnel, in words for a person, or null when it can. */
export function requestHeadProblem(head: RequestHead): string | null {
  if (!isHttpToken(head.method) || byteLength(head.method) > maxMethodBytes) {
    return `The method "${truncateUtf8(head.method, maxMethodBytes)}" cannot be sent through a donor.`;
  }
  const urlBytes = byteLength(head.url);
  if (urlBytes > maxUrlBytes) return `The address is ${urlBytes} bytes long; a donor accepts at most ${maxUrlBytes}.`;
  if (head.headers.length > maxHeaderCount) return `The request has ${head.headers.length} headers; a donor accepts at most ${maxHeaderCount}.`;
  let total = requestFixedBytes + byteLength(head.method) + urlBytes;
  for (const [name, value] of head.headers) {
    if (!isEncodableHeader(name, value)) return `The header "${truncateUtf8(name, 64)}" cannot be sent through a donor.`;
    total += headerBytes(name, value);
  }
  if (total > maxHeadBytes) return `The request's address and headers take ${total} bytes; a donor accepts at most ${maxHeadBytes}.`;
  return null;
}
