// The client against a scripted fake socket: the failure paths a real server rarely produces.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentity, signatureTags } from '../../protocol/identity.ts';
import { defaultSignalingAudience, verifyLogin, type ServerMessage } from '../../protocol/signaling-messages.ts';
import { sealEnvelope } from '../../protocol/signed-envelope.ts';
import {
  SignalingError,
  connectSignaling,
  connectTimeoutMs,
  requestTimeoutMs,
  type SignalingClient,
  type WebSocketLike,
} from './signaling-client.ts';

type Listener = (event: { data: unknown; code: number; reason: string }) => void;

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', { data: undefined, code, reason });
  }
  open(): void {
    this.readyState = 1;
    this.emit('open', { data: undefined, code: 0, reason: '' });
  }
  receive(message: ServerMessage | string): void {
    this.emit('message', { data: typeof message === 'string' ? message : JSON.stringify(message), code: 0, reason: '' });
  }
  private emit(type: string, event: { data: unknown; code: number; reason: string }): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

const me = createIdentity(new Uint8Array(32).fill(3));
const donor = createIdentity(new Uint8Array(32).fill(4));
const nonce = '0123456789abcdef0123456789abcdef';
const listingBody = {
  peerId: donor.peerId,
  tierMbps: 10,
  maxSessions: 2,
  pricePerMiB: '0.01',
  policyDigest: 'cd'.repeat(32),
  issuedAt: 1,
};

function socket(): FakeSocket {
  const last = FakeSocket.instances.at(-1);
  if (!last) throw new Error('no socket opened');
  return last;
}

async function connected(): Promise<SignalingClient> {
  const pending = connectSignaling({ url: 'ws://127.0.0.1:1', identity: me, WebSocketImpl: FakeSocket, now: () => 1_000_000 });
  const ws = socket();
  ws.open();
  ws.receive({ type: 'challenge', v: 1, nonce });
  ws.receive({ type: 'welcome', peerId: me.peerId, country: 'NL', iceServers: [] });
  return pending;
}

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connectSignaling', () => {
  it('answers the challenge with a login signature over the nonce and audience', async () => {
    const client = await connected();
    const login = socket().sent[0];
    expect(login).toMatchObject({ type: 'login', peerId: me.peerId });
    expect(verifyLogin(me.peerId, nonce, defaultSignalingAudience, String(login?.['sig']))).toBe(true);
    expect(client.country).toBe('NL');
  });

  it.each([
    ['an unsupported version', { type: 'challenge', v: 2, nonce }, 'unsupported-version'],
    ['a login refusal', { type: 'error', code: 'login-failed', message: 'no' }, 'login-failed'],
    ['a welcome for another peer', { type: 'welcome', peerId: donor.peerId, country: 'NL', iceServers: [] }, 'bad-response'],
    ['garbage', 'not json', 'bad-response'],
  ])('rejects on %s', async (_name, message, code) => {
    const pending = connectSignaling({ url: 'ws://x', identity: me, WebSocketImpl: FakeSocket });
    socket().open();
    socket().receive(message as ServerMessage);
    await expect(pending).rejects.toMatchObject({ code });
    expect(socket().readyState).toBe(3);
  });

  it('times out when the server never welcomes', async () => {
    const pending = connectSignaling({ url: 'ws://x', identity: me, WebSocketImpl: FakeSocket });
    const assertion = expect(pending).rejects.toMatchObject({ code: 'timeout' });
    socket().open();
    vi.advanceTimersByTime(connectTimeoutMs);
    await assertion;
  });

  it('is cancelled by its AbortSignal', async () => {
    const controller = new AbortController();
    const pending = connectSignaling({ url: 'ws://x', identity: me, WebSocketImpl: FakeSocket, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await expect(connectSignaling({ url: 'ws://x', identity: me, WebSocketImpl: FakeSocket, signal: controller.signal })).rejects.toBeInstanceOf(
      SignalingError,
    );
  });

  it('reports a socket closed before login as connect-failed, with a message for people', async () => {
    const pending = connectSignaling({ url: 'ws://x', identity: me, WebSocketImpl: FakeSocket });
    socket().close(1006, '');
    await expect(pending).rejects.toMatchObject({ code: 'connect-failed', message: expect.stringContaining('may be down, or this computer may be offline') });
  });
});

