import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdentity, signatureTags } from './identity.ts';
import { sealEnvelope } from './signed-envelope.ts';
import {
  SignalingMessageError,
  clientMessageSchema,
  clientMessageTypes,
  defaultMaxSignalingMessageBytes,
  defaultSignalingAudience,
  listingBodySchema,
  maxCountryEntries,
  maxSignalDataBytes,
  parseClientMessage,
  parseServerMessage,
  signLogin,
  signalBodySchema,
  signalingErrorCodes,
  signalingErrorMessages,
  verifyLogin,
} from './signaling-messages.ts';

const alice = createIdentity(new Uint8Array(32).fill(7));
const bob = createIdentity(new Uint8Array(32).fill(8));
const nonce = '00112233445566778899aabbccddeeff';
const envelope = sealEnvelope(alice, signatureTags.signal, { hello: 1 });
const listing = {
  peerId: alice.peerId,
  tierMbps: 25,
  maxSessions: 4,
  pricePerMiB: '0.0025',
  policyDigest: 'ab'.repeat(32),
  issuedAt: 1_700_000_000_000,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof SignalingMessageError ? error.code : `not a SignalingMessageError: ${String(error)}`;
  }
}

describe('parseClientMessage', () => {
  const valid: unknown[] = [
    { type: 'login', peerId: alice.peerId, sig: 'ab'.repeat(64) },
    { type: 'announce', listing: envelope },
    { type: 'announce', listing: envelope, requestId: 'r1' },
    { type: 'withdraw' },
    { type: 'find', requestId: 'r-2' },
    { type: 'find', requestId: 'r_3', country: 'DE', exclude: [bob.peerId] },
    { type: 'find', requestId: 'r4', donor: bob.peerId },
    { type: 'find', requestId: 'r5', country: 'DE', exclude: [alice.peerId], donor: bob.peerId },
    { type: 'countries', requestId: 'c1' },
    { type: 'signal', to: bob.peerId, envelope },
    { type: 'ping' },
    { type: 'ping', id: 'p1' },
  ];
  it.each(valid)('accepts %j', (message) => {
    expect(parseClientMessage(JSON.stringify(message))).toEqual(message);
  });

  const malformed: Array<[string, string, string]> = [
    ['empty text', '', 'bad-message'],
    ['not JSON', '{type:', 'bad-message'],
    ['a JSON string', '"login"', 'bad-message'],
    ['null', 'null', 'bad-message'],
    ['an array', '[]', 'bad-message'],
    ['no type', '{}', 'bad-message'],
    ['an unknown type', '{"type":"hello"}', 'bad-message'],
    ['a server-only type', JSON.stringify({ type: 'welcome', peerId: alice.peerId, country: 'ZZ', iceServers: [] }), 'bad-message'],
    ['an uppercase peer id', JSON.stringify({ type: 'login', peerId: alice.peerId.toUpperCase(), sig: 'ab'.repeat(64) }), 'bad-message'],
    ['a short signature', JSON.stringify({ type: 'login', peerId: alice.peerId, sig: 'ab' }), 'bad-message'],
    ['an extra field', JSON.stringify({ type: 'withdraw', please: true }), 'bad-message'],
    ['find without requestId', JSON.stringify({ type: 'find' }), 'bad-message'],
    ['a lowercase country', JSON.stringify({ type: 'find', requestId: 'r', country: 'de' }), 'bad-message'],
    ['a three-letter country', JSON.stringify({ type: 'find', requestId: 'r', country: 'DEU' }), 'bad-message'],
    ['too many exclusions', JSON.stringify({ type: 'find', requestId: 'r', exclude: Array(33).fill(bob.peerId) }), 'bad-message'],
    ['a request id with spaces', JSON.stringify({ type: 'find', requestId: 'a b' }), 'bad-message'],
    ['a donor that is not a peer id', JSON.stringify({ type: 'find', requestId: 'r', donor: 'nope' }), 'bad-message'],
    ['an uppercase donor id', JSON.stringify({ type: 'find', requestId: 'r', donor: bob.peerId.toUpperCase() }), 'bad-message'],
    ['a donor id as a list', JSON.stringify({ type: 'find', requestId: 'r', donor: [bob.peerId] }), 'bad-message'],
    ['countries without requestId', JSON.stringify({ type: 'countries' }), 'bad-message'],
    ['countries with a filter', JSON.stringify({ type: 'countries', requestId: 'r', country: 'DE' }), 'bad-message'],
    ['a signal without envelope', JSON.stringify({ type: 'signal', to: bob.peerId }), 'bad-message'],
    ['an envelope with an object body', JSON.stringify({ type: 'announce', listing: { body: {}, sig: envelope.sig } }), 'bad-message'],
    ['a huge message', JSON.stringify({ type: 'ping', id: 'x'.repeat(defaultMaxSignalingMessageBytes) }), 'too-large'],
    ['multi-byte text over the byte cap', `"${'é'.repeat(defaultMaxSignalingMessageBytes / 2)}"`, 'too-large'],
  ];
  it.each(malformed)('refuses %s with %s', (_name, text, code) => {
    expect(codeOf(() => parseClientMessage(text))).toBe(code);
  });

  it('honours a custom size cap', () => {
    expect(codeOf(() => parseClientMessage('{"type":"ping"}', { maxBytes: 8 }))).toBe('too-large');
  });

  it('yields a message or a SignalingMessageError for any string, never another throw', () => {
    const typed = fc
      .record({
        type: fc.constantFrom('login', 'announce', 'withdraw', 'find', 'countries', 'signal', 'ping', 'challenge', '__proto__'),
        peerId: fc.oneof(fc.constant(alice.peerId), fc.string()),
        requestId: fc.string(),
        country: fc.string({ maxLength: 3 }),
        exclude: fc.array(fc.anything()),
        donor: fc.oneof(fc.constant(bob.peerId), fc.anything()),
        countries: fc.array(fc.record({ country: fc.string({ maxLength: 3 }), donors: fc.anything() })),
        envelope: fc.record({ body: fc.string(), sig: fc.string() }),
        listing: fc.anything(),
      }, { requiredKeys: ['type'] })
      .map((value) => JSON.stringify(value));
    const deep = fc.constantFrom(
      '['.repeat(20_000) + ']'.repeat(20_000),
      `{"type":"signal","to":"${bob.peerId}","envelope":${'['.repeat(30_000)}`,
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), typed, deep), (text) => {
        try {
          parseClientMessage(text);
          parseServerMessage(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SignalingMessageError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

/** `count` distinct country codes in ascending order (AA, AB, ...), one donor each. */
function countryList(count: number): Array<{ country: string; donors: number }> {
  const letter = (n: number) => String.fromCharCode(65 + n);
  return Array.from({ length: count }, (_, i) => ({ country: letter(Math.floor(i / 26)) + letter(i % 26), donors: 1 }));
}

describe('parseServerMessage', () => {
  it('accepts a version-1 challenge and refuses any other version', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'challenge', v: 1, nonce }))).toEqual({ type: 'challenge', v: 1, nonce });
    expect(codeOf(() => parseServerMessage(JSON.stringify({ type: 'challenge', v: 2, nonce })))).toBe('unsupported-version');
    expect(codeOf(() => parseServerMessage(JSON.stringify({ type: 'challenge', nonce })))).toBe('unsupported-version');
  });

  const valid: unknown[] = [
    { type: 'welcome', peerId: alice.peerId, country: 'ZZ', iceServers: [{ urls: 'stun:127.0.0.1:3478' }] },
    { type: 'welcome', peerId: alice.peerId, country: 'DE', iceServers: [{ urls: ['turn:127.0.0.1'], username: 'u', credential: 'c' }] },
    { type: 'announced' },
    { type: 'found', requestId: 'r', donor: { listing: envelope, country: 'FR' } },
    { type: 'countries', requestId: 'r', countries: [] },
    { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: 3 }, { country: 'NL', donors: 1 }, { country: 'ZZ', donors: 2 }] },
    { type: 'countries', requestId: 'r', countries: countryList(maxCountryEntries) },
    { type: 'signal', from: alice.peerId, fromCountry: 'ZZ', envelope },
    { type: 'pong', id: 'p' },
    { type: 'error', code: 'no-donor', message: 'none', requestId: 'r' },
  ];
  it.each(valid)('accepts %j', (message) => {
    expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
  });

  const malformed: Array<[string, unknown]> = [
    ['an unknown error code', { type: 'error', code: 'teapot', message: 'x' }],
    ['a challenge with a short nonce', { type: 'challenge', v: 1, nonce: 'abcd' }],
    ['welcome without ICE servers', { type: 'welcome', peerId: alice.peerId, country: 'ZZ' }],
    ['an ICE server without urls', { type: 'welcome', peerId: alice.peerId, country: 'ZZ', iceServers: [{}] }],
    ['found without a donor', { type: 'found', requestId: 'r' }],
    ['a client-only type', { type: 'find', requestId: 'r' }],
    ['a signal without fromCountry', { type: 'signal', from: alice.peerId, envelope }],
    ['a signal with a lowercase fromCountry', { type: 'signal', from: alice.peerId, fromCountry: 'de', envelope }],
    ['countries without requestId', { type: 'countries', countries: [] }],
    ['countries without the list', { type: 'countries', requestId: 'r' }],
    ['countries out of order', { type: 'countries', requestId: 'r', countries: [{ country: 'NL', donors: 1 }, { country: 'DE', donors: 1 }] }],
    ['a country twice', { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: 1 }, { country: 'DE', donors: 2 }] }],
    ['a country with no donors', { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: 0 }] }],
    ['a fractional donor count', { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: 1.5 }] }],
    ['a donor count as text', { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: '1' }] }],
    ['a lowercase country entry', { type: 'countries', requestId: 'r', countries: [{ country: 'de', donors: 1 }] }],
    ['an entry listing peer ids', { type: 'countries', requestId: 'r', countries: [{ country: 'DE', donors: 1, peers: [alice.peerId] }] }],
    ['more entries than the cap', { type: 'countries', requestId: 'r', countries: countryList(maxCountryEntries + 1) }],
  ];
  it.each(malformed)('refuses %s', (_name, message) => {
    expect(codeOf(() => parseServerMessage(JSON.stringify(message)))).toBe('bad-message');
  });
});

