import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  FrameType,
  maxFrameBytes,
  maxHeadBytes,
  maxHeaderCount,
  maxHeaderValueBytes,
  maxMethodBytes,
  maxOpaquePayloadBytes,
  maxResetMessageBytes,
  maxResetReasonBytes,
  maxUrlBytes,
  tunnelProtocolVersion,
} from './frame-types.ts';
import { FrameError, decodeFrame, encodeData, encodeDataInto, encodeFrame, type Frame } from './frames.ts';

const roundTrips: Frame[] = [
  {
    type: FrameType.HELLO,
    streamId: 0,
    role: 'donor',
    publicKey: new Uint8Array(32).fill(7),
    nonce: new Uint8Array(32).fill(9),
    paymentAddress: new Uint8Array(20).fill(5),
    paymentIdentitySignature: new Uint8Array(64).fill(6),
    paymentSignature: new Uint8Array(65).fill(8),
    signature: new Uint8Array(64).fill(1),
  },
  { type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'https://example.com/ä?q=1', headers: [['accept', 'text/html'], ['x-empty', '']] },
  { type: FrameType.RESPONSE, streamId: 1, status: 404, statusText: 'Not Found', url: 'https://example.com/', redirected: true, headers: [] },
  { type: FrameType.DATA, streamId: 3, data: new Uint8Array([1, 2, 3]) },
  { type: FrameType.END, streamId: 5 },
  { type: FrameType.RESET, streamId: 7, code: ErrorCode.POLICY_DENIED, reason: 'address-not-public', message: 'Private address' },
  { type: FrameType.WINDOW, streamId: 9, increment: 0xffff_ffff },
  { type: FrameType.RECEIPT, streamId: 0, payload: new Uint8Array([4, 5]) },
  { type: FrameType.CHANNEL_OPEN, streamId: 0, payload: new Uint8Array([6]) },
  { type: FrameType.PING, streamId: 0, payload: new Uint8Array(8).fill(3) },
  { type: FrameType.PONG, streamId: 0, payload: new Uint8Array(8).fill(4) },
  { type: FrameType.PROBE, streamId: 2, payload: new Uint8Array(0) },
  { type: FrameType.GOAWAY, streamId: 0, code: ErrorCode.TIMEOUT, message: 'bye' },
];

function header(type: number, streamId: number, version = tunnelProtocolVersion): number[] {
  return [version, type, streamId >>> 24, (streamId >>> 16) & 0xff, (streamId >>> 8) & 0xff, streamId & 0xff];
}

const malformed: Array<[string, Uint8Array, ErrorCode]> = [
  ['empty', new Uint8Array(0), ErrorCode.MALFORMED_FRAME],
  ['short header', Uint8Array.of(1, 4, 0), ErrorCode.MALFORMED_FRAME],
  ['oversized', new Uint8Array(maxFrameBytes + 1), ErrorCode.FRAME_SIZE_ERROR],
  ['future version', Uint8Array.from([...header(FrameType.END, 1, 2)]), ErrorCode.UNSUPPORTED_VERSION],
  ['unknown type', Uint8Array.from(header(99, 1)), ErrorCode.UNKNOWN_TYPE],
  ['DATA on stream 0', Uint8Array.from([...header(FrameType.DATA, 0), 1]), ErrorCode.PROTOCOL_ERROR],
  ['PING on a stream', Uint8Array.from([...header(FrameType.PING, 1), 0, 0, 0, 0, 0, 0, 0, 0]), ErrorCode.PROTOCOL_ERROR],
  ['empty DATA', Uint8Array.from(header(FrameType.DATA, 1)), ErrorCode.MALFORMED_FRAME],
  ['END with payload', Uint8Array.from([...header(FrameType.END, 1), 0]), ErrorCode.MALFORMED_FRAME],
  ['zero WINDOW', Uint8Array.from([...header(FrameType.WINDOW, 1), 0, 0, 0, 0]), ErrorCode.MALFORMED_FRAME],
  ['short WINDOW', Uint8Array.from([...header(FrameType.WINDOW, 1), 0, 1]), ErrorCode.MALFORMED_FRAME],
  ['RESET unknown code', Uint8Array.from([...header(FrameType.RESET, 1), 0xff, 0xff, 0, 0, 0]), ErrorCode.MALFORMED_FRAME],
  ['REQUEST bad method', Uint8Array.from([...header(FrameType.REQUEST, 1), 3, 0x47, 0x20, 0x54, 0, 0, 0, 0]), ErrorCode.MALFORMED_FRAME],
  ['REQUEST length past end', Uint8Array.from([...header(FrameType.REQUEST, 1), 200, 0x47]), ErrorCode.MALFORMED_FRAME],
  ['REQUEST invalid UTF-8 url', Uint8Array.from([...header(FrameType.REQUEST, 1), 3, 71, 69, 84, 0, 2, 0xc3, 0x28, 0, 0]), ErrorCode.MALFORMED_FRAME],
  ['RESPONSE status 42', Uint8Array.from([...header(FrameType.RESPONSE, 1), 0, 42, 0, 0, 0, 0, 0, 0]), ErrorCode.MALFORMED_FRAME],
  ['HELLO unknown role', Uint8Array.from([...header(FrameType.HELLO, 0), 3, ...new Array(32 + 32 + 1 + 64).fill(0)]), ErrorCode.MALFORMED_FRAME],
];

