// The peer side of signaling: log in with the identity key, announce as a donor, find a donor,
// and exchange signed SDP/ICE envelopes. Runs in the extension and in Node alike (no Node
// APIs; the WebSocket constructor is injected), and trusts nothing the server relays: every
// listing and signal is checked against the signature of the peer it claims to come from.
import type { z } from 'zod';
import { randomId } from '../../protocol/bytes.ts';
import { isPeerId, signatureTags, type Identity } from '../../protocol/identity.ts';
import { describeSchemaError } from '../../protocol/schema-error.ts';
import {
  SignalingMessageError,
  clientMessageSchema,
  defaultSignalingAudience,
  listingBodySchema,
  parseServerMessage,
  signLogin,
  signalBodySchema,
  signalingErrorMessages,
  type ClientMessage,
  type CountryDonors,
  type IceServer,
  type ListingBody,
  type ServerMessage,
  type SignalBody,
  type SignalKind,
  type SignalingErrorCode,
} from '../../protocol/signaling-messages.ts';
import { EnvelopeError, openEnvelope, readEnvelopeUnverified, sealEnvelope, type Envelope } from '../../protocol/signed-envelope.ts';

/** Time from opening the socket to `welcome`, in milliseconds. */
export const connectTimeoutMs = 15_000;
/** Time a request (`announce`, `find`, `countries`) waits for its answer, in milliseconds. */
export const requestTimeoutMs = 10_000;
/** Largest difference between a signal's `ts` and this clock for it to be delivered, in milliseconds. */
export const signalMaxClockSkewMs = 5 * 60_000;
/** Random bytes in a session id made by `newSignalSession` (sent as hex). */
export const signalSessionBytes = 16;

/** Failures the client itself detects, beside the server's error codes. */
export type SignalingClientFailure = 'timeout' | 'closed' | 'aborted' | 'connect-failed' | 'bad-response';
/** A server error code or a client-side failure. */
export type SignalingClientErrorCode = SignalingErrorCode | SignalingClientFailure;

const clientFailureMessages: Readonly<Record<SignalingClientFailure, string>> = {
  timeout: 'The signaling server did not answer in time: it may be down or slow, or this computer may be offline. Try again.',
  closed: 'The connection to the signaling server is closed. Reconnect and try again.',
  aborted: 'The signaling connection was cancelled.',
  'connect-failed': 'Could not reach the signaling server: it may be down, or this computer may be offline. The server address is in the options.',
  'bad-response':
    'The signaling server sent something this version of the extension does not understand or cannot verify. Update the extension.',
};

/** A signaling failure, with a message written for the person using the extension. */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  /** Creates an error; `message` defaults to the user-facing text for `code`. */
  constructor(
    readonly code: SignalingClientErrorCode,
    message?: string,
    /** For signal errors: the addressee and session the server refused. */
    readonly context: { readonly to?: string; readonly session?: string } = {},
  ) {
    super(message ?? messageFor(code));
  }
}

function messageFor(code: SignalingClientErrorCode): string {
  return code in clientFailureMessages
    ? clientFailureMessages[code as SignalingClientFailure]
    : signalingErrorMessages[code as SignalingErrorCode];
}