describe('bodies', () => {
  const listingCases: Array<[string, Record<string, unknown>, boolean]> = [
    ['a valid listing', {}, true],
    ['tier 0', { tierMbps: 0 }, false],
    ['tier above 10000', { tierMbps: 10_001 }, false],
    ['fractional tier', { tierMbps: 1.5 }, true],
    ['0 sessions', { maxSessions: 0 }, false],
    ['257 sessions', { maxSessions: 257 }, false],
    ['fractional sessions', { maxSessions: 1.5 }, false],
    ['a price with exponent', { pricePerMiB: '1e-3' }, false],
    ['a negative price', { pricePerMiB: '-1' }, false],
    ['a price with leading zeros', { pricePerMiB: '007' }, false],
    ['a zero price', { pricePerMiB: '0' }, true],
    ['a numeric price', { pricePerMiB: 1 }, false],
    ['a short digest', { policyDigest: 'ab' }, false],
    ['a negative issuedAt', { issuedAt: -1 }, false],
  ];
  it.each(listingCases)('listing: %s', (_name, patch, ok) => {
    expect(listingBodySchema.safeParse({ ...listing, ...patch }).success).toBe(ok);
  });

  const signal = { from: alice.peerId, to: bob.peerId, session: '0123456789abcdef', kind: 'offer', data: { sdp: 'v=0' }, ts: 1 };
  const signalCases: Array<[string, Record<string, unknown>, boolean]> = [
    ['a valid signal', {}, true],
    ['a bye with null data', { kind: 'bye', data: null }, true],
    ['missing data', { data: undefined }, false],
    ['an unknown kind', { kind: 'hug' }, false],
    ['a short session', { session: 'abc' }, false],
    ['data at the cap', { data: 'x'.repeat(maxSignalDataBytes - 2) }, true],
    ['data over the cap', { data: 'x'.repeat(maxSignalDataBytes - 1) }, false],
    ['a nonce', { nonce: 'cd'.repeat(32) }, true],
    ['a short nonce', { nonce: 'cd' }, false],
  ];
  it.each(signalCases)('signal: %s', (_name, patch, ok) => {
    expect(signalBodySchema.safeParse({ ...signal, ...patch }).success).toBe(ok);
  });
});

