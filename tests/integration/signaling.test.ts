// The signaling server and client together, over real WebSockets on 127.0.0.1.
// Every test peer connects from 127.0.0.1, so the injected country lookup and remote address
// read test-only headers that the production server never looks at.
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  SignalingError,
  connectSignaling,
  newSignalSession,
  type SignalingClient,
  type WebSocketConstructor,
} from '../../offscreen/peers/signaling-client.ts';
import { createIdentity, signatureTags, type Identity } from '../../protocol/identity.ts';
import {
  parseServerMessage,
  signLogin,
  type ServerMessage,
  type SignalBody,
} from '../../protocol/signaling-messages.ts';
import { sealEnvelope } from '../../protocol/signed-envelope.ts';
import type { SignalingLogger } from '../../signaling/log.ts';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling/server.ts';

const countryHeader = 'x-porchlight-test-country';
const addressHeader = 'x-porchlight-test-address';
const waitMs = 5_000;

interface LogLine {
  readonly level: string;
  readonly fields: object;
  readonly message: string;
}

function capturingLogger(lines: LogLine[]): SignalingLogger {
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function testLookup(_ip: string, request: IncomingMessage): string {
  const value = request.headers[countryHeader];
  return typeof value === 'string' ? value : 'ZZ';
}

function testRemoteAddress(request: IncomingMessage): string | undefined {
  const value = request.headers[addressHeader];
  return typeof value === 'string' ? value : request.socket.remoteAddress;
}

/** Where a test peer pretends to be: its country and the address it connects from. */
interface Origin {
  readonly country?: string | undefined;
  readonly address?: string | undefined;
}

function originHeaders(origin: Origin): Record<string, string> {
  return {
    ...(origin.country ? { [countryHeader]: origin.country } : {}),
    ...(origin.address ? { [addressHeader]: origin.address } : {}),
  };
}

async function startServer(overrides: SignalingServerOptions = {}): Promise<{ server: SignalingServer; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const server = await createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    lookupCountry: testLookup,
    remoteAddress: testRemoteAddress,
    logger: capturingLogger(logs),
    iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
    ...overrides,
  });
  return { server, logs };
}

/** ws's WebSocket, placed in `country` (or at `origin`) by the test headers. */
function wsIn(where?: string | Origin): WebSocketConstructor {
  const headers = originHeaders(typeof where === 'string' ? { country: where } : (where ?? {}));
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers });
    }
  };
}

