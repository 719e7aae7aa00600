// Tunnel protocol constants: frame types, error codes and size limits (docs/protocol.md).

/** The one version this build speaks; carried in every frame header. */
export const tunnelProtocolVersion = 1;

/** Header: version (u8), type (u8), stream id (u32 big-endian). */
export const frameHeaderBytes = 6;
/** A whole frame, header included. Chrome's SCTP limit is 256 KiB; smaller keeps streams fair. */
export const maxFrameBytes = 64 * 1024;
/** The largest DATA payload that fits in one frame. */
export const maxDataPayloadBytes = maxFrameBytes - frameHeaderBytes;
/** A REQUEST or RESPONSE payload: method or status, URL and headers together, with their framing. */
export const maxHeadBytes = 32 * 1024;
/** A REQUEST's URL, or a RESPONSE's final URL. */
export const maxUrlBytes = 8 * 1024;
/** A REQUEST's method (an RFC 9110 token). */
export const maxMethodBytes = 32;
/** Headers in one head. */
export const maxHeaderCount = 128;
/** One header name; its u8 length prefix allows no more. */
export const maxHeaderNameBytes = 255;
/** One header value. */
export const maxHeaderValueBytes = 8 * 1024;
/** A RESPONSE's status text; its u8 length prefix allows no more. */
export const maxStatusTextBytes = 255;
/** RESET's machine-readable reason (an exit-policy code, …). */
export const maxResetReasonBytes = 64;
/** RESET's and GOAWAY's message for a person; longer messages are cut when encoded. */
export const maxResetMessageBytes = 1024;
/** RECEIPT, PROBE and CHANNEL_OPEN carry opaque payloads defined by their own specs. */
export const maxOpaquePayloadBytes = 8 * 1024;
export const pingPayloadBytes = 8;
export const helloNonceBytes = 32;
/** HELLO's payment binding (payment-key.ts): address, identity signature, payment-key signature. */
export const paymentAddressBytes = 20;
export const paymentSignatureBytes = 65;
export const maxFingerprintBytes = 64;
/** Stream ids are u32; 0 is the link itself. */
export const maxStreamId = 0xffff_ffff;

export const FrameType = {
  HELLO: 1,
  REQUEST: 2,
  RESPONSE: 3,
  DATA: 4,
  END: 5,
  RESET: 6,
  WINDOW: 7,
  RECEIPT: 8,
  PING: 9,
  PONG: 10,
  PROBE: 11,
  GOAWAY: 12,
  CHANNEL_OPEN: 13,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Error codes carried by RESET (one stream) and GOAWAY (the whole link). */
export const ErrorCode = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  FRAME_SIZE_ERROR: 4,
  UNSUPPORTED_VERSION: 5,
  MALFORMED_FRAME: 6,
  UNKNOWN_TYPE: 7,
  REFUSED_STREAM: 8,
  CANCEL: 9,
  HELLO_FAILED: 10,
  TIMEOUT: 11,
  FLOOD: 12,
  POLICY_DENIED: 20,
  UPSTREAM_FAILED: 21,
  BODY_TOO_LARGE: 22,
  RATE_LIMITED: 23,
  PAYMENT_REQUIRED: 24,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const errorNames = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The symbolic name of a wire error code, or `UNKNOWN(n)`. */
export function errorCodeName(code: number): string {
  return errorNames.get(code) ?? `UNKNOWN(${code})`;
}

/** True when `code` is one this version defines. */
export function isErrorCode(code: number): code is ErrorCode {
  return errorNames.has(code);
}
