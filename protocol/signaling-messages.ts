// Every message on the signaling WebSocket, as zod schemas, plus the two parsers the server and
// the peers use. Version 1; the server states the version in its first message (`challenge`)
// and a peer refuses any other. docs/signaling.md is the table of these messages.
import { z } from 'zod';
import { concatBytes, hexToBytes, utf8ToBytes, bytesToHex } from './bytes.ts';
import { signTagged, signatureBytes, signatureTags, verifyTagged, type Identity } from './identity.ts';
import { describeSchemaError } from './schema-error.ts';
import { envelopeSchema } from './signed-envelope.ts';
import { sponsorCodePattern, sponsorCodeRule } from './sponsor-code.ts';

/** Protocol version the server announces in `challenge.v`. */
export const signalingProtocolVersion = 1;
/** Default audience string bound into login signatures (so an answer for one server is useless at another). */
export const defaultSignalingAudience = 'porchlight-signaling';
/** Random bytes in a login challenge (sent as 32 hex characters). */
export const challengeNonceBytes = 16;
/** Default cap on one WebSocket message, in bytes of UTF-8. */
export const defaultMaxSignalingMessageBytes = 64 * 1024;
/** Cap on a signal's `data` once serialized to JSON, in bytes of UTF-8. */
export const maxSignalDataBytes = 16 * 1024;
/** Most peer ids a `find` may exclude. */
export const maxFindExclude = 32;
/** Most entries in a `countries` answer (there are fewer ISO 3166-1 codes; this bounds a hostile reply). */
export const maxCountryEntries = 300;
/** Most donors one `donors` answer lists (each beyond the first costs the asker one more message of its rate limit). */
export const maxDonorPageEntries = 32;
/** Most ICE servers a `welcome` may carry. */
export const maxIceServers = 16;
/** Country code for "unknown" (loopback, private, or not in the GeoIP database). */
export const unknownCountry = 'ZZ';
/** Largest `tierMbps` a donor may declare. */
export const maxTierMbps = 10_000;
/** Largest `maxSessions` a donor may declare. */
export const maxListingSessions = 256;
/** Longest human-readable error text on the wire, in characters. */
export const maxErrorMessageChars = 500;

/** Error codes a server sends in `error.code`; each has a user-facing text in `signalingErrorMessages`. */
export const signalingErrorCodes = [
  'bad-message',
  'too-large',
  'unsupported-version',
  'not-logged-in',
  'login-failed',
  'login-timeout',
  'rate-limited',
  'no-donor',
  'peer-unavailable',
  'bad-listing',
  'bad-signal',
  'overloaded',
  'too-many-connections',
  'replaced',
  'internal',
] as const;
/** One of `signalingErrorCodes`. */
export type SignalingErrorCode = (typeof signalingErrorCodes)[number];

/** What each error code means for the person using the extension, and what to do. */
export const signalingErrorMessages: Readonly<Record<SignalingErrorCode, string>> = {
  'bad-message': 'The signaling server could not understand a message. Update the extension; if it keeps happening, report it.',
  'too-large': 'A message was larger than the signaling server accepts, so the connection was closed.',
  'unsupported-version': 'The signaling server speaks a different protocol version. Update the extension.',
  'not-logged-in': 'The connection has not logged in yet; log in before sending anything else.',
  'login-failed': "The signaling server could not verify this browser's identity key. Reload the extension and try again.",
  'login-timeout': 'Logging in to the signaling server took too long. Check your connection and try again.',
  'rate-limited': 'Too many messages in a short time; some were dropped. Wait a few seconds and try again.',
  'no-donor': 'No donor matching your request is available right now. Try another country or retry in a minute.',
  'peer-unavailable': 'That peer is no longer connected to the signaling server. Pick another donor.',
  'bad-listing': "The donor listing was refused: its signature, owner or timestamp is wrong. Check this computer's clock.",
  'bad-signal': 'A connection-setup message was refused because its sender or recipient did not match.',
  overloaded: 'The signaling server is at capacity. Try again in a minute.',
  'too-many-connections':
    'Too many connections to the signaling server come from your network (your IP address). Close Porchlight on other devices or browsers on this network, or try again in a minute.',
  replaced: 'This identity logged in again from another connection, so this one was closed.',
  internal: 'The signaling server hit an internal error. Try again.',
};

