// Signaling server settings: defaults, and parsing them from the environment. docs/signaling.md
// lists every variable; keep the two in step.
import { z } from 'zod';
import {
  defaultMaxSignalingMessageBytes,
  defaultSignalingAudience,
  iceServerSchema,
  maxIceServers,
  type IceServer,
} from '../protocol/signaling-messages.ts';
import {
  defaultMaxReservationsPerIp,
  defaultMaxReservationsPerPeer,
  defaultOfferTimeoutMs,
  defaultSessionReservationMs,
} from './reservations.ts';
import { signalingLogLevels, type SignalingLogLevel } from './log.ts';

/** A token bucket's burst and sustained rate. */
export interface RateLimit {
  /** Most events allowed at once after a quiet period. */
  readonly burst: number;
  /** Events allowed per second, sustained. */
  readonly perSecond: number;
}

/** Every tunable of the server. */
export interface SignalingConfig {
  /** Interface to listen on. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** String bound into login signatures; peers must use the same. */
  readonly audience: string;
  /** Largest WebSocket message accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** Outbound bytes a socket may have queued before it is dropped as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Most simultaneous WebSocket connections; beyond it new ones get HTTP 503. */
  readonly maxConnections: number;
  /** Most simultaneous connections from one IPv4 address or IPv6 /64; beyond it `too-many-connections`. */
  readonly maxConnectionsPerIp: number;
  /** Time a connection has to log in, in milliseconds. */
  readonly loginTimeoutMs: number;
  /** Interval of WebSocket ping frames, in milliseconds; a socket silent for two is dropped. */
  readonly pingIntervalMs: number;
  /** How long a `find` holds a donor's session slot once an offer followed, in milliseconds from the find. */
  readonly sessionReservationMs: number;
  /** How long a `find`'s slot waits for the finder's offer before it is released, in milliseconds. */
  readonly offerTimeoutMs: number;
  /** Most session slots one peer holds at once; a find past it releases the peer's oldest. */
  readonly maxReservationsPerPeer: number;
  /** Most session slots one IPv4 address or IPv6 /64 holds at once, over all its peers. */
  readonly maxReservationsPerIp: number;
  /** Largest difference between a listing's `issuedAt` and the server clock, in milliseconds. */
  readonly listingMaxSkewMs: number;
  /** New connections per remote IP (IPv4 address or IPv6 /64, as every per-IP limit). */
  readonly ipConnectionRate: RateLimit;
  /** Messages per remote IP, over all its connections. */
  readonly ipMessageRate: RateLimit;
  /** Messages per logged-in peer. */
  readonly peerMessageRate: RateLimit;
  /** STUN/TURN servers handed to peers in `welcome`. */
  readonly iceServers: readonly IceServer[];
  /** Log level. */
  readonly logLevel: SignalingLogLevel;
}

/** The defaults: safe on a developer machine (loopback only, no external STUN). */
export const defaultSignalingConfig: SignalingConfig = {
  host: '127.0.0.1',
  port: 8787,
  audience: defaultSignalingAudience,
  maxMessageBytes: defaultMaxSignalingMessageBytes,
  maxBufferedBytes: 1024 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerIp: 32,
  loginTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  sessionReservationMs: defaultSessionReservationMs,
  offerTimeoutMs: defaultOfferTimeoutMs,
  maxReservationsPerPeer: defaultMaxReservationsPerPeer,
  maxReservationsPerIp: defaultMaxReservationsPerIp,
  listingMaxSkewMs: 5 * 60_000,
  ipConnectionRate: { burst: 20, perSecond: 1 },
  ipMessageRate: { burst: 200, perSecond: 100 },
  peerMessageRate: { burst: 60, perSecond: 20 },
  iceServers: [],
  logLevel: 'info',
};