// ---- raw payloads, built by hand: the encoder refuses to write what these tests send ----------

const u16 = (n: number): number[] => [n >>> 8, n & 0xff];
const ascii = (n: number, ch = 'a'): number[] => new Array<number>(n).fill(ch.charCodeAt(0));
const str8 = (bytes: number[]): number[] => [bytes.length, ...bytes];
const str16 = (bytes: number[]): number[] => [...u16(bytes.length), ...bytes];
const headerBlock = (headers: Array<[name: number[], value: number[]]>, count = headers.length): number[] => [
  ...u16(count),
  ...headers.flatMap(([name, value]) => [...str8(name), ...str16(value)]),
];

interface RawHead {
  method?: number[];
  url?: number[];
  headers?: Array<[number[], number[]]>;
  headerCount?: number;
}
function rawRequest({ method = ascii(3, 'G'), url = ascii(10), headers = [], headerCount }: RawHead = {}): Uint8Array {
  return Uint8Array.from([...header(FrameType.REQUEST, 1), ...str8(method), ...str16(url), ...headerBlock(headers, headerCount)]);
}
function rawResponse({ url = ascii(10), headers = [], headerCount }: RawHead = {}): Uint8Array {
  return Uint8Array.from([...header(FrameType.RESPONSE, 1), ...u16(200), ...str8(ascii(2, 'O')), ...str16(url), 0, ...headerBlock(headers, headerCount)]);
}
const rawReset = (reason: number, message: number): Uint8Array => Uint8Array.from([...header(FrameType.RESET, 1), ...u16(ErrorCode.CANCEL), ...str8(ascii(reason)), ...str16(ascii(message))]);
const rawGoaway = (message: number): Uint8Array => Uint8Array.from([...header(FrameType.GOAWAY, 0), ...u16(ErrorCode.NO_ERROR), ...str16(ascii(message))]);
const rawOpaque = (type: number, streamId: number, length: number): Uint8Array => Uint8Array.from([...header(type, streamId), ...new Array<number>(length).fill(7)]);
/** `n` headers whose values are `valueBytes` long: a head of about n × valueBytes. */
const bigHeaders = (n: number, valueBytes: number): Array<[number[], number[]]> => Array.from({ length: n }, (_, i) => [ascii(2, String.fromCharCode(97 + i)), ascii(valueBytes, 'v')]);
// A head of exactly maxHeadBytes: REQUEST fixed part (1 + 3 method, 2 + 10 url, 2 count) plus headers.
const requestFixedBytes = 1 + 3 + 2 + 10 + 2;
const headAtLimit = (): Array<[number[], number[]]> => {
  const perHeader = 3 + 2; // u8 + u16 prefixes, 2-byte name
  const valueBytes = 8000;
  const full = Math.floor((maxHeadBytes - requestFixedBytes) / (perHeader + valueBytes));
  const rest = maxHeadBytes - requestFixedBytes - full * (perHeader + valueBytes) - perHeader;
  return [...bigHeaders(full, valueBytes), [ascii(2, 'z'), ascii(rest, 'w')]];
};

