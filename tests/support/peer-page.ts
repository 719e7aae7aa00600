// The in-page side of the browser harness: bundled by browser-harness.ts and loaded into a plain
// page of a real Chromium, it wires the engine (donor, client, exit) to the page's own WebSocket,
// RTCPeerConnection and fetch, and exposes `window.porchlight` for puppeteer to drive. Every
// method takes and returns plain JSON so it crosses `page.evaluate` unchanged.
import { createIdentity } from '../../protocol/identity.ts';
import { startClient, type Client } from '../../offscreen/peers/client.ts';
import { startDonor, type Donor } from '../../offscreen/peers/donor.ts';
import type { ChannelCounts, ChannelPayments, Payments } from '../../offscreen/payments/channel-payments.ts';
import { createClientPayments } from '../../offscreen/payments/client-payments.ts';
import { testClientPayment, testDonorPayment, unmeteredPayments } from './payment-setup.ts';
import { initialCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import { openPaymentLedger, type ChannelRecord, type PaymentLedger } from '../../offscreen/payments/payment-ledger.ts';
import { createExit, type Exit, type ExitStats } from '../../offscreen/exit/exit.ts';
import { type ExitFetch } from '../../offscreen/exit/exit-fetch.ts';
import { createExitPolicy } from '../../offscreen/exit/policy/exit-policy.ts';
import type { Tunnel, TunnelLimits, TunnelStats } from '../../offscreen/tunnel/tunnel.ts';

/** Where a page fetch goes: through the donor, or straight from this page (the baseline). */
export type FetchVia = 'tunnel' | 'direct';

export interface FetchTiming {
  status: number;
  bytes: number;
  /** From the call to the last body byte, ms. */
  ms: number;
  /** From the call to the first body byte (or the end, for an empty body), ms. */
  ttfbMs: number;
  /** From the call to the Response (status and headers), ms. */
  headersMs: number;
  /** When the call was made, epoch ms (comparable with the donor page's ExitTiming). */
  startedAt: number;
}

export interface FetchDigest extends FetchTiming {
  /** Hex SHA-256 of the body. */
  sha256: string;
}

export interface FetchText {
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  headers: Array<[string, string]>;
  text: string;
}

/** One download of a parallel batch; times are ms since the batch started. */
export interface BatchEntry {
  bytes: number;
  firstByteMs: number;
  doneMs: number;
}

/** A fetch that threw, flattened for `page.evaluate`. */
export interface FetchFailure {
  ok: false;
  name: string;
  message: string;
  code?: number;
  reason?: string;
  linkFailed?: boolean;
}

export interface RawTransfer {
  bytes: number;
  ms: number;
}

export interface DonorPageStats {
  exit: ExitStats;
  tunnels: TunnelStats[];
  /** Each link's payment channel as the donor counts it. */
  channels: ChannelCounts[];
}

/**
 * One receipt as a page saw it: the client when it had stored and sent it, the donor when it had
 * verified and stored it (epoch ms, comparable across the two browser processes).
 */
export interface ReceiptEvent {
  at: number;
  channelId: string;
  cumBytes: number;
  /** W after this receipt. */
  windowBytes: number;
  /** Donor: room left in the window (W − unpaid) when the receipt was verified; 0 means frames were being held for it. */
  roomBytes?: number;
}

/** When the exit called fetch for `url`, and when the site's headers came back (epoch ms, sub-ms precision). */
export interface ExitTiming {
  url: string;
  fetchAt: number;
  headersAt: number;
}

/**
 * Where a peer page keeps its payment ledger: in memory (default), or in the page's IndexedDB with
 * the extension's durable writes (`openPaymentLedger`), for what an honest user pays per receipt.
 */
export type PageLedger = 'memory' | 'indexeddb';

export interface DonorPageOptions {
  maxSessions?: number;
  tunnelLimits?: Partial<TunnelLimits>;
  /** false: the unmetered baseline (no channel, no receipts); default true. */
  receipts?: boolean;
  ledger?: PageLedger;
}

export interface ClientPageOptions {
  tunnelLimits?: Partial<TunnelLimits>;
  /** false: the unmetered baseline (no channel, no receipts); default true. */
  receipts?: boolean;
  ledger?: PageLedger;
}

export interface PorchlightPage {
  readonly testOrigin: string;
  startDonor(signalingUrl: string, options?: DonorPageOptions): Promise<{ peerId: string; country: string; policyDigest: string }>;
  startClient(signalingUrl: string, options?: ClientPageOptions): Promise<{ peerId: string }>;
  fetchText(url: string, init?: { method?: string; body?: string; headers?: Array<[string, string]> }): Promise<FetchText>;
  fetchDigest(url: string, via?: FetchVia): Promise<FetchDigest>;
  fetchDiscard(url: string, via?: FetchVia): Promise<FetchTiming>;
  fetchBatch(urls: string[], via?: FetchVia): Promise<BatchEntry[]>;
  fetchFailure(url: string): Promise<FetchFailure | { ok: true; status: number }>;
  donorStats(): DonorPageStats;
  /** The client's newest link's payment channel as it counts it (zeros before one). */
  clientCounts(): ChannelCounts;
  /** The exit's most recent fetches with timestamps (for latency breakdowns). */
  exitTimings(): ExitTiming[];
  /** The most recent receipts this page sent (client) or stored (donor). */
  receiptEvents(): ReceiptEvent[];
  /** Raw data channel baseline, offering side (the donor page): returns the complete offer SDP. */
  rawOffer(): Promise<string>;
  /** Raw data channel baseline, answering side (the client page): returns the complete answer SDP. */
  rawAnswer(offerSdp: string): Promise<string>;
  rawAccept(answerSdp: string): Promise<void>;
  /** Client page: asks the donor page for `bytes` over the raw channel and times their arrival. */
  rawReceive(bytes: number): Promise<RawTransfer>;
  /** Client page: round trips of a small message over the raw channel, ms each (the latency floor). */
  rawPing(count: number): Promise<number[]>;
  stop(): void;
}

declare global {
  interface Window {
    porchlight: PorchlightPage;
  }
}

const testOrigin = __PORCHLIGHT_TEST_ORIGIN__;
/** Chromium's (and the design's) data channel message size for the raw baseline: one tunnel frame. */
const rawMessageBytes = 64 * 1024;
/** Same backpressure watermarks as the tunnel's defaults, so the baseline is a fair one. */
const rawHighWaterBytes = 1024 * 1024;
const rawLowWaterBytes = 256 * 1024;
const rawPingPrefix = 'ping:';
const iceGatheringTimeoutMs = 10_000;
const rawOpenTimeoutMs = 20_000;

const maxExitTimings = 1000;
const exitTimings: ExitTiming[] = [];
// Epoch time with performance.now()'s resolution: comparable across the two browser processes.
const epochNow = (): number => performance.timeOrigin + performance.now();

let donor: Donor | undefined;
let exit: Exit | undefined;
let client: Client | undefined;
const donorTunnels: Tunnel[] = [];
const donorChannels: ChannelPayments[] = [];
const clientChannels: ChannelPayments[] = [];
let rawPc: RTCPeerConnection | undefined;
let rawChannel: RTCDataChannel | undefined;
let rawOpen: Promise<RTCDataChannel> | undefined;
const openLedgers: PaymentLedger[] = [];
const maxReceiptEvents = 4096;
const receiptEvents: ReceiptEvent[] = [];

function noteReceipt(event: ReceiptEvent): void {
  receiptEvents.push(event);
  if (receiptEvents.length > maxReceiptEvents) receiptEvents.shift();
}

/** The donor's receipt log: each stored receipt with the room its window had left when it was verified. */
function donorReceiptLog(): (record: ChannelRecord) => void {
  const previous = new Map<string, { cumBytes: number; windowBytes: number }>();
  return (record) => {
    const before = previous.get(record.channelId) ?? { cumBytes: 0, windowBytes: initialCreditWindowBytes };
    previous.set(record.channelId, { cumBytes: record.cumBytes, windowBytes: record.windowBytes });
    // record.sentBytes: what the donor had sent when it verified the receipt, so unpaid then is that minus the previous receipt.
    noteReceipt({ at: epochNow(), channelId: record.channelId, cumBytes: record.cumBytes, windowBytes: record.windowBytes, roomBytes: before.windowBytes - (record.sentBytes - before.cumBytes) });
  };
}

/** The ledger a page's payment side gets: undefined keeps payment-setup.ts's in-memory one. */
async function pageLedger(kind: PageLedger | undefined): Promise<{ ledger: PaymentLedger } | undefined> {
  if (kind !== 'indexeddb') return undefined;
  const ledger = await openPaymentLedger({ initialWindowBytes: initialCreditWindowBytes });
  openLedgers.push(ledger);
  return { ledger };
}

function fetchFor(via: FetchVia): (url: string, init?: RequestInit) => Promise<Response> {
  if (via === 'direct') return (url, init) => fetch(url, { cache: 'no-store', ...init });
  if (!client) throw new Error('startClient first');
  const c = client;
  return (url, init) => c.fetch(url, init);
}

/** Reads `response`'s body to the end, handing each chunk to `onChunk`; returns the first-byte time. */
async function drain(response: Response, onChunk: (chunk: Uint8Array) => void): Promise<number | undefined> {
  if (response.body === null) return undefined;
  const reader = response.body.getReader();
  let firstByte: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return firstByte;
    firstByte ??= performance.now();
    onChunk(value);
  }
}

