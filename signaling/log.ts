// JSON logs for the signaling server, one object per line on stdout (pino). The server takes a
// `SignalingLogger` so tests can inject a silent or capturing one.
import { pino, type DestinationStream } from 'pino';

/** Log levels, most to least severe; 'silent' logs nothing. */
export const signalingLogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of `signalingLogLevels`. */
export type SignalingLogLevel = (typeof signalingLogLevels)[number];

/** What the server needs of a logger: structured fields first, then a short message. */
export interface SignalingLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A pino logger writing JSON lines to `destination` (default stdout). */
export function createSignalingLogger(level: SignalingLogLevel, destination?: DestinationStream): SignalingLogger {
  const options = { level, base: { service: 'porchlight-signaling' } };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything. */
export const silentLogger: SignalingLogger = { debug() {}, info() {}, warn() {}, error() {} };