/** The environment could not be turned into a config; `problems` names each bad variable. */
export class SignalingConfigError extends Error {
  override readonly name = 'SignalingConfigError';
  /** Creates the error from one line per problem. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid signaling configuration:\n  ${problems.join('\n  ')}`);
  }
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.int().min(min).max(max));
const rate = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?$/, 'expected a positive number')
  .transform(Number)
  .pipe(z.number().positive().max(1_000_000));
const iceServersJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(iceServerSchema).max(maxIceServers));

const d = defaultSignalingConfig;
const prefix = 'PORCHLIGHT_SIGNALING_';
/** Environment variables read by `loadSignalingConfig`, with their parsers. */
const envSchema = z.object({
  [`${prefix}HOST`]: z.string().min(1).default(d.host),
  [`${prefix}PORT`]: integer(0, 65_535).default(d.port),
  [`${prefix}AUDIENCE`]: z.string().min(1).max(200).default(d.audience),
  [`${prefix}MAX_MESSAGE_BYTES`]: integer(1_024, 1024 * 1024).default(d.maxMessageBytes),
  [`${prefix}MAX_BUFFERED_BYTES`]: integer(16 * 1024, 256 * 1024 * 1024).default(d.maxBufferedBytes),
  [`${prefix}MAX_CONNECTIONS`]: integer(1, 1_000_000).default(d.maxConnections),
  [`${prefix}MAX_CONNECTIONS_PER_IP`]: integer(1, 1_000_000).default(d.maxConnectionsPerIp),
  [`${prefix}LOGIN_TIMEOUT_MS`]: integer(100, 600_000).default(d.loginTimeoutMs),
  [`${prefix}PING_INTERVAL_MS`]: integer(1_000, 600_000).default(d.pingIntervalMs),
  [`${prefix}SESSION_RESERVATION_MS`]: integer(1_000, 3_600_000).default(d.sessionReservationMs),
  [`${prefix}OFFER_TIMEOUT_MS`]: integer(1_000, 3_600_000).default(d.offerTimeoutMs),
  [`${prefix}MAX_RESERVATIONS_PER_PEER`]: integer(1, 10_000).default(d.maxReservationsPerPeer),
  [`${prefix}MAX_RESERVATIONS_PER_IP`]: integer(1, 1_000_000).default(d.maxReservationsPerIp),
  [`${prefix}LISTING_MAX_SKEW_MS`]: integer(1_000, 86_400_000).default(d.listingMaxSkewMs),
  [`${prefix}IP_CONNECT_BURST`]: rate.default(d.ipConnectionRate.burst),
  [`${prefix}IP_CONNECTS_PER_SECOND`]: rate.default(d.ipConnectionRate.perSecond),
  [`${prefix}IP_MESSAGE_BURST`]: rate.default(d.ipMessageRate.burst),
  [`${prefix}IP_MESSAGES_PER_SECOND`]: rate.default(d.ipMessageRate.perSecond),
  [`${prefix}PEER_MESSAGE_BURST`]: rate.default(d.peerMessageRate.burst),
  [`${prefix}PEER_MESSAGES_PER_SECOND`]: rate.default(d.peerMessageRate.perSecond),
  [`${prefix}ICE_SERVERS`]: iceServersJson.default([...d.iceServers]),
  [`${prefix}LOG_LEVEL`]: z.enum(signalingLogLevels).default(d.logLevel),
});

/**
 * Reads the config from environment variables; unset or empty ones take their defaults.
 * @throws {SignalingConfigError} naming every variable that does not parse.
 */
export function loadSignalingConfig(env: Readonly<Record<string, string | undefined>>): SignalingConfig {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith(prefix) && value) present[key] = value.trim();
  const unknown = Object.keys(present).filter((key) => !(key in envSchema.shape));
  const result = envSchema.safeParse(present);
  const problems = unknown.map((key) => `${key}: not a known setting (see docs/signaling.md)`);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  if (!result.success || problems.length > 0) throw new SignalingConfigError(problems);
  const e = result.data;
  return {
    host: e[`${prefix}HOST`],
    port: e[`${prefix}PORT`],
    audience: e[`${prefix}AUDIENCE`],
    maxMessageBytes: e[`${prefix}MAX_MESSAGE_BYTES`],
    maxBufferedBytes: e[`${prefix}MAX_BUFFERED_BYTES`],
    maxConnections: e[`${prefix}MAX_CONNECTIONS`],
    maxConnectionsPerIp: e[`${prefix}MAX_CONNECTIONS_PER_IP`],
    loginTimeoutMs: e[`${prefix}LOGIN_TIMEOUT_MS`],
    pingIntervalMs: e[`${prefix}PING_INTERVAL_MS`],
    sessionReservationMs: e[`${prefix}SESSION_RESERVATION_MS`],
    offerTimeoutMs: e[`${prefix}OFFER_TIMEOUT_MS`],
    maxReservationsPerPeer: e[`${prefix}MAX_RESERVATIONS_PER_PEER`],
    maxReservationsPerIp: e[`${prefix}MAX_RESERVATIONS_PER_IP`],
    listingMaxSkewMs: e[`${prefix}LISTING_MAX_SKEW_MS`],
    ipConnectionRate: { burst: e[`${prefix}IP_CONNECT_BURST`], perSecond: e[`${prefix}IP_CONNECTS_PER_SECOND`] },
    ipMessageRate: { burst: e[`${prefix}IP_MESSAGE_BURST`], perSecond: e[`${prefix}IP_MESSAGES_PER_SECOND`] },
    peerMessageRate: { burst: e[`${prefix}PEER_MESSAGE_BURST`], perSecond: e[`${prefix}PEER_MESSAGES_PER_SECOND`] },
    iceServers: e[`${prefix}ICE_SERVERS`],
    logLevel: e[`${prefix}LOG_LEVEL`],
  };
}