const lowerHex = (chars: number) => new RegExp(`^[0-9a-f]{${chars}}$`);

/** A peer id: an ed25519 public key in 64 lowercase hex characters. */
export const peerIdSchema = z.string().regex(lowerHex(64), 'expected a peer id (64 lowercase hex characters)');
/** An ISO 3166-1 alpha-2 country code, or 'ZZ' for unknown. */
export const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'expected a two-letter uppercase country code');
/** A client-chosen request id, echoed in the answer. */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_-]');
/** A decimal amount of credits, e.g. "0.0025" (no exponent, no sign, at most 18 decimals). */
export const decimalAmountSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?$/, 'expected a non-negative decimal string such as "0.0025"');
const timestampMsSchema = z.int().min(0);
const signatureHexSchema = z.string().regex(lowerHex(signatureBytes * 2), 'expected a 128-character hex signature');

/** An RTCIceServer as handed to `RTCPeerConnection` (STUN/TURN urls and optional TURN credentials). */
export const iceServerSchema = z.strictObject({
  urls: z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(8)]),
  username: z.string().max(512).optional(),
  credential: z.string().max(512).optional(),
});
/** An RTCIceServer-like entry. */
export type IceServer = z.infer<typeof iceServerSchema>;

/**
 * A partner's sponsor (compartment) code: donors who joined through a partner carry it in their
 * listing, and that partner's users ask for donors with it.
 */
export const sponsorCodeSchema = z.string().regex(sponsorCodePattern, sponsorCodeRule);

/** The body of a donor listing envelope (signed by the donor with `signatureTags.listing`). */
export const listingBodySchema = z.strictObject({
  peerId: peerIdSchema,
  /** The partner this donor shares for, if any. */
  sponsor: sponsorCodeSchema.optional(),
  tierMbps: z.number().min(1).max(maxTierMbps),
  maxSessions: z.int().min(1).max(maxListingSessions),
  pricePerMiB: decimalAmountSchema,
  policyDigest: z.string().regex(lowerHex(64), 'expected a 64-character hex digest'),
  issuedAt: timestampMsSchema,
});
/** A donor listing as signed by the donor. */
export type ListingBody = z.infer<typeof listingBodySchema>;

/** Kinds of relayed signal. */
export const signalKinds = ['offer', 'answer', 'candidate', 'bye', 'uptime-challenge', 'uptime-response'] as const;
/** One of `signalKinds`. */
export type SignalKind = (typeof signalKinds)[number];

