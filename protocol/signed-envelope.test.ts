import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIdentity, signatureTags } from './identity.ts';
import { EnvelopeError, maxEnvelopeBodyChars, openEnvelope, readEnvelopeUnverified, sealEnvelope } from './signed-envelope.ts';

const alice = createIdentity(new Uint8Array(32).fill(1));
const bob = createIdentity(new Uint8Array(32).fill(2));
const schema = z.strictObject({ greeting: z.string(), n: z.int() });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof EnvelopeError ? error.code : `not an EnvelopeError: ${String(error)}`;
  }
}

describe('signed envelopes', () => {
  it('round-trips a value signed by its signer', () => {
    const envelope = sealEnvelope(alice, signatureTags.listing, { greeting: 'hi', n: 3 });
    expect(JSON.parse(envelope.body)).toEqual({ greeting: 'hi', n: 3 });
    expect(envelope.sig).toMatch(/^[0-9a-f]{128}$/);
    expect(openEnvelope(envelope, signatureTags.listing, alice.peerId, schema)).toEqual({ greeting: 'hi', n: 3 });
  });

  it('signs the exact text: a re-serialization with other whitespace no longer verifies', () => {
    const envelope = sealEnvelope(alice, signatureTags.signal, { greeting: 'hi', n: 3 });
    const respaced = { ...envelope, body: JSON.stringify(JSON.parse(envelope.body), null, 1) };
    expect(codeOf(() => openEnvelope(respaced, signatureTags.signal, alice.peerId, schema))).toBe('bad-signature');
  });

  const good = sealEnvelope(alice, signatureTags.listing, { greeting: 'hi', n: 3 });
  const cases: Array<{ name: string; envelope: unknown; tag?: typeof signatureTags.listing | typeof signatureTags.signal; signer?: string; code: string }> = [
    { name: 'another signer', envelope: good, signer: bob.peerId, code: 'bad-signature' },
    { name: 'another domain tag', envelope: good, tag: signatureTags.signal, code: 'bad-signature' },
    { name: 'a malformed signer id', envelope: good, signer: 'not-a-peer', code: 'bad-signature' },
    { name: 'a tampered body', envelope: { ...good, body: good.body.replace('"n":3', '"n":4') }, code: 'bad-signature' },
    { name: 'a flipped signature bit', envelope: { ...good, sig: (good.sig[0] === '0' ? '1' : '0') + good.sig.slice(1) }, code: 'bad-signature' },
    { name: 'not an object', envelope: 'nope', code: 'malformed' },
    { name: 'null', envelope: null, code: 'malformed' },
    { name: 'a short signature', envelope: { ...good, sig: 'abcd' }, code: 'malformed' },
    { name: 'an uppercase signature', envelope: { ...good, sig: good.sig.toUpperCase() }, code: 'malformed' },
    { name: 'an extra field', envelope: { ...good, extra: 1 }, code: 'malformed' },
    { name: 'an oversized body', envelope: { ...good, body: 'x'.repeat(maxEnvelopeBodyChars + 1) }, code: 'malformed' },
  ];
  it.each(cases)('refuses $name ($code)', ({ envelope, tag, signer, code }) => {
    expect(codeOf(() => openEnvelope(envelope, tag ?? signatureTags.listing, signer ?? alice.peerId, schema))).toBe(code);
  });

  it('refuses a correctly signed body that does not match the schema as malformed', () => {
    const notJson = { body: 'not json', sig: sealEnvelope(alice, signatureTags.listing, 0).sig };
    expect(codeOf(() => readEnvelopeUnverified(notJson, schema))).toBe('malformed');
    const wrongShape = sealEnvelope(alice, signatureTags.listing, { greeting: 1 });
    expect(codeOf(() => openEnvelope(wrongShape, signatureTags.listing, alice.peerId, schema))).toBe('malformed');
  });

  it('reads a body without verifying only when asked to', () => {
    const forged = { ...good, sig: '0'.repeat(128) };
    expect(readEnvelopeUnverified(forged, schema)).toEqual({ greeting: 'hi', n: 3 });
    expect(codeOf(() => openEnvelope(forged, signatureTags.listing, alice.peerId, schema))).toBe('bad-signature');
  });

  it('refuses to seal what it could not open', () => {
    expect(() => sealEnvelope(alice, signatureTags.listing, { s: 'x'.repeat(maxEnvelopeBodyChars) })).toThrow(RangeError);
    expect(() => sealEnvelope(alice, signatureTags.listing, undefined)).toThrow(TypeError);
  });
});