describe('login signatures', () => {
  it('bind the nonce and the audience', () => {
    const sig = signLogin(alice, nonce, defaultSignalingAudience);
    expect(verifyLogin(alice.peerId, nonce, defaultSignalingAudience, sig)).toBe(true);
    expect(verifyLogin(bob.peerId, nonce, defaultSignalingAudience, sig)).toBe(false);
    expect(verifyLogin(alice.peerId, 'ff'.repeat(16), defaultSignalingAudience, sig)).toBe(false);
    expect(verifyLogin(alice.peerId, nonce, 'another-server', sig)).toBe(false);
    expect(verifyLogin(alice.peerId, 'zz', defaultSignalingAudience, sig)).toBe(false);
    expect(verifyLogin(alice.peerId, nonce, defaultSignalingAudience, 'ab')).toBe(false);
  });
});

describe('message catalogue', () => {
  it('lists exactly the client message types the schema accepts', () => {
    const schemaTypes = clientMessageSchema.options.map((option) => option.shape.type.value);
    expect([...schemaTypes].sort()).toEqual([...clientMessageTypes].sort());
  });
});

describe('error codes', () => {
  it('each has a user-facing message', () => {
    for (const code of signalingErrorCodes) expect(signalingErrorMessages[code].length).toBeGreaterThan(20);
  });
});