function jsonByteLength(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? utf8ToBytes(text).length : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The body of a signal envelope (signed by the sender with `signatureTags.signal`). */
export const signalBodySchema = z.strictObject({
  from: peerIdSchema,
  to: peerIdSchema,
  session: z.string().regex(/^[0-9a-f]{16,64}$/, 'expected 16-64 lowercase hex characters'),
  kind: z.enum(signalKinds),
  data: z.unknown().refine((data) => jsonByteLength(data) <= maxSignalDataBytes, {
    message: `expected JSON data of at most ${maxSignalDataBytes} bytes`,
  }),
  nonce: z.string().regex(lowerHex(64), 'expected 64 lowercase hex characters').optional(),
  ts: timestampMsSchema,
});
/** A signal as signed by its sender. */
export type SignalBody = z.infer<typeof signalBodySchema>;

// Peer -> server.
const loginSchema = z.strictObject({ type: z.literal('login'), peerId: peerIdSchema, sig: signatureHexSchema });
const announceSchema = z.strictObject({
  type: z.literal('announce'),
  listing: envelopeSchema,
  requestId: requestIdSchema.optional(),
});
const withdrawSchema = z.strictObject({ type: z.literal('withdraw') });
const findSchema = z.strictObject({
  type: z.literal('find'),
  requestId: requestIdSchema,
  country: countrySchema.optional(),
  exclude: z.array(peerIdSchema).max(maxFindExclude).optional(),
  /** Only this donor (still subject to `country` and `exclude`). */
  donor: peerIdSchema.optional(),
  /** Only donors sharing for this partner. */
  sponsor: sponsorCodeSchema.optional(),
});
const countriesRequestSchema = z.strictObject({ type: z.literal('countries'), requestId: requestIdSchema });
/** A page of the donor directory, in peer id order, starting after `after` (for oracles that challenge every donor). */
const donorsRequestSchema = z.strictObject({ type: z.literal('donors'), requestId: requestIdSchema, after: peerIdSchema.optional() });
const clientSignalSchema = z.strictObject({ type: z.literal('signal'), to: peerIdSchema, envelope: envelopeSchema });
const pingSchema = z.strictObject({ type: z.literal('ping'), id: requestIdSchema.optional() });

/** Any message a peer may send to the server. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  loginSchema,
  announceSchema,
  withdrawSchema,
  findSchema,
  countriesRequestSchema,
  donorsRequestSchema,
  clientSignalSchema,
  pingSchema,
]);
/** A message from a peer to the server. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;
/** The `type` values of peer-to-server messages. */
export const clientMessageTypes = ['login', 'announce', 'withdraw', 'find', 'countries', 'donors', 'signal', 'ping'] as const;

// Server -> peer.
const challengeSchema = z.strictObject({
  type: z.literal('challenge'),
  v: z.literal(signalingProtocolVersion),
  nonce: z.string().regex(lowerHex(challengeNonceBytes * 2), `expected ${challengeNonceBytes * 2} hex characters`),
});
const welcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  peerId: peerIdSchema,
  country: countrySchema,
  iceServers: z.array(iceServerSchema).max(maxIceServers),
});
const announcedSchema = z.strictObject({ type: z.literal('announced'), requestId: requestIdSchema.optional() });
const foundSchema = z.strictObject({
  type: z.literal('found'),
  requestId: requestIdSchema,
  donor: z.strictObject({ listing: envelopeSchema, country: countrySchema }),
});
/** How many donors with a free session slot one country has. */
export const countryDonorsSchema = z.strictObject({ country: countrySchema, donors: z.int().min(1) });
/** One entry of a `countries` answer. */
export type CountryDonors = z.infer<typeof countryDonorsSchema>;
const countriesSchema = z.strictObject({
  type: z.literal('countries'),
  requestId: requestIdSchema,
  countries: z
    .array(countryDonorsSchema)
    .max(maxCountryEntries)
    // Strictly ascending codes: sorted as the protocol promises, and no country twice (i - 1 exists once i > 0).
    .refine((entries) => entries.every((entry, i) => i === 0 || entries[i - 1]!.country < entry.country), {
      message: 'expected countries sorted by code, each once',
    }),
});
const donorsSchema = z.strictObject({
  type: z.literal('donors'),
  requestId: requestIdSchema,
  donors: z.array(z.strictObject({ listing: envelopeSchema, country: countrySchema })).max(maxDonorPageEntries),
  /** Present when more donors follow: ask again with `after` set to it. */
  next: peerIdSchema.optional(),
});
const serverSignalSchema = z.strictObject({
  type: z.literal('signal'),
  from: peerIdSchema,
  /** Country the server observed for the sender ('ZZ' unknown); the server's word, not signed. */
  fromCountry: countrySchema,
  envelope: envelopeSchema,
});
const pongSchema = z.strictObject({ type: z.literal('pong'), id: requestIdSchema.optional() });
const errorSchema = z.strictObject({
  type: z.literal('error'),
  code: z.enum(signalingErrorCodes),
  message: z.string().max(maxErrorMessageChars),
  requestId: requestIdSchema.optional(),
  to: peerIdSchema.optional(),
  session: z.string().max(64).optional(),
});