// Every field the encoder limits, one byte past its limit. Status text and header names are
// bounded by their u8 length prefix (255 bytes), so no encoding of them can be oversized.
const oversized: Array<[field: string, bytes: Uint8Array, limit: string]> = [
  ['a REQUEST head of 56 KB', rawRequest({ headers: bigHeaders(7, 8000) }), 'maxHeadBytes'],
  ['a REQUEST head one byte past the limit', rawRequest({ headers: [...headAtLimit().slice(0, -1), [ascii(2, 'z'), ascii(headAtLimit().at(-1)![1].length + 1, 'w')]] }), 'maxHeadBytes'],
  ['a RESPONSE head of 56 KB', rawResponse({ headers: bigHeaders(7, 8000) }), 'maxHeadBytes'],
  ['a REQUEST url', rawRequest({ url: ascii(maxUrlBytes + 1) }), 'maxUrlBytes'],
  ['a RESPONSE url', rawResponse({ url: ascii(maxUrlBytes + 1) }), 'maxUrlBytes'],
  ['a method', rawRequest({ method: ascii(maxMethodBytes + 1, 'G') }), 'maxMethodBytes'],
  ['a REQUEST header count', rawRequest({ headers: Array.from({ length: maxHeaderCount + 1 }, () => [ascii(1, 'x'), []]) }), 'maxHeaderCount'],
  ['a RESPONSE header count', rawResponse({ headers: Array.from({ length: maxHeaderCount + 1 }, () => [ascii(1, 'x'), []]) }), 'maxHeaderCount'],
  ['a header count larger than the headers sent', rawRequest({ headerCount: 0xffff }), 'maxHeaderCount'],
  ['a header value', rawRequest({ headers: [[ascii(1, 'x'), ascii(maxHeaderValueBytes + 1)]] }), 'maxHeaderValueBytes'],
  ['a RESET reason', rawReset(maxResetReasonBytes + 1, 0), 'maxResetReasonBytes'],
  ['a RESET message', rawReset(0, maxResetMessageBytes + 1), 'maxResetMessageBytes'],
  ['a GOAWAY message', rawGoaway(maxResetMessageBytes + 1), 'maxResetMessageBytes'],
  ['a RECEIPT payload', rawOpaque(FrameType.RECEIPT, 0, maxOpaquePayloadBytes + 1), 'maxOpaquePayloadBytes'],
  ['a CHANNEL_OPEN payload', rawOpaque(FrameType.CHANNEL_OPEN, 0, maxOpaquePayloadBytes + 1), 'maxOpaquePayloadBytes'],
  ['a PROBE payload', rawOpaque(FrameType.PROBE, 1, maxOpaquePayloadBytes + 1), 'maxOpaquePayloadBytes'],
];

// The same fields exactly at their limits: the decoder refuses nothing the encoder may write.
const atLimit: Array<[field: string, bytes: Uint8Array]> = [
  ['a REQUEST head', rawRequest({ headers: headAtLimit() })],
  ['a url', rawRequest({ url: ascii(maxUrlBytes) })],
  ['a method', rawRequest({ method: ascii(maxMethodBytes, 'G') })],
  ['a header count', rawRequest({ headers: Array.from({ length: maxHeaderCount }, () => [ascii(1, 'x'), []]) })],
  ['a header value', rawRequest({ headers: [[ascii(1, 'x'), ascii(maxHeaderValueBytes)]] })],
  ['a RESET reason and message', rawReset(maxResetReasonBytes, maxResetMessageBytes)],
  ['a GOAWAY message', rawGoaway(maxResetMessageBytes)],
  ['a RECEIPT payload', rawOpaque(FrameType.RECEIPT, 0, maxOpaquePayloadBytes)],
];