async function timedFetch(url: string, via: FetchVia, onChunk: (chunk: Uint8Array) => void): Promise<FetchTiming> {
  const doFetch = fetchFor(via);
  const startedAt = epochNow();
  const start = performance.now();
  const response = await doFetch(url);
  const headers = performance.now();
  let bytes = 0;
  const firstByte = await drain(response, (chunk) => {
    bytes += chunk.length;
    onChunk(chunk);
  });
  const end = performance.now();
  return { status: response.status, bytes, ms: end - start, ttfbMs: (firstByte ?? end) - start, headersMs: headers - start, startedAt };
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function flatten(error: unknown): FetchFailure {
  if (!(error instanceof Error)) return { ok: false, name: 'unknown', message: String(error) };
  const e = error as Error & { code?: unknown; reason?: unknown; linkFailed?: unknown };
  return {
    ok: false,
    name: e.name,
    message: e.message,
    code: typeof e.code === 'number' ? e.code : undefined,
    reason: typeof e.reason === 'string' ? e.reason : undefined,
    linkFailed: typeof e.linkFailed === 'boolean' ? e.linkFailed : undefined,
  };
}

function waitForGathering(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), iceGatheringTimeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function whenOpen(channel: RTCDataChannel): Promise<RTCDataChannel> {
  channel.binaryType = 'arraybuffer';
  if (channel.readyState === 'open') return Promise.resolve(channel);
  return new Promise<RTCDataChannel>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw data channel did not open')), rawOpenTimeoutMs);
    channel.addEventListener('open', () => {
      clearTimeout(timer);
      resolve(channel);
    }, { once: true });
  });
}

