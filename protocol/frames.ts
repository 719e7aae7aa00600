// The tunnel frame codec: a strict binary format with size limits (docs/protocol.md).
// decodeFrame returns a typed frame or throws FrameError, and nothing else, for any input.
import { bytesToUtf8, utf8ToBytes } from './bytes.ts';
import { isHttpToken, isWireHeaderValue } from './http-syntax.ts';
import {
  ErrorCode,
  FrameType,
  frameHeaderBytes,
  helloNonceBytes,
  isErrorCode,
  maxFrameBytes,
  maxHeadBytes,
  maxHeaderCount,
  maxHeaderNameBytes,
  maxHeaderValueBytes,
  maxMethodBytes,
  maxOpaquePayloadBytes,
  maxResetReasonBytes,
  maxStatusTextBytes,
  paymentAddressBytes,
  paymentSignatureBytes,
  maxResetMessageBytes,
  maxUrlBytes,
  pingPayloadBytes,
  tunnelProtocolVersion,
} from './frame-types.ts';
import { publicKeyBytes, signatureBytes } from './identity.ts';

export type HeaderList = Array<[name: string, value: string]>;
export type PeerRole = 'client' | 'donor';

export interface HelloFrame {
  type: typeof FrameType.HELLO;
  streamId: 0;
  role: PeerRole;
  publicKey: Uint8Array;
  nonce: Uint8Array;
  /** The sender's payment address, 20 raw bytes, and the two signatures binding it (payment-key.ts). */
  paymentAddress: Uint8Array;
  paymentIdentitySignature: Uint8Array;
  paymentSignature: Uint8Array;
  signature: Uint8Array;
}
export interface RequestFrame {
  type: typeof FrameType.REQUEST;
  streamId: number;
  method: string;
  url: string;
  headers: HeaderList;
}
export interface ResponseFrame {
  type: typeof FrameType.RESPONSE;
  streamId: number;
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  headers: HeaderList;
}
export interface DataFrame {
  type: typeof FrameType.DATA;
  streamId: number;
  data: Uint8Array;
}
export interface EndFrame {
  type: typeof FrameType.END;
  streamId: number;
}
export interface ResetFrame {
  type: typeof FrameType.RESET;
  streamId: number;
  code: ErrorCode;
  /** Machine-readable detail, e.g. an exit-policy code; may be empty. */
  reason: string;
  /** Human-readable explanation for the person on the other end. */
  message: string;
}
export interface WindowFrame {
  type: typeof FrameType.WINDOW;
  streamId: number;
  increment: number;
}
export interface OpaqueFrame {
  type: typeof FrameType.RECEIPT | typeof FrameType.PROBE | typeof FrameType.CHANNEL_OPEN;
  streamId: number;
  payload: Uint8Array;
}
export interface PingFrame {
  type: typeof FrameType.PING | typeof FrameType.PONG;
  streamId: 0;
  payload: Uint8Array;
}
export interface GoawayFrame {
  type: typeof FrameType.GOAWAY;
  streamId: 0;
  code: ErrorCode;
  message: string;
}
export type Frame =
  | HelloFrame
  | RequestFrame
  | ResponseFrame
  | DataFrame
  | EndFrame
  | ResetFrame
  | WindowFrame
  | OpaqueFrame
  | PingFrame
  | GoawayFrame;

/** A frame that could not be decoded or encoded; `streamId` is set when the header was readable. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly streamId?: number,
  ) {
    super(message);
  }
}

// Frames about the link itself travel on stream 0; receipts cover the whole channel.
const linkOnlyTypes = new Set<number>([FrameType.HELLO, FrameType.PING, FrameType.PONG, FrameType.GOAWAY, FrameType.RECEIPT, FrameType.CHANNEL_OPEN]);
const knownTypes = new Set<number>(Object.values(FrameType));

// ---- limits ------------------------------------------------------------------------------

/** One limit of the format: the field it bounds, the constant's name (errors name it) and its value. */
interface FieldLimit {
  readonly what: string;
  readonly name: string;
  readonly max: number;
  readonly unit?: 'headers';
}