describe('SignalingClient', () => {
  it('times out a find the server never answers', async () => {
    const client = await connected();
    const pending = client.findDonor({ country: 'DE' });
    const assertion = expect(pending).rejects.toMatchObject({ code: 'timeout' });
    vi.advanceTimersByTime(requestTimeoutMs);
    await assertion;
  });

  it('rejects pending requests with closed when the connection drops', async () => {
    const client = await connected();
    const closes: number[] = [];
    client.onClose((info) => closes.push(info.code));
    const pending = client.findDonor();
    socket().close(1006, '');
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    expect(closes).toEqual([1006]);
    expect(() => client.sendSignal(donor.peerId, { session: '0123456789abcdef', kind: 'bye', data: null })).toThrow(SignalingError);
  });

  it.each([
    ['is signed by another key', { listing: { ...sealEnvelope(me, signatureTags.listing, listingBody) }, country: 'DE' }],
    ['is signed under the wrong tag', { listing: sealEnvelope(donor, signatureTags.signal, listingBody), country: 'DE' }],
    ['sits in another country', { listing: sealEnvelope(donor, signatureTags.listing, listingBody), country: 'FR' }],
    ['names the asking peer', { listing: sealEnvelope(me, signatureTags.listing, { ...listingBody, peerId: me.peerId }), country: 'DE' }],
  ])('refuses a found donor whose listing %s', async (_name, found) => {
    const client = await connected();
    const pending = client.findDonor({ country: 'DE' });
    const requestId = String(socket().sent.at(-1)?.['requestId']);
    socket().receive({ type: 'found', requestId, donor: found });
    await expect(pending).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('accepts a found donor whose listing verifies', async () => {
    const client = await connected();
    const pending = client.findDonor({ country: 'DE' });
    const requestId = String(socket().sent.at(-1)?.['requestId']);
    const listing = sealEnvelope(donor, signatureTags.listing, listingBody);
    socket().receive({ type: 'found', requestId, donor: { listing, country: 'DE' } });
    await expect(pending).resolves.toEqual({ peerId: donor.peerId, country: 'DE', listing: listingBody, envelope: listing });
  });

  it('asks for a named donor and refuses a listing of any other peer', async () => {
    const client = await connected();
    const pending = client.findDonor({ donor: createIdentity().peerId });
    const sent = socket().sent.at(-1);
    expect(sent).toMatchObject({ type: 'find', donor: expect.stringMatching(/^[0-9a-f]{64}$/) });
    socket().receive({ type: 'found', requestId: String(sent?.['requestId']), donor: { listing: sealEnvelope(donor, signatureTags.listing, listingBody), country: 'DE' } });
    await expect(pending).rejects.toMatchObject({ code: 'bad-response' });

    const named = client.findDonor({ donor: donor.peerId, country: 'DE' });
    const request = socket().sent.at(-1);
    expect(request).toEqual({ type: 'find', requestId: expect.any(String), country: 'DE', donor: donor.peerId });
    const listing = sealEnvelope(donor, signatureTags.listing, listingBody);
    socket().receive({ type: 'found', requestId: String(request?.['requestId']), donor: { listing, country: 'DE' } });
    await expect(named).resolves.toMatchObject({ peerId: donor.peerId, country: 'DE' });
  });

  it('lists countries with donors as the server counts them', async () => {
    const client = await connected();
    const pending = client.listCountries();
    const request = socket().sent.at(-1);
    expect(request).toEqual({ type: 'countries', requestId: expect.any(String) });
    const countries = [{ country: 'DE', donors: 2 }, { country: 'ZZ', donors: 1 }];
    socket().receive({ type: 'countries', requestId: String(request?.['requestId']), countries });
    await expect(pending).resolves.toEqual(countries);
  });

  it.each([
    ['unsorted', [{ country: 'NL', donors: 1 }, { country: 'DE', donors: 1 }]],
    ['with a country twice', [{ country: 'DE', donors: 1 }, { country: 'DE', donors: 1 }]],
    ['with an empty country', [{ country: 'DE', donors: 0 }]],
    ['with peer ids', [{ country: 'DE', donors: 1, peers: [donor.peerId] }]],
    ['not a list', { DE: 1 }],
  ])('fails listCountries at once with bad-response when the answer is %s', async (_name, countries) => {
    const client = await connected();
    const pending = client.listCountries();
    const requestId = String(socket().sent.at(-1)?.['requestId']);
    socket().receive(JSON.stringify({ type: 'countries', requestId, countries }));
    await expect(pending).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('fails listCountries with bad-response when answered with another message type', async () => {
    const client = await connected();
    const pending = client.listCountries();
    const requestId = String(socket().sent.at(-1)?.['requestId']);
    socket().receive({ type: 'found', requestId, donor: { listing: sealEnvelope(donor, signatureTags.listing, listingBody), country: 'DE' } });
    await expect(pending).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('times out listCountries when unanswered, and rejects it with closed when the connection drops', async () => {
    const client = await connected();
    const unanswered = client.listCountries();
    const assertion = expect(unanswered).rejects.toMatchObject({ code: 'timeout' });
    vi.advanceTimersByTime(requestTimeoutMs);
    await assertion;
    const dropped = client.listCountries();
    socket().close(1006, '');
    await expect(dropped).rejects.toMatchObject({ code: 'closed' });
    await expect(client.listCountries()).rejects.toMatchObject({ code: 'closed' });
  });

  it('refuses malformed input before anything is sent', async () => {
    const client = await connected();
    const sentBefore = socket().sent.length;
    expect(() => client.sendSignal('nope', { session: '0123456789abcdef', kind: 'offer', data: {} })).toThrow(TypeError);
    expect(() => client.sendSignal(donor.peerId, { session: 'short', kind: 'offer', data: {} })).toThrow(TypeError);
    expect(() => client.sendSignal(donor.peerId, { session: '0123456789abcdef', kind: 'offer', data: 'x'.repeat(17_000) })).toThrow(
      TypeError,
    );
    await expect(client.findDonor({ country: 'de' })).rejects.toBeInstanceOf(TypeError);
    await expect(client.findDonor({ donor: 'nope' })).rejects.toBeInstanceOf(TypeError);
    await expect(client.findDonor({ donor: donor.peerId.toUpperCase() })).rejects.toBeInstanceOf(TypeError);
    await expect(client.announce({ tierMbps: 0, maxSessions: 1, pricePerMiB: '1', policyDigest: 'cd'.repeat(32) })).rejects.toBeInstanceOf(TypeError);
    expect(socket().sent.length).toBe(sentBefore);
  });

  it('keeps delivering to other handlers when one throws, and unsubscribes', async () => {
    const client = await connected();
    const seen: string[] = [];
    client.onSignal(() => {
      throw new Error('handler bug');
    });
    const unsubscribe = client.onSignal((_from, body, meta) => seen.push(`${body.kind} from ${meta.country}`));
    const signal = (kind: 'offer' | 'bye') =>
      socket().receive({
        type: 'signal',
        from: donor.peerId,
        fromCountry: 'BR',
        envelope: sealEnvelope(donor, signatureTags.signal, { from: donor.peerId, to: me.peerId, session: 'ab'.repeat(8), kind, data: null, ts: 1_000_000 }),
      });
    const errors: unknown[] = [];
    const onUncaught = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      signal('offer');
      await vi.runAllTimersAsync();
      unsubscribe();
      signal('bye');
      await vi.runAllTimersAsync();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(seen).toEqual(['offer from BR']);
    expect(errors).toEqual([new Error('handler bug'), new Error('handler bug')]); // it stayed subscribed
  });

  it('drops signals addressed to someone else', async () => {
    const client = await connected();
    const seen: unknown[] = [];
    client.onSignal((_from, body) => seen.push(body));
    const other = createIdentity().peerId;
    socket().receive({
      type: 'signal',
      from: donor.peerId,
      fromCountry: 'ZZ',
      envelope: sealEnvelope(donor, signatureTags.signal, { from: donor.peerId, to: other, session: 'ab'.repeat(8), kind: 'offer', data: null, ts: 1_000_000 }),
    });
    expect(seen).toEqual([]);
    expect(client.stats().droppedSignals).toBe(1);
  });
});