/** Donor page: answers a "send N bytes" request with N bytes of 64 KiB messages, with backpressure. */
function serveRaw(channel: RTCDataChannel): void {
  const payload = new Uint8Array(rawMessageBytes);
  crypto.getRandomValues(payload); // 64 KiB: exactly getRandomValues' limit
  channel.bufferedAmountLowThreshold = rawLowWaterBytes;
  channel.onmessage = async (event: MessageEvent) => {
    if (typeof event.data === 'string' && event.data.startsWith(rawPingPrefix)) {
      channel.send(event.data);
      return;
    }
    let left = Number(event.data);
    while (left > 0) {
      if (channel.bufferedAmount > rawHighWaterBytes) {
        await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
      }
      const n = Math.min(left, rawMessageBytes);
      channel.send(n === rawMessageBytes ? payload : payload.subarray(0, n));
      left -= n;
    }
  };
}

const porchlight: PorchlightPage = {
  testOrigin,

  async startDonor(signalingUrl, options = {}) {
    const policy = createExitPolicy({ testOrigin });
    const pageFetch = fetch.bind(globalThis);
    exit = createExit({
      // The page's own fetch (a test donor without an extension: its redirects stay opaque, and the
      // exit refuses them). Wrapped only to note when the exit starts each fetch and when the site's headers arrive.
      fetch: (async (url: string, init: RequestInit) => {
        const entry: ExitTiming = { url, fetchAt: epochNow(), headersAt: NaN };
        exitTimings.push(entry);
        if (exitTimings.length > maxExitTimings) exitTimings.shift();
        const response = await pageFetch(url, init);
        entry.headersAt = epochNow();
        return response;
      }) as unknown as ExitFetch,
      policy,
      // The concurrency bench runs 64 downloads at once, and Chromium serves at most 6 HTTP/1.1
      // connections per origin: queued fetches must neither be refused nor time out waiting.
      limits: { maxConcurrentFetches: 256, responseHeadersTimeoutMs: 600_000 },
    });
    donor = await startDonor({
      signalingUrl,
      identity: createIdentity(),
      exit,
      listing: { tierMbps: 100, maxSessions: options.maxSessions ?? 4, pricePerMiB: '0.001' },
      policyDigest: policy.digest(),
      tunnelLimits: options.tunnelLimits,
      payment: options.receipts === false ? unmeteredPayments() : testDonorPayment({ ...(await pageLedger(options.ledger)), onReceiptStored: donorReceiptLog() }),
      onSession: (session) => {
        donorTunnels.push(session.tunnel);
        donorChannels.push(session.payments);
      },
    });
    return { peerId: donor.peerId, country: donor.country, policyDigest: policy.digest() };
  },

  async startClient(signalingUrl, options = {}) {
    const payment =
      options.receipts === false
        ? unmeteredPayments()
        : createClientPayments(
            testClientPayment({
              ...(await pageLedger(options.ledger)),
              onReceiptSent: (record) => noteReceipt({ at: epochNow(), channelId: record.channelId, cumBytes: record.cumBytes, windowBytes: record.windowBytes }),
            }),
          );
    const payments: Payments = {
      binding: (identity) => payment.binding(identity),
      forSession(context) {
        const channel = payment.forSession(context);
        clientChannels.push(channel);
        return channel;
      },
    };
    client = await startClient({ signalingUrl, identity: createIdentity(), tunnelLimits: options.tunnelLimits, payment: payments });
    return { peerId: client.peerId };
  },

  async fetchText(url, init = {}) {
    const response = await fetchFor('tunnel')(url, init);
    const headers: Array<[string, string]> = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    return {
      status: response.status,
      statusText: response.statusText,
      url: response.url,
      redirected: response.redirected,
      headers,
      text: await response.text(),
    };
  },

  async fetchDigest(url, via = 'tunnel') {
    const chunks: Uint8Array[] = [];
    const timing = await timedFetch(url, via, (chunk) => chunks.push(chunk));
    const whole = new Uint8Array(timing.bytes);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.length;
    }
    chunks.length = 0;
    return { ...timing, sha256: hex(await crypto.subtle.digest('SHA-256', whole)) };
  },

  fetchDiscard(url, via = 'tunnel') {
    return timedFetch(url, via, () => {});
  },

  async fetchBatch(urls, via = 'tunnel') {
    const doFetch = fetchFor(via);
    const start = performance.now();
    return Promise.all(
      urls.map(async (url) => {
        const response = await doFetch(url);
        let bytes = 0;
        const firstByte = await drain(response, (chunk) => (bytes += chunk.length));
        const end = performance.now();
        return { bytes, firstByteMs: (firstByte ?? end) - start, doneMs: end - start };
      }),
    );
  },

  async fetchFailure(url) {
    try {
      const response = await fetchFor('tunnel')(url);
      await response.arrayBuffer();
      return { ok: true, status: response.status };
    } catch (error) {
      return flatten(error);
    }
  },

  exitTimings() {
    return [...exitTimings];
  },

  clientCounts() {
    return clientChannels.at(-1)?.counts() ?? { sentBytes: 0, receivedBytes: 0, receiptBytes: 0, windowBytes: 0 };
  },

  receiptEvents() {
    return [...receiptEvents];
  },

  donorStats() {
    if (!exit) throw new Error('startDonor first');
    return { exit: exit.stats(), tunnels: donorTunnels.map((t) => t.stats()), channels: donorChannels.map((c) => c.counts()) };
  },

  async rawOffer() {
    rawPc = new RTCPeerConnection({ iceServers: [] });
    const channel = rawPc.createDataChannel('raw-baseline', { ordered: true });
    rawOpen = whenOpen(channel).then((open) => {
      serveRaw(open);
      return open;
    });
    await rawPc.setLocalDescription(await rawPc.createOffer());
    await waitForGathering(rawPc);
    return rawPc.localDescription!.sdp; // set two lines up
  },

  async rawAnswer(offerSdp) {
    rawPc = new RTCPeerConnection({ iceServers: [] });
    const pc = rawPc;
    rawOpen = new Promise<RTCDataChannel>((resolve) => {
      pc.addEventListener('datachannel', (event) => resolve(whenOpen(event.channel)), { once: true });
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await waitForGathering(pc);
    return pc.localDescription!.sdp; // set two lines up
  },

  async rawAccept(answerSdp) {
    if (!rawPc || !rawOpen) throw new Error('rawOffer first');
    await rawPc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    rawChannel = await rawOpen;
  },

  async rawReceive(bytes) {
    if (!rawOpen) throw new Error('rawAnswer first');
    const channel = await rawOpen;
    rawChannel = channel;
    return new Promise<RawTransfer>((resolve) => {
      let received = 0;
      const start = performance.now();
      channel.onmessage = (event: MessageEvent) => {
        received += (event.data as ArrayBuffer).byteLength;
        if (received >= bytes) {
          channel.onmessage = null;
          resolve({ bytes: received, ms: performance.now() - start });
        }
      };
      channel.send(String(bytes));
    });
  },

  async rawPing(count) {
    if (!rawOpen) throw new Error('rawAnswer first');
    const channel = await rawOpen;
    const rtts: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await new Promise<void>((resolve) => {
        channel.onmessage = () => resolve();
        channel.send(`${rawPingPrefix}${i}`);
      });
      rtts.push(performance.now() - start);
    }
    channel.onmessage = null;
    return rtts;
  },

  stop() {
    client?.close();
    donor?.close();
    exit?.close();
    rawChannel?.close();
    rawPc?.close();
    // A link's last receipt may still be on its way to the ledger; a closed database fails it, as a killed document would.
    for (const ledger of openLedgers.splice(0)) ledger.close();
    client = donor = exit = rawPc = rawChannel = rawOpen = undefined;
  },
};

window.porchlight = porchlight;