/** The few WebSocket members the client uses, met by the browser's WebSocket and by ws's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number; readonly reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}
/** A WebSocket constructor (the browser global, or `WebSocket` from the ws package). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of `connectSignaling`. */
export interface ConnectSignalingOptions {
  /** ws:// or wss:// URL of the signaling server. */
  readonly url: string;
  readonly identity: Identity;
  /** Defaults to `globalThis.WebSocket`. */
  readonly WebSocketImpl?: WebSocketConstructor;
  /** Aborting closes the connection (and rejects a pending connect). */
  readonly signal?: AbortSignal;
  /** Must equal the server's audience; defaults to 'porchlight-signaling'. */
  readonly audience?: string;
  /** Milliseconds clock for signal timestamps; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** The donor-chosen parts of a listing; `peerId` and `issuedAt` are filled in when announcing. */
export type ListingFields = Omit<ListingBody, 'peerId' | 'issuedAt'>;

/** A donor whose listing verified against its own key. */
export interface VerifiedDonor {
  readonly peerId: string;
  /** Country the server observed for the donor ('ZZ' unknown); the server's word, not signed. */
  readonly country: string;
  readonly listing: ListingBody;
  /** The signed listing as received, for keeping or forwarding. */
  readonly envelope: Envelope;
}

/** What `findDonor` looks for. */
export interface DonorQuery {
  /** ISO 3166-1 alpha-2 code, uppercase. */
  readonly country?: string;
  /** Peer ids not to be offered (at most 32). */
  readonly exclude?: readonly string[];
  /** Only this donor's peer id: the answer is that donor or 'no-donor'. */
  readonly donor?: string;
  /** Only donors sharing for this partner's sponsor code. */
  readonly sponsor?: string;
}

/** What the server tells about a relayed signal beside the signed envelope. */
export interface SignalMeta {
  /** Country the server observed for the sender ('ZZ' unknown); the server's word, not signed. */
  readonly country: string;
}

/** A signal to send; `from`, `to` and `ts` are filled in. */
export interface OutgoingSignal {
  readonly session: string;
  readonly kind: SignalKind;
  readonly data: unknown;
  readonly nonce?: string;
}

/** How the connection ended. */
export interface SignalingCloseInfo {
  readonly code: number;
  readonly reason: string;
  /** The server's explanation when it closed us (e.g. 'replaced', 'login-timeout'). */
  readonly error?: SignalingError;
}

/** A logged-in signaling connection. */
export interface SignalingClient {
  readonly peerId: string;
  /** Country the server observed for this peer ('ZZ' unknown). */
  readonly country: string;
  /** STUN/TURN servers to give RTCPeerConnection. */
  readonly iceServers: readonly IceServer[];
  /**
   * Announces this peer as a donor (again, to update the listing).
   * @throws {SignalingError} 'bad-listing' when refused, 'timeout' or 'closed'.
   * @throws {TypeError} when the fields are not a valid listing.
   */
  announce(fields: ListingFields): Promise<void>;
  /** Stops being offered to clients. */
  withdraw(): void;
  /**
   * Asks for a donor and verifies its signed listing.
   * @throws {SignalingError} 'no-donor', 'bad-response' (listing does not verify or is not the donor asked for),
   *   'timeout', 'closed'.
   * @throws {TypeError} when the query is malformed.
   */
  findDonor(query?: DonorQuery): Promise<VerifiedDonor>;
  /**
   * Countries that have donors with a free session slot (other than this peer), with how many; sorted by code.
   * @throws {SignalingError} 'bad-response', 'timeout', 'closed'.
   */
  listCountries(): Promise<CountryDonors[]>;
  /**
   * One page of the donor directory (donors with a free slot, other than this peer) in peer id
   * order after `after`, each listing verified; `next` is where the following page starts.
   * For oracles that challenge every donor; clients use `findDonor`.
   * @throws {SignalingError} 'bad-response' (a listing does not verify or is out of order), 'timeout', 'closed'.
   */
  listDonors(after?: string): Promise<{ donors: VerifiedDonor[]; next?: string }>;
  /**
   * Signs and sends a signal to peer `to`. Refusals arrive through `onError`.
   * @throws {SignalingError} 'closed' when the connection is closed.
   * @throws {TypeError} when `to` or the signal is malformed (e.g. data over 16 KiB).
   */
  sendSignal(to: string, signal: OutgoingSignal): void;
  /** Delivers verified signals addressed to this peer, with the sender's observed country; returns the unsubscribe function. */
  onSignal(handler: (from: string, body: SignalBody, meta: SignalMeta) => void): () => void;
  /** Server errors not tied to a request (rate limits, refused signals); returns the unsubscribe function. */
  onError(handler: (error: SignalingError) => void): () => void;
  /** Called once when the connection ends; returns the unsubscribe function. */
  onClose(handler: (info: SignalingCloseInfo) => void): () => void;
  /** Signals dropped because they did not verify, were not for us, or were stale. */
  stats(): { readonly droppedSignals: number };
  /** Closes the connection; pending requests reject with 'closed'. */
  close(): void;
}

/** A fresh random session id for a signal exchange. */
export function newSignalSession(): string {
  return randomId(signalSessionBytes);
}

const wsOpen = 1;
const normalClosure = 1000;

interface Pending {
  readonly resolve: (message: ServerMessage) => void;
  readonly reject: (error: SignalingError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Opens a WebSocket to `url`, answers the login challenge, and resolves once the server welcomes us.
 * @throws {SignalingError} 'login-failed', 'unsupported-version', 'timeout', 'aborted', 'connect-failed'
 *   or 'bad-response'.
 */
export function connectSignaling(options: ConnectSignalingOptions): Promise<SignalingClient> {
  const { url, identity, signal } = options;
  const audience = options.audience ?? defaultSignalingAudience;
  const now = options.now ?? Date.now;
  const WebSocketImpl: WebSocketConstructor | undefined = options.WebSocketImpl ?? globalThis.WebSocket;
  if (!WebSocketImpl) return Promise.reject(new SignalingError('connect-failed', 'No WebSocket implementation is available here.'));
  if (signal?.aborted) return Promise.reject(new SignalingError('aborted'));

  let ws: WebSocketLike;
  try {
    ws = new WebSocketImpl(url);
  } catch (error) {
    return Promise.reject(new SignalingError('connect-failed', `${messageFor('connect-failed')} (${String(error)})`));
  }

  const pending = new Map<string, Pending>();
  const signalHandlers = new Set<(from: string, body: SignalBody, meta: SignalMeta) => void>();
  const errorHandlers = new Set<(error: SignalingError) => void>();
  const closeHandlers = new Set<(info: SignalingCloseInfo) => void>();
  let droppedSignals = 0;
  let closed = false;
  let lastError: SignalingError | undefined;
  let welcome: Extract<ServerMessage, { type: 'welcome' }> | undefined;
  let settleConnect: { resolve: (client: SignalingClient) => void; reject: (error: SignalingError) => void } | undefined;

  const connectTimer = setTimeout(() => failConnect(new SignalingError('timeout')), connectTimeoutMs);
  const onAbort = () => {
    failConnect(new SignalingError('aborted'));
    shutdown(new SignalingError('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  function transmit(message: ClientMessage): void {
    if (closed || ws.readyState !== wsOpen) throw new SignalingError('closed');
    ws.send(JSON.stringify(message));
  }

  function failConnect(error: SignalingError): void {
    if (!settleConnect) return;
    const { reject } = settleConnect;
    settleConnect = undefined;
    clearTimeout(connectTimer);
    reject(error);
    shutdown(error);
  }

  function shutdown(error: SignalingError): void {
    if (closed) return;
    closed = true;
    clearTimeout(connectTimer);
    signal?.removeEventListener('abort', onAbort);
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      pending.delete(id);
      request.reject(error);
    }
    try {
      ws.close(normalClosure, error.code);
    } catch {
      // Already closing; nothing else to release.
    }
  }

  function request(message: ClientMessage, requestId: string): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        reject(new SignalingError('timeout'));
      }, requestTimeoutMs);
      pending.set(requestId, { resolve, reject, timer });
      try {
        transmit(message);
      } catch (error) {
        clearTimeout(timer);
        pending.delete(requestId);
        reject(error);
      }
    });
  }

  function settle(requestId: string | undefined, outcome: ServerMessage | SignalingError): boolean {
    const request = requestId === undefined ? undefined : pending.get(requestId);
    if (!request || requestId === undefined) return false;
    clearTimeout(request.timer);
    pending.delete(requestId);
    if (outcome instanceof SignalingError) request.reject(outcome);
    else request.resolve(outcome);
    return true;
  }

  function deliverSignal(from: string, meta: SignalMeta, envelope: Envelope): void {
    let body: SignalBody;
    try {
      body = openEnvelope(envelope, signatureTags.signal, from, signalBodySchema);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      droppedSignals += 1;
      return;
    }
    const me = identity.peerId;
    if (body.from !== from || body.to !== me || Math.abs(body.ts - now()) > signalMaxClockSkewMs) {
      droppedSignals += 1;
      return;
    }
    for (const handler of [...signalHandlers]) callSafely(() => handler(from, body, meta));
  }

  function onServerMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'challenge':
        if (welcome) return; // a second challenge after login means nothing
        transmit({ type: 'login', peerId: identity.peerId, sig: signLogin(identity, message.nonce, audience) });
        return;
      case 'welcome': {
        if (welcome || !settleConnect) return;
        if (message.peerId !== identity.peerId) return failConnect(new SignalingError('bad-response'));
        welcome = message;
        const { resolve } = settleConnect;
        settleConnect = undefined;
        clearTimeout(connectTimer);
        resolve(client(message));
        return;
      }
      case 'announced':
        settle(message.requestId, message);
        return;
      case 'found':
      case 'countries':
      case 'donors':
        settle(message.requestId, message);
        return;
      case 'pong':
        return;
      case 'signal':
        return deliverSignal(message.from, { country: message.fromCountry }, message.envelope);
      case 'error': {
        const error = new SignalingError(message.code, message.message, { to: message.to, session: message.session });
        if (settle(message.requestId, error)) return;
        if (settleConnect) return failConnect(error);
        lastError = error;
        for (const handler of [...errorHandlers]) callSafely(() => handler(error));
        return;
      }
    }
  }

  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return void (settleConnect ? failConnect(new SignalingError('bad-response')) : undefined);
    let message: ServerMessage;
    try {
      message = parseServerMessage(event.data);
    } catch (error) {
      if (!(error instanceof SignalingMessageError)) throw error;
      const failure = error.code === 'unsupported-version' ? new SignalingError('unsupported-version') : new SignalingError('bad-response');
      if (settleConnect) failConnect(failure);
      else settle(requestIdOf(event.data), failure);
      return;
    }
    try {
      onServerMessage(message);
    } catch (error) {
      if (settleConnect) failConnect(error instanceof SignalingError ? error : new SignalingError('bad-response'));
      else throw error;
    }
  });
  ws.addEventListener('close', (event) => {
    const info: SignalingCloseInfo = {
      code: event.code,
      reason: event.reason,
      ...(lastError && lastError.code === event.reason ? { error: lastError } : {}),
    };
    failConnect(info.error ?? new SignalingError(welcome ? 'closed' : 'connect-failed'));
    shutdown(info.error ?? new SignalingError('closed'));
    for (const handler of [...closeHandlers]) callSafely(() => handler(info));
    closeHandlers.clear();
  });
  // 'error' is always followed by 'close', which does the cleanup.
  ws.addEventListener('error', () => {});

  function client(hello: Extract<ServerMessage, { type: 'welcome' }>): SignalingClient {
    return {
      peerId: hello.peerId,
      country: hello.country,
      iceServers: hello.iceServers,
      async announce(fields) {
        const body = checked(listingBodySchema, { ...fields, peerId: identity.peerId, issuedAt: Math.round(now()) }, 'listing');
        const requestId = randomId(8);
        const listing = sealEnvelope(identity, signatureTags.listing, body);
        const answer = await request({ type: 'announce', listing, requestId }, requestId);
        if (answer.type !== 'announced') throw new SignalingError('bad-response');
      },
      withdraw() {
        if (!closed) transmit({ type: 'withdraw' });
      },
      async findDonor(query = {}) {
        const requestId = randomId(8);
        const message = checked(
          clientMessageSchema,
          {
            type: 'find',
            requestId,
            ...(query.country !== undefined ? { country: query.country } : {}),
            ...(query.exclude && query.exclude.length > 0 ? { exclude: [...query.exclude] } : {}),
            ...(query.donor !== undefined ? { donor: query.donor } : {}),
            ...(query.sponsor !== undefined ? { sponsor: query.sponsor } : {}),
          },
          'donor query',
        );
        const answer = await request(message, requestId);
        if (answer.type !== 'found') throw new SignalingError('bad-response');
        return verifyDonor(answer.donor, query, identity.peerId);
      },
      async listCountries() {
        const requestId = randomId(8);
        const answer = await request({ type: 'countries', requestId }, requestId);
        if (answer.type !== 'countries') throw new SignalingError('bad-response');
        return answer.countries.map(({ country, donors }) => ({ country, donors }));
      },
      async listDonors(after) {
        const requestId = randomId(8);
        const message = checked(clientMessageSchema, { type: 'donors', requestId, ...(after !== undefined ? { after } : {}) }, 'donor page');
        const answer = await request(message, requestId);
        if (answer.type !== 'donors') throw new SignalingError('bad-response');
        const donors = answer.donors.map((donor) => verifyDonor(donor, {}, identity.peerId));
        // Strictly ascending after `after`: otherwise a server could loop a pager forever.
        const ordered = donors.every((donor, i) => donor.peerId > (i === 0 ? (after ?? '') : donors[i - 1]!.peerId));
        if (!ordered || (answer.next !== undefined && answer.next !== donors[donors.length - 1]?.peerId)) {
          throw new SignalingError('bad-response', `${messageFor('bad-response')} (donor page out of order)`);
        }
        return { donors, ...(answer.next !== undefined ? { next: answer.next } : {}) };
      },
      sendSignal(to, outgoing) {
        if (!isPeerId(to)) throw new TypeError('sendSignal: `to` must be a peer id (64 lowercase hex characters)');
        const body = checked(
          signalBodySchema,
          {
            from: identity.peerId,
            to,
            session: outgoing.session,
            kind: outgoing.kind,
            data: outgoing.data,
            ...(outgoing.nonce !== undefined ? { nonce: outgoing.nonce } : {}),
            ts: Math.round(now()),
          },
          'signal',
        );
        transmit({ type: 'signal', to, envelope: sealEnvelope(identity, signatureTags.signal, body) });
      },
      onSignal: (handler) => subscribe(signalHandlers, handler),
      onError: (handler) => subscribe(errorHandlers, handler),
      onClose: (handler) => subscribe(closeHandlers, handler),
      stats: () => ({ droppedSignals }),
      close: () => shutdown(new SignalingError('closed')),
    };
  }

  return new Promise((resolve, reject) => {
    settleConnect = { resolve, reject };
  });
}