// The one table both directions check: a decoder that skips a limit the encoder keeps lets a
// hostile peer past it (a 56 KB head once decoded while only the encoder knew maxHeadBytes).
const limits = {
  head: { what: 'head', name: 'maxHeadBytes', max: maxHeadBytes },
  method: { what: 'method', name: 'maxMethodBytes', max: maxMethodBytes },
  url: { what: 'url', name: 'maxUrlBytes', max: maxUrlBytes },
  headerCount: { what: 'header count', name: 'maxHeaderCount', max: maxHeaderCount, unit: 'headers' },
  headerName: { what: 'header name', name: 'maxHeaderNameBytes', max: maxHeaderNameBytes },
  headerValue: { what: 'header value', name: 'maxHeaderValueBytes', max: maxHeaderValueBytes },
  statusText: { what: 'status text', name: 'maxStatusTextBytes', max: maxStatusTextBytes },
  resetReason: { what: 'reset reason', name: 'maxResetReasonBytes', max: maxResetReasonBytes },
  resetMessage: { what: 'reset message', name: 'maxResetMessageBytes', max: maxResetMessageBytes },
  goawayMessage: { what: 'goaway message', name: 'maxResetMessageBytes', max: maxResetMessageBytes },
  opaquePayload: { what: 'payload', name: 'maxOpaquePayloadBytes', max: maxOpaquePayloadBytes },
} as const satisfies Record<string, FieldLimit>;

/** The words both directions use for a field past its limit. */
function overLimit(limit: FieldLimit, size: number): string {
  const unit = limit.unit ?? 'bytes';
  return `${limit.what} of ${size} ${unit} exceeds ${limit.name} (${limit.max} ${unit})`;
}

// ---- decoding ----------------------------------------------------------------------------

class Reader {
  private offset = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly view: DataView,
    private readonly streamId: number,
  ) {}
  private need(n: number): void {
    if (this.offset + n > this.buf.length) this.fail('truncated payload');
  }
  fail(message: string): never {
    throw new FrameError(ErrorCode.MALFORMED_FRAME, message, this.streamId);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  /** Refuses a field of `size` past `limit`. */
  limit(size: number, limit: FieldLimit): void {
    if (size > limit.max) this.fail(overLimit(limit, size));
  }
  string(length: number, limit: FieldLimit): string {
    this.limit(length, limit);
    try {
      return bytesToUtf8(this.bytes(length));
    } catch (error) {
      if (error instanceof FrameError) throw error;
      return this.fail(`${limit.what} is not valid UTF-8`);
    }
  }
  str8(limit: FieldLimit): string {
    return this.string(this.u8(), limit);
  }
  str16(limit: FieldLimit): string {
    return this.string(this.u16(), limit);
  }
  /** Bytes left in the payload. */
  remaining(): number {
    return this.buf.length - this.offset;
  }
  rest(): Uint8Array {
    const out = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return out;
  }
  done(): void {
    if (this.offset !== this.buf.length) this.fail('trailing bytes after payload');
  }
}


function readHeaders(r: Reader): HeaderList {
  const count = r.u16();
  r.limit(count, limits.headerCount);
  const headers: HeaderList = [];
  for (let i = 0; i < count; i++) {
    const name = r.str8(limits.headerName);
    const value = r.str16(limits.headerValue);
    if (!isHttpToken(name)) r.fail('header name is not a token');
    if (!isWireHeaderValue(value)) r.fail('header value contains forbidden characters');
    headers.push([name, value]);
  }
  return headers;
}

function readErrorCode(r: Reader): ErrorCode {
  const code = r.u16();
  if (!isErrorCode(code)) r.fail(`unknown error code ${code}`);
  return code;
}

