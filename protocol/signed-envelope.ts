// Signed JSON envelopes: `{ body, sig }`, where `body` is JSON text and `sig` signs exactly
// that text. Signing the text a peer will parse, rather than a re-serialized object, means
// there is no canonical form to get wrong: what was signed is what is read.
import { z } from 'zod';
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes.ts';
import { describeSchemaError } from './schema-error.ts';
import { signTagged, signatureBytes, verifyTagged, type Identity, type SignatureTag } from './identity.ts';

/** Largest envelope body, in UTF-16 code units (a signal's 16 KiB payload plus its fields fits). */
export const maxEnvelopeBodyChars = 32 * 1024;

/** A JSON text and the hex ed25519 signature of its UTF-8 bytes under a domain tag. */
export interface Envelope {
  readonly body: string;
  readonly sig: string;
}

/** Shape of an envelope on the wire (the signature is not checked here). */
export const envelopeSchema = z.strictObject({
  body: z.string().min(2).max(maxEnvelopeBodyChars),
  sig: z.string().regex(new RegExp(`^[0-9a-f]{${signatureBytes * 2}}$`), 'expected a 128-character lowercase hex signature'),
});

/** Why an envelope was refused. */
export type EnvelopeErrorCode = 'bad-signature' | 'malformed';

/** An envelope that does not verify or whose body does not parse. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  /** Creates an error with a machine-readable `code`. */
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serializes `value` to JSON and signs the text under `tag`.
 * @throws {RangeError} when the JSON text exceeds `maxEnvelopeBodyChars`.
 * @throws {TypeError} when `value` cannot be serialized to JSON.
 */
export function sealEnvelope(identity: Identity, tag: SignatureTag, value: unknown): Envelope {
  const body = JSON.stringify(value);
  if (typeof body !== 'string') throw new TypeError('envelope body: value is not JSON-serializable');
  if (body.length > maxEnvelopeBodyChars) {
    throw new RangeError(`envelope body: ${body.length} characters, at most ${maxEnvelopeBodyChars} allowed`);
  }
  return { body, sig: bytesToHex(signTagged(identity, tag, utf8ToBytes(body))) };
}

/**
 * Verifies the signature of `signerPeerId` under `tag`, then parses the body with `schema`.
 * @throws {EnvelopeError} 'bad-signature' when the signature does not verify, 'malformed' when
 *   the envelope or its body does not have the expected shape.
 */
export function openEnvelope<T>(envelope: unknown, tag: SignatureTag, signerPeerId: string, schema: z.ZodType<T>): T {
  const checked = parseEnvelopeShape(envelope);
  if (!verifyTagged(signerPeerId, tag, utf8ToBytes(checked.body), hexToBytes(checked.sig))) {
    throw new EnvelopeError('bad-signature', 'envelope signature does not verify for the claimed signer');
  }
  return parseBody(checked.body, schema);
}

/**
 * Parses an envelope's body WITHOUT checking its signature: for relays that only route, and for
 * reading the signer's id out of a self-describing body before calling `openEnvelope`.
 * @throws {EnvelopeError} 'malformed' when the envelope or its body does not have the expected shape.
 */
export function readEnvelopeUnverified<T>(envelope: unknown, schema: z.ZodType<T>): T {
  return parseBody(parseEnvelopeShape(envelope).body, schema);
}

function parseEnvelopeShape(envelope: unknown): Envelope {
  const result = envelopeSchema.safeParse(envelope);
  if (!result.success) throw new EnvelopeError('malformed', `envelope: ${describeSchemaError(result.error)}`);
  return result.data;
}

function parseBody<T>(body: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EnvelopeError('malformed', 'envelope body is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new EnvelopeError('malformed', `envelope body: ${describeSchemaError(result.error)}`);
  return result.data;
}