function verifyDonor(donor: { listing: Envelope; country: string }, query: DonorQuery, me: string): VerifiedDonor {
  try {
    // The listing names its signer; check the signature against that name before believing anything else.
    const claimed = readEnvelopeUnverified(donor.listing, listingBodySchema);
    const listing = openEnvelope(donor.listing, signatureTags.listing, claimed.peerId, listingBodySchema);
    const wrongPeer =
      listing.peerId === me ||
      (query.exclude ?? []).includes(listing.peerId) ||
      (query.donor !== undefined && listing.peerId !== query.donor) ||
      (query.sponsor !== undefined && listing.sponsor !== query.sponsor);
    const wrongCountry = query.country !== undefined && donor.country !== query.country;
    if (wrongPeer || wrongCountry) throw new SignalingError('bad-response');
    return { peerId: listing.peerId, country: donor.country, listing, envelope: donor.listing };
  } catch (error) {
    if (error instanceof EnvelopeError || error instanceof SignalingError) {
      throw new SignalingError('bad-response', `${messageFor('bad-response')} (donor listing: ${error.message})`);
    }
    throw error;
  }
}

/** The `requestId` of an answer that failed to parse, so its request fails now instead of timing out. */
function requestIdOf(text: string): string | undefined {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
    const requestId: unknown = (json as Record<string, unknown>)['requestId'];
    return typeof requestId === 'string' ? requestId : undefined;
  } catch {
    return undefined;
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new TypeError(`${what}: ${describeSchemaError(result.error)}`);
  return result.data;
}

function subscribe<T>(set: Set<T>, handler: T): () => void {
  set.add(handler);
  return () => void set.delete(handler);
}

function callSafely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    // One faulty handler must not starve the others; surface its error without unwinding the loop.
    queueMicrotask(() => {
      throw error;
    });
  }
}