/**
 * Decodes one data-channel message into a frame.
 * @throws {FrameError} for anything but a well-formed frame of this protocol version.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) throw new FrameError(ErrorCode.MALFORMED_FRAME, 'frame is not binary');
  if (bytes.length > maxFrameBytes) {
    throw new FrameError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${bytes.length} bytes exceeds ${maxFrameBytes}`);
  }
  if (bytes.length < frameHeaderBytes) throw new FrameError(ErrorCode.MALFORMED_FRAME, 'frame shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  const type = view.getUint8(1);
  const streamId = view.getUint32(2);
  if (version !== tunnelProtocolVersion) {
    throw new FrameError(ErrorCode.UNSUPPORTED_VERSION, `protocol version ${version} is not supported (this peer speaks ${tunnelProtocolVersion})`);
  }
  if (!knownTypes.has(type)) throw new FrameError(ErrorCode.UNKNOWN_TYPE, `unknown frame type ${type}`, streamId);
  if (linkOnlyTypes.has(type) !== (streamId === 0)) {
    throw new FrameError(ErrorCode.PROTOCOL_ERROR, `frame type ${type} on the wrong stream (${streamId})`, streamId);
  }
  const r = new Reader(bytes.subarray(frameHeaderBytes), new DataView(bytes.buffer, bytes.byteOffset + frameHeaderBytes, bytes.byteLength - frameHeaderBytes), streamId);
  const frame = decodePayload(type as FrameType, streamId, r);
  r.done();
  return frame;
}

function decodePayload(type: FrameType, streamId: number, r: Reader): Frame {
  switch (type) {
    case FrameType.HELLO: {
      const roleByte = r.u8();
      if (roleByte !== 1 && roleByte !== 2) r.fail('unknown role');
      const publicKey = r.bytes(publicKeyBytes);
      const nonce = r.bytes(helloNonceBytes);
      const paymentAddress = r.bytes(paymentAddressBytes);
      const paymentIdentitySignature = r.bytes(signatureBytes);
      const paymentSignature = r.bytes(paymentSignatureBytes);
      const signature = r.bytes(signatureBytes);
      return { type, streamId: 0, role: roleByte === 1 ? 'client' : 'donor', publicKey, nonce, paymentAddress, paymentIdentitySignature, paymentSignature, signature };
    }
    case FrameType.REQUEST: {
      r.limit(r.remaining(), limits.head);
      const method = r.str8(limits.method);
      if (!isHttpToken(method)) r.fail('method is not a token');
      const url = r.str16(limits.url);
      return { type, streamId, method, url, headers: readHeaders(r) };
    }
    case FrameType.RESPONSE: {
      r.limit(r.remaining(), limits.head);
      const status = r.u16();
      if (status < 100 || status > 599) r.fail(`status ${status} out of range`);
      const statusText = r.str8(limits.statusText);
      const url = r.str16(limits.url);
      const flags = r.u8();
      if (flags > 1) r.fail('reserved response flags set');
      return { type, streamId, status, statusText, url, redirected: flags === 1, headers: readHeaders(r) };
    }
    case FrameType.DATA: {
      const data = r.rest();
      if (data.length === 0) r.fail('empty DATA frame');
      return { type, streamId, data };
    }
    case FrameType.END:
      return { type, streamId };
    case FrameType.RESET: {
      const code = readErrorCode(r);
      const reason = r.str8(limits.resetReason);
      const message = r.str16(limits.resetMessage);
      return { type, streamId, code, reason, message };
    }
    case FrameType.WINDOW: {
      const increment = r.u32();
      if (increment === 0) r.fail('zero window increment');
      return { type, streamId, increment };
    }
    case FrameType.RECEIPT:
    case FrameType.PROBE:
    case FrameType.CHANNEL_OPEN: {
      r.limit(r.remaining(), limits.opaquePayload);
      return { type, streamId, payload: r.rest() };
    }
    case FrameType.PING:
    case FrameType.PONG: {
      const payload = r.bytes(pingPayloadBytes);
      return { type, streamId: 0, payload };
    }
    case FrameType.GOAWAY: {
      const code = readErrorCode(r);
      const message = r.str16(limits.goawayMessage);
      return { type, streamId: 0, code, message };
    }
  }
}

// ---- encoding ----------------------------------------------------------------------------

class Writer {
  private parts: Uint8Array[] = [];
  private length = 0;
  push(part: Uint8Array): void {
    this.parts.push(part);
    this.length += part.length;
  }
  u8(v: number): void {
    this.push(Uint8Array.of(v));
  }
  u16(v: number): void {
    this.push(Uint8Array.of(v >>> 8, v & 0xff));
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    this.push(b);
  }
  str(text: string, lengthBytes: 1 | 2, limit: FieldLimit): void {
    const bytes = utf8ToBytes(text);
    checkLimit(bytes.length, limit);
    if (lengthBytes === 1) this.u8(bytes.length);
    else this.u16(bytes.length);
    this.push(bytes);
  }
  headers(headers: HeaderList): void {
    checkLimit(headers.length, limits.headerCount);
    this.u16(headers.length);
    for (const [name, value] of headers) {
      if (!isHttpToken(name)) throw new TypeError(`header name ${JSON.stringify(name)} is not a token`);
      if (!isWireHeaderValue(value)) throw new TypeError(`header ${name}: value contains forbidden characters`);
      this.str(name, 1, limits.headerName);
      this.str(value, 2, limits.headerValue);
    }
  }
  finish(type: FrameType, streamId: number): Uint8Array {
    const out = new Uint8Array(frameHeaderBytes + this.length);
    out[0] = tunnelProtocolVersion;
    out[1] = type;
    new DataView(out.buffer).setUint32(2, streamId);
    let offset = frameHeaderBytes;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    if (out.length > maxFrameBytes) throw new RangeError(`frame of ${out.length} bytes exceeds ${maxFrameBytes}`);
    return out;
  }
}

/** @throws {RangeError} naming the limit when `size` is past it. */
function checkLimit(size: number, limit: FieldLimit): void {
  if (size > limit.max) throw new RangeError(overLimit(limit, size));
}