/** Any message the server may send to a peer. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  challengeSchema,
  welcomeSchema,
  announcedSchema,
  foundSchema,
  countriesSchema,
  donorsSchema,
  serverSignalSchema,
  pongSchema,
  errorSchema,
]);
/** A message from the server to a peer. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** The `error` message. */
export type SignalingErrorMessage = z.infer<typeof errorSchema>;

/** Why a message text was refused (each is also a wire error code). */
export type SignalingMessageErrorCode = Extract<SignalingErrorCode, 'bad-message' | 'too-large' | 'unsupported-version'>;

/** A message text that is not a valid message of this protocol version. */
export class SignalingMessageError extends Error {
  override readonly name = 'SignalingMessageError';
  /** Creates an error with a machine-readable `code`. */
  constructor(
    readonly code: SignalingMessageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Options for the parsers. */
export interface ParseOptions {
  /** Cap on the message, in bytes of UTF-8; default `defaultMaxSignalingMessageBytes`. */
  readonly maxBytes?: number;
}

/**
 * Parses a peer-to-server message.
 * @throws {SignalingMessageError} for text that is too large, not JSON, or not a valid message.
 */
export function parseClientMessage(text: string, options: ParseOptions = {}): ClientMessage {
  return parseWith(clientMessageSchema, text, options, false);
}

/**
 * Parses a server-to-peer message; a `challenge` of another protocol version is refused.
 * @throws {SignalingMessageError} for text that is too large, not JSON, of another version, or not a valid message.
 */
export function parseServerMessage(text: string, options: ParseOptions = {}): ServerMessage {
  return parseWith(serverMessageSchema, text, options, true);
}

function parseWith<T>(schema: z.ZodType<T>, text: unknown, options: ParseOptions, checkVersion: boolean): T {
  const maxBytes = options.maxBytes ?? defaultMaxSignalingMessageBytes;
  if (typeof text !== 'string') throw new SignalingMessageError('bad-message', 'message: expected JSON text');
  // Three UTF-8 bytes per UTF-16 unit at most, so the exact count is only needed near the cap.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8ToBytes(text).length > maxBytes)) {
    throw new SignalingMessageError('too-large', `message: larger than ${maxBytes} bytes`);
  }
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SignalingMessageError('bad-message', 'message: not JSON');
    }
    if (checkVersion && isRecord(json) && json['type'] === 'challenge' && json['v'] !== signalingProtocolVersion) {
      throw new SignalingMessageError(
        'unsupported-version',
        `message: protocol version ${String(json['v'])} is not supported (this side speaks ${signalingProtocolVersion})`,
      );
    }
    const result = schema.safeParse(json);
    if (!result.success) throw new SignalingMessageError('bad-message', `message: ${describeSchemaError(result.error)}`);
    return result.data;
  } catch (error) {
    if (error instanceof SignalingMessageError) throw error;
    // Pathological input (e.g. nesting deep enough to exhaust the stack) is still just a bad message.
    throw new SignalingMessageError('bad-message', 'message: could not be parsed');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loginMessage(nonceHex: string, audience: string): Uint8Array {
  return concatBytes(hexToBytes(nonceHex), utf8ToBytes(audience));
}

/** Signs a login answer: the challenge nonce bytes followed by the UTF-8 of `audience`, as hex. */
export function signLogin(identity: Identity, nonceHex: string, audience: string): string {
  return bytesToHex(signTagged(identity, signatureTags.signalingLogin, loginMessage(nonceHex, audience)));
}

/** Checks a login answer; false for any malformed input, never a throw. */
export function verifyLogin(peerId: string, nonceHex: string, audience: string, sigHex: string): boolean {
  if (!lowerHex(challengeNonceBytes * 2).test(nonceHex) || !lowerHex(signatureBytes * 2).test(sigHex)) return false;
  return verifyTagged(peerId, signatureTags.signalingLogin, loginMessage(nonceHex, audience), hexToBytes(sigHex));
}
