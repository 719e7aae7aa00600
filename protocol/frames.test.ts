import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, FrameType, maxFrameBytes, tunnelProtocolVersion } from './frame-types.ts';
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