function checkFixed(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`${what}: expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * Encodes a frame for the data channel.
 * @throws {RangeError | TypeError} when a field breaks the protocol's limits.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  if (!Number.isInteger(frame.streamId) || frame.streamId < 0 || frame.streamId > 0xffff_ffff) {
    throw new RangeError('stream id: expected a u32');
  }
  if (frame.type === FrameType.DATA) return encodeData(frame.streamId, frame.data);
  const w = new Writer();
  switch (frame.type) {
    case FrameType.HELLO:
      w.u8(frame.role === 'client' ? 1 : 2);
      w.push(checkFixed(frame.publicKey, publicKeyBytes, 'public key'));
      w.push(checkFixed(frame.nonce, helloNonceBytes, 'nonce'));
      w.push(checkFixed(frame.paymentAddress, paymentAddressBytes, 'payment address'));
      w.push(checkFixed(frame.paymentIdentitySignature, signatureBytes, 'payment identity signature'));
      w.push(checkFixed(frame.paymentSignature, paymentSignatureBytes, 'payment signature'));
      w.push(checkFixed(frame.signature, signatureBytes, 'signature'));
      break;
    case FrameType.REQUEST:
      if (!isHttpToken(frame.method)) throw new TypeError('method is not a token');
      w.str(frame.method, 1, limits.method);
      w.str(frame.url, 2, limits.url);
      w.headers(frame.headers);
      break;
    case FrameType.RESPONSE:
      if (!Number.isInteger(frame.status) || frame.status < 100 || frame.status > 599) throw new RangeError('status: 100..599');
      w.u16(frame.status);
      w.str(frame.statusText, 1, limits.statusText);
      w.str(frame.url, 2, limits.url);
      w.u8(frame.redirected ? 1 : 0);
      w.headers(frame.headers);
      break;
    case FrameType.END:
      break;
    case FrameType.RESET:
      w.u16(frame.code);
      w.str(frame.reason, 1, limits.resetReason);
      w.str(truncateUtf8(frame.message, maxResetMessageBytes), 2, limits.resetMessage);
      break;
    case FrameType.WINDOW:
      if (!Number.isInteger(frame.increment) || frame.increment < 1 || frame.increment > 0xffff_ffff) {
        throw new RangeError('window increment: 1..2^32-1');
      }
      w.u32(frame.increment);
      break;
    case FrameType.RECEIPT:
    case FrameType.PROBE:
    case FrameType.CHANNEL_OPEN:
      checkLimit(frame.payload.length, limits.opaquePayload);
      w.push(frame.payload);
      break;
    case FrameType.PING:
    case FrameType.PONG:
      w.push(checkFixed(frame.payload, pingPayloadBytes, 'ping payload'));
      break;
    case FrameType.GOAWAY:
      w.u16(frame.code);
      w.str(truncateUtf8(frame.message, maxResetMessageBytes), 2, limits.goawayMessage);
      break;
  }
  if (frame.type === FrameType.REQUEST || frame.type === FrameType.RESPONSE) {
    const encoded = w.finish(frame.type, frame.streamId);
    checkLimit(encoded.length - frameHeaderBytes, limits.head);
    return encoded;
  }
  return w.finish(frame.type, frame.streamId);
}

/**
 * Encodes a DATA frame with a single copy of the payload (the hot path).
 * @throws {RangeError} when the payload is empty or does not fit in one frame.
 */
export function encodeData(streamId: number, data: Uint8Array): Uint8Array {
  return encodeDataInto(new Uint8Array(frameHeaderBytes + data.length), streamId, data);
}

/**
 * Encodes a DATA frame into `target` (at least header + payload long) and returns the view of
 * it that holds the frame: a sender that hands frames to a copying transport reuses one buffer.
 * @throws {RangeError} when the payload is empty, does not fit in one frame, or not in `target`.
 */
export function encodeDataInto(target: Uint8Array, streamId: number, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length > maxFrameBytes - frameHeaderBytes) {
    throw new RangeError(`DATA payload: 1..${maxFrameBytes - frameHeaderBytes} bytes`);
  }
  const length = frameHeaderBytes + data.length;
  if (target.length < length) throw new RangeError(`target: needs ${length} bytes`);
  target[0] = tunnelProtocolVersion;
  target[1] = FrameType.DATA;
  new DataView(target.buffer, target.byteOffset, target.byteLength).setUint32(2, streamId);
  target.set(data, frameHeaderBytes);
  return target.subarray(0, length);
}

/** Cuts a string so that its UTF-8 form fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8ToBytes(text).length <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = utf8ToBytes(ch).length;
    if (used + size > maxBytes - 3) break;
    out += ch;
    used += size;
  }
  return `${out}…`;
}

