// The signaling server: authenticates peers with an ed25519 challenge, keeps donor presence,
// answers `find` and `countries`, and relays signed SDP/ICE envelopes between logged-in peers. Nothing else:
// it never sees tunnel traffic, and peers verify every envelope themselves.
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { randomId } from '../protocol/bytes.ts';
import { signatureTags } from '../protocol/identity.ts';
import {
  SignalingMessageError,
  challengeNonceBytes,
  listingBodySchema,
  maxCountryEntries,
  maxDonorPageEntries,
  maxErrorMessageChars,
  parseClientMessage,
  signalBodySchema,
  signalingErrorMessages,
  signalingProtocolVersion,
  verifyLogin,
  type ClientMessage,
  type ListingBody,
  type ServerMessage,
  type SignalBody,
  type SignalingErrorCode,
} from '../protocol/signaling-messages.ts';
import { EnvelopeError, openEnvelope, readEnvelopeUnverified } from '../protocol/signed-envelope.ts';
import { defaultSignalingConfig, type RateLimit, type SignalingConfig } from './config.ts';
import { createHttpHandler, rejectUpgrade } from './http.ts';
import { createGeoipLookup, normalizeCountry, type LookupCountry } from './geoip.ts';
import { createSignalingLogger, type SignalingLogger } from './log.ts';
import { createSignalingMetrics, type RateLimitScope } from './metrics.ts';
import { networkKey } from './network-key.ts';
import { createPresence } from './presence.ts';
import { createKeyedRateLimiter } from './rate-limit.ts';

/** WebSocket close codes the server uses; the close reason is the error code. */
export const signalingCloseCodes = {
  goingAway: 1001,
  policyViolation: 1008,
  tooLarge: 1009,
  tryAgainLater: 1013,
  replaced: 4001,
} as const;
/** Malformed messages tolerated on one connection before it is closed. */
export const maxBadMessagesPerConnection = 16;
/** At most one `rate-limited` notice per connection per this many milliseconds (notices must not amplify a flood). */
export const rateLimitNoticeIntervalMs = 1_000;
/** Messages up to this multiple of `maxMessageBytes` are read and answered with `too-large`; bigger ones are cut off by ws. */
const hardFrameCapFactor = 2;
/** Time close() gives peers to answer the close frame before their sockets are destroyed, in milliseconds. */
const closeGraceMs = 1_000;

/** Config plus injected dependencies. */
export interface SignalingServerOptions extends Partial<SignalingConfig> {
  /** Milliseconds clock for rate limits, reservations and listing freshness; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Country of a connecting peer; defaults to the embedded GeoIP database. */
  readonly lookupCountry?: LookupCountry;
  /** Structured logger; defaults to pino JSON on stdout at `logLevel`. */
  readonly logger?: SignalingLogger;
  /** Uniform [0, 1) source for choosing donors; defaults to the CSPRNG. */
  readonly random?: () => number;
  /**
   * Address a connection comes from, which every per-IP limit and the country are keyed on;
   * defaults to the TCP peer address. Tests inject one to play several networks from loopback.
   */
  readonly remoteAddress?: (request: IncomingMessage) => string | undefined;
}

/** Counts for health checks and tests. */
export interface SignalingServerStats {
  readonly connections: number;
  readonly peers: number;
  readonly donors: number;
}

/** A running server. */
export interface SignalingServer {
  /** WebSocket URL peers connect to, e.g. ws://127.0.0.1:8787. */
  readonly url: string;
  readonly port: number;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
  stats(): SignalingServerStats;
}

interface Connection {
  readonly ws: WebSocket;
  readonly ip: string;
  /** What per-IP limits count in: the IPv4 address or IPv6 /64 of `ip`. */
  readonly network: string;
  readonly country: string;
  nonce: string | undefined;
  peerId: string | undefined;
  loginTimer: ReturnType<typeof setTimeout> | undefined;
  alive: boolean;
  badMessages: number;
  lastRateLimitNoticeAt: number;
}