describe('tunnel frames: every limit is enforced on decode', () => {
  it('builds a 56 KB head that still fits one frame, so only the head limit can refuse it', () => {
    const bytes = oversized[0]![1];
    expect(bytes.length).toBeGreaterThan(56_000);
    expect(bytes.length).toBeLessThanOrEqual(maxFrameBytes);
    expect(headAtLimit().reduce((sum, [name, value]) => sum + 3 + name.length + value.length, requestFixedBytes)).toBe(maxHeadBytes);
  });

  it.each(oversized)('refuses %s past its limit with a FrameError naming the limit', (_field, bytes, limit) => {
    let caught: unknown;
    try {
      decodeFrame(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FrameError);
    const error = caught as FrameError;
    expect(error.code).toBe(ErrorCode.MALFORMED_FRAME);
    expect(error.message).toContain(limit);
    // The header was readable: the tunnel can reset just that stream.
    expect(error.streamId).toBe(new DataView(bytes.buffer).getUint32(2));
  });

  it.each(atLimit)('decodes %s exactly at its limit, and re-encodes it to the same bytes', (_field, bytes) => {
    expect(encodeFrame(decodeFrame(bytes))).toEqual(bytes);
  });

  it('refuses to encode each oversized field, naming the same limit', () => {
    const long = (n: number) => 'a'.repeat(n);
    const cases: Array<[() => unknown, string]> = [
      [() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'x', headers: Array.from({ length: 5 }, (_, i) => [`h${i}`, long(8000)]) }), 'maxHeadBytes'],
      [() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: long(maxUrlBytes + 1), headers: [] }), 'maxUrlBytes'],
      [() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'G'.repeat(maxMethodBytes + 1), url: 'x', headers: [] }), 'maxMethodBytes'],
      [() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'x', headers: Array.from({ length: maxHeaderCount + 1 }, () => ['x', '']) }), 'maxHeaderCount'],
      [() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'x', headers: [['x', long(maxHeaderValueBytes + 1)]] }), 'maxHeaderValueBytes'],
      [() => encodeFrame({ type: FrameType.RESET, streamId: 1, code: ErrorCode.CANCEL, reason: long(maxResetReasonBytes + 1), message: '' }), 'maxResetReasonBytes'],
      [() => encodeFrame({ type: FrameType.RECEIPT, streamId: 0, payload: new Uint8Array(maxOpaquePayloadBytes + 1) }), 'maxOpaquePayloadBytes'],
    ];
    for (const [encode, limit] of cases) expect(encode).toThrow(limit);
  });
});

describe('tunnel frames', () => {
  const typeName = (type: number) => Object.entries(FrameType).find(([, v]) => v === type)?.[0] ?? String(type);
  it.each(roundTrips.map((f) => [typeName(f.type), f] as const))(
    'round-trips a %s frame',
    (_name, frame) => {
      expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    },
  );

  it.each(malformed)('refuses %s with a typed error', (_name, bytes, code) => {
    let caught: unknown;
    try {
      decodeFrame(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FrameError);
    expect((caught as FrameError).code).toBe(code);
  });

  it('refuses to encode what it would refuse to decode', () => {
    expect(() => encodeData(1, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeData(1, new Uint8Array(maxFrameBytes))).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'x', headers: [['bad name', 'v']] })).toThrow(TypeError);
    expect(() => encodeFrame({ type: FrameType.REQUEST, streamId: 1, method: 'GET', url: 'x', headers: [['x', 'a\r\nb']] })).toThrow(TypeError);
    expect(() => encodeFrame({ type: FrameType.WINDOW, streamId: 1, increment: 0 })).toThrow(RangeError);
  });

  it('encodes DATA into a reused buffer exactly as into a fresh one', () => {
    const scratch = new Uint8Array(maxFrameBytes);
    const first = encodeDataInto(scratch, 3, Uint8Array.of(1, 2, 3));
    expect(first).toEqual(encodeData(3, Uint8Array.of(1, 2, 3)));
    expect(decodeFrame(encodeDataInto(scratch, 5, Uint8Array.of(9)))).toEqual({ type: FrameType.DATA, streamId: 5, data: Uint8Array.of(9) });
    expect(() => encodeDataInto(new Uint8Array(8), 1, new Uint8Array(3))).toThrow(RangeError);
  });

  it('truncates long reset messages instead of failing', () => {
    const frame = encodeFrame({ type: FrameType.RESET, streamId: 1, code: ErrorCode.CANCEL, reason: '', message: 'é'.repeat(5000) });
    const decoded = decodeFrame(frame);
    expect(decoded.type === FrameType.RESET && decoded.message.endsWith('…')).toBe(true);
  });

  it('decodes every byte string to a frame or a FrameError, never another throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          decodeFrame(bytes);
        } catch (error) {
          if (!(error instanceof FrameError)) throw error;
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes byte strings with a valid header to a frame or a FrameError', () => {
    const frameLike = fc
      .tuple(fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 1, 2, 0xffff_ffff), fc.uint8Array({ maxLength: 300 }))
      .map(([type, id, payload]) => Uint8Array.from([...header(type, id), ...payload]));
    fc.assert(
      fc.property(frameLike, (bytes) => {
        try {
          const frame = decodeFrame(bytes);
          // Whatever decodes re-encodes to the same bytes: the format has one spelling per frame.
          expect(encodeFrame(frame)).toEqual(bytes);
        } catch (error) {
          if (!(error instanceof FrameError)) throw error;
        }
      }),
      { numRuns: 5000 },
    );
  });
});