function httpUrl(server: SignalingServer, path: string): string {
  return `http://127.0.0.1:${server.port}${path}`;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function metricValue(server: SignalingServer, series: string): Promise<number> {
  const text = await (await fetch(httpUrl(server, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

/** A hand-driven peer speaking raw JSON, for what the real client would never send. */
interface RawPeer {
  readonly ws: WebSocket;
  readonly received: ServerMessage[];
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  next(type: ServerMessage['type'], timeoutMs?: number): Promise<ServerMessage>;
}

async function rawPeer(url: string, options: Origin = {}): Promise<RawPeer> {
  const ws = new WebSocket(url, { headers: originHeaders(options) });
  const received: ServerMessage[] = [];
  let cursor = 0;
  ws.on('message', (data) => received.push(parseServerMessage(String(data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    received,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async next(type, timeoutMs = waitMs) {
      let found: ServerMessage | undefined;
      await waitFor(() => {
        const index = received.findIndex((m, i) => i >= cursor && m.type === type);
        if (index < 0) return false;
        found = received[index];
        cursor = index + 1;
        return true;
      }, `a '${type}' message`, timeoutMs);
      return found!; // set when waitFor returned
    },
  };
}

async function rawLogin(url: string, identity: Identity, options: Origin & { audience?: string } = {}): Promise<RawPeer> {
  const peer = await rawPeer(url, options);
  const challenge = await peer.next('challenge');
  if (challenge.type !== 'challenge') throw new Error('unreachable');
  peer.send({ type: 'login', peerId: identity.peerId, sig: signLogin(identity, challenge.nonce, options.audience ?? 'porchlight-signaling') });
  await peer.next('welcome');
  return peer;
}

const listingFields = { tierMbps: 50, maxSessions: 4, pricePerMiB: '0.0025', policyDigest: 'ab'.repeat(32) };

describe('signaling: login, matchmaking and relay', () => {
  let server: SignalingServer;
  let logs: LogLine[];
  const clients: SignalingClient[] = [];
  const raws: RawPeer[] = [];

  async function connect(identity: Identity, country?: string): Promise<SignalingClient> {
    const client = await connectSignaling({ url: server.url, identity, WebSocketImpl: wsIn(country) });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    ({ server, logs } = await startServer());
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const raw of raws.splice(0)) raw.ws.terminate();
  });
  afterAll(async () => {
    await server.close();
  });

  it('logs a peer in and hands it its observed country and the ICE servers', async () => {
    const identity = createIdentity();
    const client = await connect(identity, 'DE');
    expect(client.peerId).toBe(identity.peerId);
    expect(client.country).toBe('DE');
    expect(client.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    await waitFor(() => server.stats().peers >= 1, 'the peer to be counted');
    expect(logs.some((l) => l.message === 'peer logged in')).toBe(true);
  });

  it('refuses a login signed for another nonce and closes the connection', async () => {
    const identity = createIdentity();
    const peer = await rawPeer(server.url);
    raws.push(peer);
    await peer.next('challenge');
    peer.send({ type: 'login', peerId: identity.peerId, sig: signLogin(identity, 'ff'.repeat(16), 'porchlight-signaling') });
    const error = await peer.next('error');
    expect(error).toMatchObject({ type: 'error', code: 'login-failed' });
    expect(await peer.closed).toEqual({ code: 1008, reason: 'login-failed' });
  });

  it('rejects connectSignaling with login-failed when the audience differs', async () => {
    const attempt = connectSignaling({ url: server.url, identity: createIdentity(), WebSocketImpl: wsIn(), audience: 'another-server' });
    await expect(attempt).rejects.toMatchObject({ name: 'SignalingError', code: 'login-failed' });
  });

  it('answers anything but login with not-logged-in before login', async () => {
    const peer = await rawPeer(server.url);
    raws.push(peer);
    await peer.next('challenge');
    peer.send({ type: 'find', requestId: 'r1' });
    expect(await peer.next('error')).toMatchObject({ code: 'not-logged-in' });
  });

  it('finds an announced donor by country, verified, and no donor elsewhere', async () => {
    const donorIdentity = createIdentity();
    const donor = await connect(donorIdentity, 'DE');
    await donor.announce(listingFields);
    const client = await connect(createIdentity(), 'FR');

    const found = await client.findDonor({ country: 'DE' });
    expect(found.peerId).toBe(donorIdentity.peerId);
    expect(found.country).toBe('DE');
    expect(found.listing).toMatchObject({ ...listingFields, peerId: donorIdentity.peerId });

    await expect(client.findDonor({ country: 'JP' })).rejects.toMatchObject({ code: 'no-donor' });
    await expect(client.findDonor({ country: 'DE', exclude: [donorIdentity.peerId] })).rejects.toMatchObject({ code: 'no-donor' });
    // A donor is never matched with itself.
    await expect(donor.findDonor({ country: 'DE' })).rejects.toMatchObject({ code: 'no-donor' });

    donor.withdraw();
    await waitFor(() => server.stats().donors === 0, 'the withdrawal');
    await expect(client.findDonor({ country: 'DE' })).rejects.toBeInstanceOf(SignalingError);
  });

  it('refuses a listing signed for another peer', async () => {
    const imposter = createIdentity();
    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    const listing = sealEnvelope(imposter, signatureTags.listing, { ...listingFields, peerId: imposter.peerId, issuedAt: Date.now() });
    peer.send({ type: 'announce', listing, requestId: 'a1' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-listing', requestId: 'a1' });
  });

  it('relays signed signals both ways', async () => {
    const donorIdentity = createIdentity();
    const clientIdentity = createIdentity();
    const donor = await connect(donorIdentity, 'DE');
    const client = await connect(clientIdentity, 'FR');
    const atDonor: Array<[string, SignalBody, string]> = [];
    const atClient: Array<[string, SignalBody, string]> = [];
    donor.onSignal((from, body, meta) => {
      atDonor.push([from, body, meta.country]);
      donor.sendSignal(from, { session: body.session, kind: 'answer', data: { sdp: 'answer-sdp' } });
    });
    client.onSignal((from, body, meta) => atClient.push([from, body, meta.country]));

    const session = newSignalSession();
    client.sendSignal(donorIdentity.peerId, { session, kind: 'offer', data: { sdp: 'offer-sdp' } });
    await waitFor(() => atClient.length === 1, 'the answer');
    expect(atDonor[0]?.[0]).toBe(clientIdentity.peerId);
    expect(atDonor[0]?.[1]).toMatchObject({ from: clientIdentity.peerId, to: donorIdentity.peerId, session, kind: 'offer', data: { sdp: 'offer-sdp' } });
    expect(atClient[0]?.[1]).toMatchObject({ from: donorIdentity.peerId, session, kind: 'answer', data: { sdp: 'answer-sdp' } });
    // Each side learns where the server saw the other, the donor before it answers.
    expect(atDonor[0]?.[2]).toBe('FR');
    expect(atClient[0]?.[2]).toBe('DE');
  });


  it('refuses a signal whose envelope claims another sender', async () => {
    const target = await connect(createIdentity());
    const victim = createIdentity();
    const forger = createIdentity();
    const peer = await rawLogin(server.url, forger);
    raws.push(peer);
    const body = { from: victim.peerId, to: target.peerId, session: newSignalSession(), kind: 'offer', data: null, ts: Date.now() };
    peer.send({ type: 'signal', to: target.peerId, envelope: sealEnvelope(victim, signatureTags.signal, body) });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-signal', to: target.peerId });
  });

  it('has the receiver drop a tampered or stale envelope the server relayed', async () => {
    const target = await connect(createIdentity());
    const delivered: SignalBody[] = [];
    target.onSignal((_from, body) => delivered.push(body));
    const sender = createIdentity();
    const peer = await rawLogin(server.url, sender);
    raws.push(peer);
    const body = { from: sender.peerId, to: target.peerId, session: newSignalSession(), kind: 'candidate', data: { c: 'a' }, ts: Date.now() };
    const sealed = sealEnvelope(sender, signatureTags.signal, body);
    const tampered = { body: sealed.body.replace('"c":"a"', '"c":"b"'), sig: sealed.sig };
    peer.send({ type: 'signal', to: target.peerId, envelope: tampered });
    const stale = sealEnvelope(sender, signatureTags.signal, { ...body, ts: Date.now() - 10 * 60_000 });
    peer.send({ type: 'signal', to: target.peerId, envelope: stale });
    peer.send({ type: 'signal', to: target.peerId, envelope: sealed });
    await waitFor(() => delivered.length === 1, 'the genuine signal');
    expect(delivered[0]?.data).toEqual({ c: 'a' });
    expect(target.stats().droppedSignals).toBe(2);
  });

  it('answers a signal to an offline peer with peer-unavailable', async () => {
    const client = await connect(createIdentity());
    const errors: SignalingError[] = [];
    client.onError((error) => errors.push(error));
    const offline = createIdentity().peerId;
    const session = newSignalSession();
    client.sendSignal(offline, { session, kind: 'offer', data: {} });
    await waitFor(() => errors.length === 1, 'the refusal');
    expect(errors[0]).toMatchObject({ code: 'peer-unavailable', context: { to: offline, session } });
  });

  it('refuses an oversized message with too-large and closes with 1009', async () => {
    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    peer.send({ type: 'ping', id: 'x'.repeat(70 * 1024) });
    expect(await peer.next('error')).toMatchObject({ code: 'too-large' });
    expect(await peer.closed).toEqual({ code: 1009, reason: 'too-large' });
    // Past twice the cap ws cuts the frame off while reading it: same close code, no error message.
    const huge = await rawLogin(server.url, createIdentity());
    raws.push(huge);
    huge.send({ type: 'ping', id: 'x'.repeat(200 * 1024) });
    expect((await huge.closed).code).toBe(1009);
  });

  it('answers a malformed message with bad-message and keeps the connection, up to a limit', async () => {
    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    peer.send({ type: 'find' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });
    peer.send('not json at all');
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });
    peer.send({ type: 'ping', id: 'still-here' });
    expect(await peer.next('pong')).toEqual({ type: 'pong', id: 'still-here' });
    for (let i = 0; i < 20; i++) peer.send({ type: 'nonsense' });
    expect(await peer.closed).toEqual({ code: 1008, reason: 'bad-message' });
  });

  it('closes the older connection when the same identity logs in again', async () => {
    const identity = createIdentity();
    const first = await connect(identity);
    const closes: Array<string | undefined> = [];
    first.onClose((info) => closes.push(info.error?.code));
    await connect(identity);
    await waitFor(() => closes.length === 1, 'the first connection to close');
    expect(closes).toEqual(['replaced']);
  });

  it('serves /healthz and Prometheus /metrics with the counters', async () => {
    const health = await fetch(httpUrl(server, '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', peers: expect.any(Number), donors: expect.any(Number) });
    const metrics = await fetch(httpUrl(server, '/metrics'));
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metricValue(server, 'porchlight_signaling_connections_total')).toBeGreaterThan(5);
    expect(await metricValue(server, 'porchlight_signaling_connections_open')).toBeGreaterThanOrEqual(0);
    expect(await metricValue(server, 'porchlight_signaling_messages_total{type="find"}')).toBeGreaterThanOrEqual(4);
    expect(await metricValue(server, 'porchlight_signaling_refusals_total{code="no-donor"}')).toBeGreaterThanOrEqual(3);
    expect(await metricValue(server, 'porchlight_signaling_refusals_total{code="too-large"}')).toBe(2);
    expect(await metricValue(server, 'porchlight_signaling_signals_relayed_total')).toBeGreaterThanOrEqual(2);
    expect(await metricValue(server, 'porchlight_signaling_donors_online')).toBe(0);
    expect(await metricValue(server, 'porchlight_signaling_rate_limit_drops_total{scope="peer-message"}')).toBe(0);
    expect((await fetch(httpUrl(server, '/nope'))).status).toBe(404);
  });
});

describe('signaling: where a sender is, a named donor, and the countries with donors', () => {
  let server: SignalingServer;
  const clients: SignalingClient[] = [];
  const raws: RawPeer[] = [];

  async function connect(identity: Identity, country?: string): Promise<SignalingClient> {
    const client = await connectSignaling({ url: server.url, identity, WebSocketImpl: wsIn(country) });
    clients.push(client);
    return client;
  }

  async function donorIn(country: string, maxSessions = listingFields.maxSessions): Promise<SignalingClient> {
    const donor = await connect(createIdentity(), country);
    await donor.announce({ ...listingFields, maxSessions });
    return donor;
  }

  beforeAll(async () => {
    // Many peers from one address in a few seconds: lift the per-IP connection rate, which is not under test here.
    ({ server } = await startServer({ ipConnectionRate: { burst: 1_000, perSecond: 1_000 } }));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await waitFor(() => server.stats().peers === 0, 'every peer to leave');
  });
  afterAll(async () => {
    await server.close();
  });

  it('relays a signal from a peer of unknown country with fromCountry ZZ', async () => {
    const targetIdentity = createIdentity();
    const target = await rawLogin(server.url, targetIdentity, { country: 'JP' });
    raws.push(target);
    const sender = await connect(createIdentity());
    sender.sendSignal(targetIdentity.peerId, { session: newSignalSession(), kind: 'offer', data: {} });
    expect(await target.next('signal')).toMatchObject({ type: 'signal', from: sender.peerId, fromCountry: 'ZZ' });
  });

  it('finds the donor asked for, and no-donor when it cannot be had', async () => {
    const wanted = await donorIn('DE');
    await donorIn('DE');
    await donorIn('NL');
    const idle = await connect(createIdentity(), 'DE'); // logged in, never announced
    const client = await connect(createIdentity(), 'FR');

    for (let i = 0; i < 3; i++) {
      const found = await client.findDonor({ donor: wanted.peerId });
      expect(found).toMatchObject({ peerId: wanted.peerId, country: 'DE' });
    }
    await expect(client.findDonor({ donor: wanted.peerId, country: 'DE' })).resolves.toMatchObject({ peerId: wanted.peerId });

    const noDonor = { name: 'SignalingError', code: 'no-donor', message: expect.stringContaining('Try another country') };
    const late = await connect(createIdentity(), 'FR');
    await expect(late.findDonor({ donor: wanted.peerId })).rejects.toMatchObject(noDonor); // its four slots are lent
    const other = await donorIn('DE');
    await expect(client.findDonor({ donor: other.peerId, country: 'NL' })).rejects.toMatchObject(noDonor);
    await expect(client.findDonor({ donor: other.peerId, exclude: [other.peerId] })).rejects.toMatchObject(noDonor);
    await expect(client.findDonor({ donor: idle.peerId })).rejects.toMatchObject(noDonor);
    await expect(client.findDonor({ donor: createIdentity().peerId })).rejects.toMatchObject(noDonor);
    await expect(other.findDonor({ donor: other.peerId })).rejects.toMatchObject(noDonor);
    other.close();
    await waitFor(() => server.stats().donors === 3, 'the donor to go offline');
    await expect(client.findDonor({ donor: other.peerId })).rejects.toMatchObject(noDonor);
  });

  it('answers a find for a donor that is not a peer id with bad-message', async () => {
    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    peer.send({ type: 'find', requestId: 'f1', donor: 'not-a-peer-id' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message', message: expect.stringContaining('peer id') });
    peer.send({ type: 'find', requestId: 'f2', donor: 42 });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });
  });

  it('pages the donor directory in peer id order, each listing verified, to the end', async () => {
    const oracle = await connect(createIdentity(), 'FR');
    const donors = [];
    for (let i = 0; i < 3; i++) donors.push(await donorIn('DE'));
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await oracle.listDonors(after);
      seen.push(...page.donors.map((d) => d.peerId));
      if (page.next === undefined) break;
      after = page.next;
    }
    expect(seen).toEqual(donors.map((d) => d.peerId).sort());
    // A donor asking does not list itself; a peer id sorting after everyone gets an empty page.
    expect((await donors[0]!.listDonors()).donors.map((d) => d.peerId)).not.toContain(donors[0]!.peerId);
    expect(await oracle.listDonors('f'.repeat(64))).toEqual({ donors: [] });
  });

  it('counts donors with a free slot per country, sorted, without listing who they are', async () => {
    const client = await connect(createIdentity(), 'FR');
    expect(await client.listCountries()).toEqual([]);
    await donorIn('NL', 1);
    await donorIn('DE');
    await donorIn('DE');
    const self = await donorIn('BR');
    expect(await client.listCountries()).toEqual([
      { country: 'BR', donors: 1 },
      { country: 'DE', donors: 2 },
      { country: 'NL', donors: 1 },
    ]);
    // A donor asking does not count itself; a full donor is not counted.
    await client.findDonor({ country: 'NL' });
    expect(await self.listCountries()).toEqual([{ country: 'DE', donors: 2 }]);

    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    peer.send({ type: 'countries', requestId: 'c1' });
    const answer = await peer.next('countries');
    expect(answer).toEqual({ type: 'countries', requestId: 'c1', countries: [{ country: 'BR', donors: 1 }, { country: 'DE', donors: 2 }] });
    expect(JSON.stringify(answer)).not.toContain(self.peerId);
  });

  it('refuses a malformed countries request, and any before login', async () => {
    const peer = await rawLogin(server.url, createIdentity());
    raws.push(peer);
    peer.send({ type: 'countries' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });
    peer.send({ type: 'countries', requestId: 'c1', country: 'DE' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });
    peer.send({ type: 'countries', requestId: 'has spaces' });
    expect(await peer.next('error')).toMatchObject({ code: 'bad-message' });

    const anonymous = await rawPeer(server.url);
    raws.push(anonymous);
    await anonymous.next('challenge');
    anonymous.send({ type: 'countries', requestId: 'c2' });
    expect(await anonymous.next('error')).toMatchObject({ code: 'not-logged-in' });
  });
});

describe('signaling: limits', () => {
  it('closes a connection that does not log in in time', async () => {
    const { server } = await startServer({ loginTimeoutMs: 200 });
    try {
      const peer = await rawPeer(server.url);
      expect(await peer.next('error')).toMatchObject({ code: 'login-timeout' });
      expect(await peer.closed).toEqual({ code: 1008, reason: 'login-timeout' });
    } finally {
      await server.close();
    }
  });

  it('refuses new connections from an IP over its connection rate with HTTP 429', async () => {
    const { server } = await startServer({ ipConnectionRate: { burst: 3, perSecond: 0.01 } });
    try {
      const peers = await Promise.all([0, 1, 2].map(() => rawPeer(server.url)));
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(server.url);
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
      expect(status).toBe(429);
      for (const peer of peers) peer.ws.terminate();
      expect(await metricValue(server, 'porchlight_signaling_rate_limit_drops_total{scope="ip-connection"}')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('rate-limits countries requests like any other message', async () => {
    const { server } = await startServer({ peerMessageRate: { burst: 5, perSecond: 0.01 } });
    try {
      const peer = await rawLogin(server.url, createIdentity());
      for (let i = 0; i < 20; i++) peer.send({ type: 'countries', requestId: `c${i}` });
      expect(await peer.next('error')).toMatchObject({ code: 'rate-limited' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(peer.received.filter((m) => m.type === 'countries')).toHaveLength(5);
      expect(await metricValue(server, 'porchlight_signaling_messages_total{type="countries"}')).toBe(5);
      peer.ws.terminate();
    } finally {
      await server.close();
    }
  });

  it('rate-limits a flooding peer while staying responsive to others', async () => {
    const peerRate = { burst: 50, perSecond: 50 };
    const { server } = await startServer({ peerMessageRate: peerRate, ipMessageRate: { burst: 100_000, perSecond: 100_000 } });
    try {
      const other = await connectSignaling({ url: server.url, identity: createIdentity(), WebSocketImpl: wsIn() });
      const flooder = await rawLogin(server.url, createIdentity());
      const started = Date.now();
      for (let i = 0; i < 2_000; i++) flooder.send({ type: 'ping', id: `p${i}` });

      const healthStarted = Date.now();
      const health = await fetch(httpUrl(server, '/healthz'));
      expect(health.status).toBe(200);
      expect(Date.now() - healthStarted).toBeLessThan(1_000);
      await expect(other.findDonor()).rejects.toMatchObject({ code: 'no-donor' }); // answered, not starved

      expect(await flooder.next('error')).toMatchObject({ code: 'rate-limited' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const elapsedSeconds = (Date.now() - started) / 1000;
      const pongs = flooder.received.filter((m) => m.type === 'pong').length;
      expect(pongs).toBeGreaterThan(0);
      expect(pongs).toBeLessThanOrEqual(peerRate.burst + Math.ceil(peerRate.perSecond * elapsedSeconds) + 1);
      // One notice per second at most: the refusals do not amplify the flood.
      expect(flooder.received.filter((m) => m.type === 'error').length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
      expect(await metricValue(server, 'porchlight_signaling_rate_limit_drops_total{scope="peer-message"}')).toBeGreaterThan(1_000);
      other.close();
      flooder.ws.terminate();
    } finally {
      await server.close();
    }
  });

  it('drops a slow consumer whose queued bytes exceed the bound, and says why', async () => {
    const maxBufferedBytes = 64 * 1024;
    const generous = { burst: 100_000, perSecond: 100_000 };
    const { server, logs } = await startServer({ maxBufferedBytes, peerMessageRate: generous, ipMessageRate: generous });
    try {
      const slowIdentity = createIdentity();
      const slow = await rawLogin(server.url, slowIdentity);
      slow.ws.pause(); // stop reading: the kernel buffers fill, then the server's queue grows
      const senderIdentity = createIdentity();
      const sender = await rawLogin(server.url, senderIdentity);
      const body = {
        from: senderIdentity.peerId,
        to: slowIdentity.peerId,
        session: newSignalSession(),
        kind: 'candidate',
        data: 'x'.repeat(15 * 1024),
        ts: Date.now(),
      };
      const text = JSON.stringify({ type: 'signal', to: slowIdentity.peerId, envelope: sealEnvelope(senderIdentity, signatureTags.signal, body) });
      // Loopback socket buffers hold a few MB; keep pushing until the server gives up on the reader.
      for (let batch = 0; batch < 400 && server.stats().peers === 2; batch++) {
        for (let i = 0; i < 50; i++) sender.ws.send(text);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await waitFor(() => server.stats().peers === 1, 'the slow consumer to be dropped');
      expect(await sender.next('error')).toMatchObject({ code: 'peer-unavailable' });
      const line = logs.find((l) => l.message.startsWith('dropping slow consumer'));
      expect(line?.level).toBe('warn');
      expect(line?.fields).toMatchObject({ peerId: slowIdentity.peerId, maxBufferedBytes });
      expect(await metricValue(server, 'porchlight_signaling_slow_consumer_drops_total')).toBe(1);
      slow.ws.resume();
      expect((await slow.closed).code).toBe(1006);
      sender.ws.terminate();
    } finally {
      await server.close();
    }
  });
});

describe('signaling: abuse limits', () => {
  // Many peers from few addresses in a few seconds: the per-IP connection rate is not what these test.
  const manyConnections = { burst: 1_000, perSecond: 1_000 };
  const servers: SignalingServer[] = [];
  const clients: SignalingClient[] = [];
  const raws: RawPeer[] = [];

  async function start(overrides: SignalingServerOptions = {}): Promise<SignalingServer> {
    const { server } = await startServer({ ipConnectionRate: manyConnections, ...overrides });
    servers.push(server);
    return server;
  }
  async function connectAt(server: SignalingServer, address: string, country?: string): Promise<SignalingClient> {
    const client = await connectSignaling({ url: server.url, identity: createIdentity(), WebSocketImpl: wsIn({ address, country }) });
    clients.push(client);
    return client;
  }
  async function rawAt(server: SignalingServer, address: string): Promise<RawPeer> {
    const peer = await rawPeer(server.url, { address });
    raws.push(peer);
    return peer;
  }
  /** `count` donors, each on an address of its own in 203.0.113.0/24. */
  async function donors(server: SignalingServer, count: number, maxSessions: number): Promise<SignalingClient[]> {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const donor = await connectAt(server, `203.0.113.${i + 1}`, 'DE');
        await donor.announce({ ...listingFields, maxSessions });
        return donor;
      }),
    );
  }
  /** Finds until the server says no-donor (or `max` answers), sending an offer to each donor found when `offer` is set. */
  async function reserveAll(peer: SignalingClient, max: number, offer: boolean): Promise<number> {
    let found = 0;
    for (let i = 0; i < max; i++) {
      let donor: string;
      try {
        donor = (await peer.findDonor()).peerId;
      } catch (error) {
        if (error instanceof SignalingError && error.code === 'no-donor') break;
        throw error;
      }
      found += 1;
      if (offer) peer.sendSignal(donor, { session: newSignalSession(), kind: 'offer', data: { type: 'offer', sdp: 'v=0' } });
    }
    return found;
  }
  async function upgradeStatus(server: SignalingServer, address: string): Promise<number> {
    return new Promise<number>((resolve) => {
      const ws = new WebSocket(server.url, { headers: { [addressHeader]: address } });
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => {});
    });
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const raw of raws.splice(0)) raw.ws.terminate();
    for (const server of servers.splice(0)) await server.close();
  });

  it('leaves donors for an honest client when one peer sends a find for every slot', async () => {
    const server = await start();
    await donors(server, 10, 4);
    const attacker = await rawLogin(server.url, createIdentity(), { address: '198.51.100.7' });
    raws.push(attacker);
    for (let i = 0; i < 40; i++) attacker.send({ type: 'find', requestId: `f${i}` });
    await waitFor(() => attacker.received.filter((m) => m.type === 'found' || m.type === 'error').length === 40, 'every find to be answered');

    const honest = await connectAt(server, '192.0.2.1', 'FR');
    await expect(honest.findDonor()).resolves.toMatchObject({ country: 'DE' });
  });

  it.each([
    { network: 'one IPv4 address', address: (i: number) => (i % 2 === 0 ? '198.51.100.7' : '::ffff:198.51.100.7') },
    { network: 'one IPv6 /64', address: (i: number) => `2001:db8:7:7:${(i + 1).toString(16)}::1` },
  ])('leaves donors for an honest client when many identities from $network offer on every slot they get', async ({ address }) => {
    const server = await start();
    await donors(server, 10, 4);
    const attackers = await Promise.all(Array.from({ length: 20 }, (_, i) => connectAt(server, address(i))));
    const held = await Promise.all(attackers.map((attacker) => reserveAll(attacker, 4, true)));
    expect(held.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const honest = await connectAt(server, '192.0.2.1', 'FR');
    await expect(honest.findDonor()).resolves.toMatchObject({ country: 'DE' });
  });

  it('gives an honest client a slot when one network holds every slot of the few donors there are', async () => {
    const server = await start();
    await donors(server, 2, 4);
    const attackers = await Promise.all(Array.from({ length: 8 }, () => connectAt(server, '198.51.100.7')));
    for (const attacker of attackers) await reserveAll(attacker, 4, true);
    const empty = attackers.at(-1)!; // got nothing: the first two took all eight slots
    await expect(empty.findDonor()).rejects.toMatchObject({ code: 'no-donor' });

    const honest = await connectAt(server, '192.0.2.1', 'FR');
    await expect(honest.findDonor()).resolves.toMatchObject({ country: 'DE' });
    // The hoarding network cannot take it back: it still holds far more than the honest one.
    await expect(empty.findDonor()).rejects.toMatchObject({ code: 'no-donor' });
  });

  it('releases a slot no offer followed once the offer timeout passes, and keeps one an offer followed', async () => {
    let skewMs = 0;
    const offerTimeoutMs = 10_000;
    const sessionReservationMs = 60_000;
    const server = await start({ now: () => Date.now() + skewMs, offerTimeoutMs, sessionReservationMs });
    const [donor] = await donors(server, 1, 1);
    const offers: string[] = [];
    donor!.onSignal((from, body) => void (body.kind === 'offer' && offers.push(from)));
    const first = await connectAt(server, '192.0.2.1');
    const second = await connectAt(server, '192.0.2.2');
    const third = await connectAt(server, '192.0.2.3');

    await expect(first.findDonor()).resolves.toMatchObject({ peerId: donor!.peerId }); // and never sends an offer
    await expect(second.findDonor()).rejects.toMatchObject({ code: 'no-donor' });
    skewMs += offerTimeoutMs + 1;
    await expect(second.findDonor()).resolves.toMatchObject({ peerId: donor!.peerId });
    second.sendSignal(donor!.peerId, { session: newSignalSession(), kind: 'offer', data: { type: 'offer', sdp: 'v=0' } });
    await waitFor(() => offers.includes(second.peerId), 'the offer to reach the donor');

    skewMs += offerTimeoutMs + 1;
    await expect(third.findDonor()).rejects.toMatchObject({ code: 'no-donor' });
    skewMs += sessionReservationMs;
    await expect(third.findDonor()).resolves.toMatchObject({ peerId: donor!.peerId });
  });

  it('releases the slots a peer held without an offer when it disconnects', async () => {
    const server = await start();
    const [donor] = await donors(server, 1, 1);
    const leaving = await connectAt(server, '192.0.2.1');
    await leaving.findDonor();
    const other = await connectAt(server, '192.0.2.2');
    await expect(other.findDonor()).rejects.toMatchObject({ code: 'no-donor' });
    leaving.close();
    await waitFor(() => server.stats().peers === 2, 'the peer to leave');
    await expect(other.findDonor()).resolves.toMatchObject({ peerId: donor!.peerId });
  });

  it('refuses the connection over the per-IPv4 cap with too-many-connections, and a closed one frees its place', async () => {
    const server = await start({ maxConnectionsPerIp: 3 });
    const held = await Promise.all([0, 1, 2].map(() => rawAt(server, '198.51.100.7')));
    for (const peer of held) await peer.next('challenge');

    for (const address of ['198.51.100.7', '::ffff:198.51.100.7']) {
      const refused = await rawAt(server, address);
      expect(await refused.next('error')).toMatchObject({ code: 'too-many-connections' });
      expect(await refused.closed).toEqual({ code: 1013, reason: 'too-many-connections' });
      expect(refused.received.some((m) => m.type === 'challenge')).toBe(false);
    }
    const attempt = connectSignaling({ url: server.url, identity: createIdentity(), WebSocketImpl: wsIn({ address: '198.51.100.7' }) });
    await expect(attempt).rejects.toMatchObject({ code: 'too-many-connections', message: expect.stringContaining('network') });

    await (await rawAt(server, '198.51.100.8')).next('challenge'); // another address is not affected
    held[0]!.ws.close();
    await held[0]!.closed;
    await waitFor(() => server.stats().connections === 3, 'the closed connection to be forgotten');
    await (await rawAt(server, '198.51.100.7')).next('challenge');
    expect(await metricValue(server, 'porchlight_signaling_refusals_total{code="too-many-connections"}')).toBe(3);
  });

  it('counts every address of one IPv6 /64 against one connection cap, and another /64 apart', async () => {
    const server = await start({ maxConnectionsPerIp: 2 });
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff']) await (await rawAt(server, address)).next('challenge');
    const refused = await rawAt(server, '2001:db8:1:2:abcd::9');
    expect(await refused.closed).toEqual({ code: 1013, reason: 'too-many-connections' });
    await (await rawAt(server, '2001:db8:1:3::1')).next('challenge');
  });

  it.each([
    { network: 'one IPv6 /64', same: ['2001:db8:5:5::1', '2001:db8:5:5::2', '2001:db8:5:5:1:2:3:4'], other: '2001:db8:5:6::1' },
    { network: 'one IPv4 address, mapped or not', same: ['198.51.100.9', '::ffff:198.51.100.9', '::ffff:c633:6409'], other: '198.51.100.10' },
  ])('keys the connection rate on $network', async ({ same, other }) => {
    const server = await start({ ipConnectionRate: { burst: same.length, perSecond: 0.01 } });
    for (const address of same) expect(await upgradeStatus(server, address)).toBe(101);
    expect(await upgradeStatus(server, same[0]!)).toBe(429);
    expect(await upgradeStatus(server, other)).toBe(101);
  });

  it('keys the message rate on the /64: a second address in it shares the first one’s budget', async () => {
    const server = await start({ ipMessageRate: { burst: 5, perSecond: 0.01 } });
    const first = await rawAt(server, '2001:db8:9:9::1');
    const second = await rawAt(server, '2001:db8:9:9::2');
    const elsewhere = await rawAt(server, '2001:db8:9:a::1');
    for (let i = 0; i < 5; i++) first.send({ type: 'ping', id: `p${i}` });
    await waitFor(() => first.received.filter((m) => m.type === 'pong').length === 5, 'five pongs');
    second.send({ type: 'ping', id: 'q' });
    expect(await second.next('error')).toMatchObject({ code: 'rate-limited' });
    elsewhere.send({ type: 'ping', id: 'r' });
    expect(await elsewhere.next('pong')).toEqual({ type: 'pong', id: 'r' });
  });
});