/**
 * Starts a signaling server listening on `host:port` (port 0 picks a free one).
 * @throws {Error} when the port cannot be bound.
 */
export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const config: SignalingConfig = { ...defaultSignalingConfig, ...definedOnly(options) };
  const now = options.now ?? Date.now;
  const remoteAddress = options.remoteAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress);
  const logger = options.logger ?? createSignalingLogger(config.logLevel);
  const lookupCountry = options.lookupCountry ?? createGeoipLookup();
  const metrics = createSignalingMetrics();
  const presence = createPresence({
    now,
    random: options.random,
    sessionReservationMs: config.sessionReservationMs,
    offerTimeoutMs: config.offerTimeoutMs,
    maxPerPeer: config.maxReservationsPerPeer,
    maxPerIp: config.maxReservationsPerIp,
  });
  const limiter = (rate: RateLimit) => createKeyedRateLimiter({ capacity: rate.burst, refillPerSecond: rate.perSecond, now });
  const ipConnections = limiter(config.ipConnectionRate);
  const ipMessages = limiter(config.ipMessageRate);
  const peerMessages = limiter(config.peerMessageRate);
  const connections = new Set<Connection>();
  const peers = new Map<string, Connection>();
  /** Open connections per network; a key is deleted when its count drops to zero. */
  const networkConnections = new Map<string, number>();
  /** Sockets accepted only to be told why they are refused; close() ends them too. */
  const refusing = new Set<WebSocket>();

  const http = createServer(createHttpHandler({ metrics, stats }));
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * hardFrameCapFactor, perMessageDeflate: false });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const ip = remoteAddress(request) ?? 'unknown';
    const network = networkKey(ip);
    if (connections.size >= config.maxConnections) {
      metrics.refuse('overloaded');
      return rejectUpgrade(socket, 503, 'overloaded');
    }
    if (!ipConnections.take(network)) {
      metrics.rateLimitDrops.inc({ scope: 'ip-connection' });
      metrics.refuse('rate-limited');
      return rejectUpgrade(socket, 429, 'rate-limited');
    }
    if ((networkConnections.get(network) ?? 0) >= config.maxConnectionsPerIp) {
      // Accepted to be refused in words: a browser's WebSocket never shows an HTTP status, but it
      // does show a close code and reason. The connection rate above bounds how often this costs us.
      return wss.handleUpgrade(request, socket, head, (ws) => refuseConnection(ws, ip, network));
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, ip, network));
  });
  const keepalive = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        logger.info({ peerId: conn.peerId, ip: conn.ip }, 'dropping peer: no pong to the last ping');
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, config.pingIntervalMs);
  keepalive.unref();

  function refuseConnection(ws: WebSocket, ip: string, network: string): void {
    const code = 'too-many-connections';
    metrics.refuse(code);
    logger.info({ ip, network, maxConnectionsPerIp: config.maxConnectionsPerIp }, 'refusing connection: too many open from this network');
    refusing.add(ws);
    ws.on('error', () => {});
    ws.once('close', () => refusing.delete(ws));
    ws.send(JSON.stringify({ type: 'error', code, message: signalingErrorMessages[code] } satisfies ServerMessage));
    ws.close(signalingCloseCodes.tryAgainLater, code);
    // A peer that never answers the close frame must not hold the socket (and its place) for long.
    setTimeout(() => ws.terminate(), closeGraceMs).unref();
  }

  function accept(ws: WebSocket, request: IncomingMessage, ip: string, network: string): void {
    const nonce = randomId(challengeNonceBytes);
    const conn: Connection = {
      ws,
      ip,
      network,
      country: safeCountry(ip, request),
      nonce,
      peerId: undefined,
      loginTimer: undefined,
      alive: true,
      badMessages: 0,
      lastRateLimitNoticeAt: Number.NEGATIVE_INFINITY,
    };
    connections.add(conn);
    networkConnections.set(network, (networkConnections.get(network) ?? 0) + 1);
    metrics.connectionsTotal.inc();
    metrics.connectionsOpen.set(connections.size);
    conn.loginTimer = setTimeout(() => refuseAndClose(conn, 'login-timeout', signalingCloseCodes.policyViolation), config.loginTimeoutMs);
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(conn, data, isBinary);
      } catch (error) {
        // A bug must cost one peer an error reply, never the whole process.
        logger.error({ peerId: conn.peerId, ip, err: error instanceof Error ? error.stack : String(error) }, 'message handler failed');
        sendError(conn, 'internal');
      }
    });
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket itself (1009) when a frame exceeds the hard cap.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.refuse('too-large');
      logger.info({ peerId: conn.peerId, ip, err: error.message }, 'websocket error');
    });
    ws.on('close', () => forget(conn));
    send(conn, { type: 'challenge', v: signalingProtocolVersion, nonce });
  }

  function safeCountry(ip: string, request: IncomingMessage): string {
    try {
      return normalizeCountry(lookupCountry(ip, request));
    } catch (error) {
      logger.warn({ ip, err: String(error) }, 'country lookup failed; using ZZ');
      return normalizeCountry(undefined);
    }
  }

  function forget(conn: Connection): void {
    clearTimeout(conn.loginTimer);
    if (!connections.delete(conn)) return;
    const open = (networkConnections.get(conn.network) ?? 1) - 1;
    if (open > 0) networkConnections.set(conn.network, open);
    else networkConnections.delete(conn.network);
    metrics.connectionsOpen.set(connections.size);
    if (conn.peerId && peers.get(conn.peerId) === conn) {
      peers.delete(conn.peerId);
      presence.leave(conn.peerId);
      if (presence.withdraw(conn.peerId)) metrics.donorsOnline.set(presence.donorCount());
    }
    logger.debug({ peerId: conn.peerId, ip: conn.ip }, 'connection closed');
  }

  function onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const bytes = rawDataBytes(data);
    if (bytes.length > config.maxMessageBytes) {
      metrics.message('invalid');
      return refuseAndClose(conn, 'too-large', signalingCloseCodes.tooLarge, `${bytes.length} bytes; at most ${config.maxMessageBytes}`);
    }
    if (!ipMessages.take(conn.network)) return rateLimited(conn, 'ip-message');
    if (conn.peerId && !peerMessages.take(conn.peerId)) return rateLimited(conn, 'peer-message');
    if (isBinary) return badMessage(conn, 'binary frames are not part of the protocol');
    let message: ClientMessage;
    try {
      message = parseClientMessage(bytes.toString('utf8'), { maxBytes: config.maxMessageBytes });
    } catch (error) {
      if (!(error instanceof SignalingMessageError)) throw error;
      metrics.message('invalid');
      return badMessage(conn, error.message);
    }
    metrics.message(message.type);
    if (message.type === 'ping') return void send(conn, { type: 'pong', ...(message.id ? { id: message.id } : {}) });
    if (message.type === 'login') return login(conn, message);
    const peerId = conn.peerId;
    if (!peerId) return sendError(conn, 'not-logged-in');
    switch (message.type) {
      case 'announce':
        return announce(conn, peerId, message);
      case 'withdraw':
        if (presence.withdraw(peerId)) metrics.donorsOnline.set(presence.donorCount());
        return;
      case 'find': {
        const donor = presence.pick({
          country: message.country,
          exclude: message.exclude,
          requester: peerId,
          network: conn.network,
          donor: message.donor,
          sponsor: message.sponsor,
        });
        if (!donor) return sendError(conn, 'no-donor', undefined, { requestId: message.requestId });
        send(conn, { type: 'found', requestId: message.requestId, donor: { listing: donor.listing, country: donor.country } });
        return;
      }
      case 'countries':
        // Counts only: a list of peer ids would hand out the whole directory without reserving anything.
        send(conn, { type: 'countries', requestId: message.requestId, countries: presence.countries(peerId, maxCountryEntries) });
        return;
      case 'donors':
        return listDonors(conn, peerId, message);
      case 'signal':
        return relay(conn, peerId, message);
      default:
        return assertNever(message);
    }
  }

  function login(conn: Connection, message: Extract<ClientMessage, { type: 'login' }>): void {
    if (conn.peerId) return badMessage(conn, 'already logged in');
    if (!conn.nonce || !verifyLogin(message.peerId, conn.nonce, config.audience, message.sig)) {
      return refuseAndClose(conn, 'login-failed', signalingCloseCodes.policyViolation);
    }
    clearTimeout(conn.loginTimer);
    conn.nonce = undefined;
    conn.peerId = message.peerId;
    const previous = peers.get(message.peerId);
    if (previous) {
      // The newest login wins (a reload or a network change); its old listing is not trusted to still hold.
      if (presence.withdraw(message.peerId)) metrics.donorsOnline.set(presence.donorCount());
      refuseAndClose(previous, 'replaced', signalingCloseCodes.replaced);
    }
    peers.set(message.peerId, conn);
    logger.info({ peerId: message.peerId, ip: conn.ip, country: conn.country }, 'peer logged in');
    send(conn, { type: 'welcome', peerId: message.peerId, country: conn.country, iceServers: [...config.iceServers] });
  }

  function announce(conn: Connection, peerId: string, message: Extract<ClientMessage, { type: 'announce' }>): void {
    const context = message.requestId ? { requestId: message.requestId } : {};
    let body: ListingBody;
    try {
      body = openEnvelope(message.listing, signatureTags.listing, peerId, listingBodySchema);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      return sendError(conn, 'bad-listing', error.message, context);
    }
    if (body.peerId !== peerId) return sendError(conn, 'bad-listing', 'the listing names another peer', context);
    if (Math.abs(body.issuedAt - now()) > config.listingMaxSkewMs) {
      return sendError(conn, 'bad-listing', 'issuedAt is too far from the server clock', context);
    }
    presence.announce({ peerId, listing: message.listing, body, country: conn.country });
    metrics.donorsOnline.set(presence.donorCount());
    logger.info({ peerId, country: conn.country, tierMbps: body.tierMbps, maxSessions: body.maxSessions }, 'donor announced');
    send(conn, { type: 'announced', ...context });
  }

  /**
   * One page of the directory. Each listing beyond the first costs one more message from the peer's
   * and the IP's buckets, so a page reveals no more listings per second than `find`s would (and,
   * unlike them, reserves no slot); a page the buckets cannot pay for whole is cut short.
   */
  function listDonors(conn: Connection, peerId: string, message: Extract<ClientMessage, { type: 'donors' }>): void {
    const page = presence.page(peerId, message.after, maxDonorPageEntries);
    let count = page.donors.length;
    while (count > 1 && !peerMessages.take(peerId, count - 1)) count = Math.floor(count / 2);
    if (count > 1 && !ipMessages.take(conn.network, count - 1)) count = 1;
    const donors = page.donors.slice(0, count);
    const more = page.more || count < page.donors.length;
    const last = donors[donors.length - 1];
    send(conn, {
      type: 'donors',
      requestId: message.requestId,
      donors: donors.map((donor) => ({ listing: donor.listing, country: donor.country })),
      ...(more && last ? { next: last.peerId } : {}),
    });
  }

  function relay(conn: Connection, peerId: string, message: Extract<ClientMessage, { type: 'signal' }>): void {
    // Routing needs only the body's addresses; the receiving peer checks the signature.
    let body: SignalBody;
    try {
      body = readEnvelopeUnverified(message.envelope, signalBodySchema);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      return sendError(conn, 'bad-signal', error.message, { to: message.to });
    }
    const context = { to: message.to, session: body.session };
    if (body.from !== peerId) return sendError(conn, 'bad-signal', 'envelope "from" is not the logged-in sender', context);
    if (body.to !== message.to) return sendError(conn, 'bad-signal', 'envelope "to" differs from the addressee', context);
    const target = peers.get(message.to);
    if (!target || !send(target, { type: 'signal', from: peerId, fromCountry: conn.country, envelope: message.envelope })) {
      return sendError(conn, 'peer-unavailable', undefined, context);
    }
    metrics.signalsRelayed.inc();
    // The offer is what ties a find's reservation to a session being set up.
    if (body.kind === 'offer') presence.offered(peerId, message.to);
  }

  function rateLimited(conn: Connection, scope: RateLimitScope): void {
    metrics.rateLimitDrops.inc({ scope });
    const at = now();
    if (at - conn.lastRateLimitNoticeAt < rateLimitNoticeIntervalMs) return;
    conn.lastRateLimitNoticeAt = at;
    logger.info({ peerId: conn.peerId, ip: conn.ip, scope }, 'rate limit: dropping messages');
    sendError(conn, 'rate-limited');
  }

  function badMessage(conn: Connection, detail: string): void {
    conn.badMessages += 1;
    if (conn.badMessages > maxBadMessagesPerConnection) {
      return refuseAndClose(conn, 'bad-message', signalingCloseCodes.policyViolation, 'too many malformed messages');
    }
    sendError(conn, 'bad-message', detail);
  }

  function sendError(conn: Connection, code: SignalingErrorCode, detail?: string, context: ErrorContext = {}): void {
    metrics.refuse(code);
    const text = detail ? `${signalingErrorMessages[code]} (${detail})` : signalingErrorMessages[code];
    send(conn, { type: 'error', code, message: text.slice(0, maxErrorMessageChars), ...context });
  }

  function refuseAndClose(conn: Connection, code: SignalingErrorCode, closeCode: number, detail?: string): void {
    logger.info({ peerId: conn.peerId, ip: conn.ip, code, detail }, 'closing connection');
    sendError(conn, code, detail);
    conn.ws.close(closeCode, code);
  }

  /** Sends unless the socket is gone; a socket whose queue is over the bound is dropped (false). */
  function send(conn: Connection, message: ServerMessage): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    const text = JSON.stringify(message);
    const queued = conn.ws.bufferedAmount + Buffer.byteLength(text);
    if (queued > config.maxBufferedBytes) {
      // Backpressure rule: a reader this far behind is not coming back; holding its data only grows memory.
      logger.warn(
        { peerId: conn.peerId, ip: conn.ip, bufferedBytes: conn.ws.bufferedAmount, maxBufferedBytes: config.maxBufferedBytes },
        'dropping slow consumer: queued outbound bytes exceed the bound',
      );
      metrics.slowConsumerDrops.inc();
      conn.ws.terminate();
      return false;
    }
    conn.ws.send(text);
    return true;
  }

  function stats(): SignalingServerStats {
    return { connections: connections.size, peers: peers.size, donors: presence.donorCount() };
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ host: config.host, port }, 'signaling server listening');

  return {
    url: `ws://${host}:${port}`,
    port,
    stats,
    async close() {
      clearInterval(keepalive);
      const closed = [...connections].map((conn) => new Promise<void>((resolve) => conn.ws.once('close', () => resolve())));
      for (const conn of connections) conn.ws.close(signalingCloseCodes.goingAway, 'server shutting down');
      const grace = new Promise<void>((resolve) => setTimeout(resolve, closeGraceMs).unref());
      await Promise.race([Promise.all(closed), grace]);
      for (const conn of connections) conn.ws.terminate();
      for (const ws of refusing) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

interface ErrorContext {
  readonly requestId?: string;
  readonly to?: string;
  readonly session?: string;
}

function rawDataBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function definedOnly(options: SignalingServerOptions): Partial<SignalingConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaultSignalingConfig)) {
    const value: unknown = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<SignalingConfig>;
}

function assertNever(value: never): never {
  throw new TypeError(`unhandled message ${JSON.stringify(value)}`);
}
