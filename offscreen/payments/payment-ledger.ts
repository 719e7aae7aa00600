// The payment ledger: per channel, the newest receipt and the counters to resume from, and per
// local day and channel, the bytes and credits those receipts added. Both roles keep one: the
// donor writes each receipt it accepts before it extends the credit window; the client writes each
// receipt it signs before it sends it. Every write is one durable IndexedDB transaction, so what
// was acknowledged survives the offscreen document being killed and the browser restarting.
// Node peers (tests, benches) use the in-memory ledger with the same rules. Spec: docs/receipts.md.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { parseReceipt, receiptToJson, type ReceiptJson, type SignedReceipt } from '../../protocol/receipt.ts';
import { settlesLess, type SettlesLess } from './receipt-verifier.ts';
import { localDayKey } from '../../settings/share-gate.ts';

export const paymentDatabaseName = 'porchlight-payments';
const paymentDatabaseVersion = 1;

/** Our side of a channel. */
export type ChannelRole = 'donor' | 'client';

/** What a channel is opened with; none of it changes afterwards. */
export interface ChannelTermsRecord {
  /** 0x + 64 lowercase hex. */
  channelId: string;
  /** Our role on the channel. */
  role: ChannelRole;
  /** The other side's peer id when the channel opened (a client's identity may be per tab). */
  peerId: string;
  /** The other side's country as signaling saw it ('ZZ' unknown). */
  peerCountry: string;
  /** Payment addresses, checksummed. */
  client: string;
  exit: string;
  /** Micro-credits per MiB, decimal string. */
  price: string;
  /** The receipt domain the channel's receipts are signed for. */
  chainId: string;
  verifyingContract: string;
}

/** A channel as the ledger holds it. */
export interface ChannelRecord extends ChannelTermsRecord {
  /** Unix milliseconds. */
  openedAt: number;
  updatedAt: number;
  /** cumBytes of the newest receipt (donor: accepted and stored; client: signed and stored); 0 before any. */
  cumBytes: number;
  /** Its cumCredits, micro-credits. */
  cumCredits: number;
  /** The donor's credit window W after that receipt (the client's mirror of it). */
  windowBytes: number;
  /**
   * Donor: bytes it had sent on the channel when it last wrote the record (a receipt, or a link
   * ending). Sent and never paid, they stay owed when the channel resumes on a new link.
   */
  sentBytes: number;
  /** The newest receipt itself, exactly as signed. */
  receipt?: { receipt: ReceiptJson; signature: string };
  /** Micro-credits of this channel already settled on chain (the settlement issue updates it). */
  settledCredits: number;
}

/** Bytes and credits one channel's receipts added on one local day. */
export interface ChannelDay {
  /** 'YYYY-MM-DD', local time. */
  day: string;
  channelId: string;
  role: ChannelRole;
  bytes: number;
  /** Micro-credits. */
  credits: number;
}

interface PaymentSchema extends DBSchema {
  channels: { key: string; value: ChannelRecord; indexes: { byRole: ChannelRole } };
  days: { key: [string, string]; value: ChannelDay; indexes: { byRole: ChannelRole } };
}

/** Why the ledger refused a receipt: an unknown channel, no more bytes than the stored one, or more bytes worth less (settlesLess). */
export type PaymentLedgerErrorCode = 'unknown-channel' | 'not-newer' | SettlesLess['code'];

/** A receipt that does not advance its channel, or names a channel the ledger does not hold. */
export class PaymentLedgerError extends Error {
  override readonly name = 'PaymentLedgerError';
  constructor(
    readonly code: PaymentLedgerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PaymentLedger {
  /** The channel, or undefined. */
  channel(channelId: string): Promise<ChannelRecord | undefined>;
  /** Records a new channel with zero counters; an existing record is kept as it is and returned. */
  openChannel(terms: ChannelTermsRecord): Promise<ChannelRecord>;
  /**
   * Stores `signed` as the channel's newest receipt and adds its increase to today's row, in one
   * durable transaction; resolves once it is on disk.
   * @throws {PaymentLedgerError} when the channel is unknown, the receipt is not newer, or it would
   *   settle less than the stored one (expires sooner, owes fewer credits): the stored one stays.
   */
  recordReceipt(signed: SignedReceipt, windowBytes: number, sentBytes?: number): Promise<ChannelRecord>;
  /** Donor: raises the channel's stored sent count to `sentBytes` (a link ended); unknown channels are ignored. */
  noteSent(channelId: string, sentBytes: number): Promise<void>;
  /** Channels, newest first; one role only when given. */
  channels(role?: ChannelRole): Promise<ChannelRecord[]>;
  /** Day rows, oldest first; one role only when given. */
  days(role?: ChannelRole): Promise<ChannelDay[]>;
  close(): void;
}

/**
 * The ledger's rule for one receipt: the updated channel and the day row's increase.
 * @throws {PaymentLedgerError} as recordReceipt.
 */
export function applyReceipt(channel: ChannelRecord, signed: SignedReceipt, windowBytes: number, now: Date, sentBytes = 0): { channel: ChannelRecord; addBytes: number; addCredits: number } {
  const r = signed.receipt;
  if (r.channelId !== channel.channelId) throw new PaymentLedgerError('unknown-channel', `receipt for channel ${r.channelId} stored under ${channel.channelId}`);
  const cumBytes = Number(r.cumBytes);
  const cumCredits = Number(r.cumCredits);
  if (!(cumBytes > channel.cumBytes)) throw new PaymentLedgerError('not-newer', `receipt for ${cumBytes} bytes is not newer than the stored ${channel.cumBytes}`);
  // Only the newest receipt is kept: one that settles less must not replace it.
  const worse = channel.receipt && settlesLess(parseReceipt(channel.receipt.receipt), r);
  if (worse) throw new PaymentLedgerError(worse.code, worse.message);
  return {
    channel: { ...channel, cumBytes, cumCredits, windowBytes, sentBytes: Math.max(channel.sentBytes ?? 0, sentBytes, cumBytes), receipt: { receipt: receiptToJson(r), signature: signed.signature }, updatedAt: now.getTime() },
    addBytes: cumBytes - channel.cumBytes,
    addCredits: cumCredits - channel.cumCredits,
  };
}

function newChannel(terms: ChannelTermsRecord, now: Date, windowBytes: number): ChannelRecord {
  return { ...terms, openedAt: now.getTime(), updatedAt: now.getTime(), cumBytes: 0, cumCredits: 0, windowBytes, sentBytes: 0, settledCredits: 0 };
}

export interface LedgerOptions {
  /** The clock (tests move days). */
  now?: () => Date;
  /** W a new channel starts with. */
  initialWindowBytes: number;
}

const newestFirst = (a: ChannelRecord, b: ChannelRecord) => b.updatedAt - a.updatedAt;

/** Opens the ledger in this context's IndexedDB (tests load fake-indexeddb/auto). */
export async function openPaymentLedger(options: LedgerOptions): Promise<PaymentLedger> {
  const now = options.now ?? (() => new Date());
  const db: IDBPDatabase<PaymentSchema> = await openDB<PaymentSchema>(paymentDatabaseName, paymentDatabaseVersion, {
    upgrade(database) {
      database.createObjectStore('channels', { keyPath: 'channelId' }).createIndex('byRole', 'role');
      database.createObjectStore('days', { keyPath: ['day', 'channelId'] }).createIndex('byRole', 'role');
    },
  });
  return {
    channel: (channelId) => db.get('channels', channelId),
    async openChannel(terms) {
      const tx = db.transaction('channels', 'readwrite', { durability: 'strict' });
      const existing = await tx.store.get(terms.channelId);
      const record = existing ?? newChannel(terms, now(), options.initialWindowBytes);
      if (!existing) await tx.store.put(record);
      await tx.done;
      return record;
    },
    async recordReceipt(signed, windowBytes, sentBytes) {
      const at = now();
      // 'strict': the transaction completes only once the write is flushed to disk.
      const tx = db.transaction(['channels', 'days'], 'readwrite', { durability: 'strict' });
      const channels = tx.objectStore('channels');
      const days = tx.objectStore('days');
      const stored = await channels.get(signed.receipt.channelId);
      if (!stored) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new PaymentLedgerError('unknown-channel', `no channel ${signed.receipt.channelId} in the ledger`);
      }
      let applied: ReturnType<typeof applyReceipt>;
      try {
        applied = applyReceipt(stored, signed, windowBytes, at, sentBytes);
      } catch (error) {
        tx.abort();
        await tx.done.catch(() => {});
        throw error;
      }
      const day = localDayKey(at);
      const row = (await days.get([day, stored.channelId])) ?? { day, channelId: stored.channelId, role: stored.role, bytes: 0, credits: 0 };
      await days.put({ ...row, bytes: row.bytes + applied.addBytes, credits: row.credits + applied.addCredits });
      await channels.put(applied.channel);
      await tx.done;
      return applied.channel;
    },
    async noteSent(channelId, sentBytes) {
      const tx = db.transaction('channels', 'readwrite', { durability: 'strict' });
      const stored = await tx.store.get(channelId);
      if (stored && sentBytes > (stored.sentBytes ?? 0)) await tx.store.put({ ...stored, sentBytes });
      await tx.done;
    },
    async channels(role) {
      const all = role ? await db.getAllFromIndex('channels', 'byRole', role) : await db.getAll('channels');
      return all.sort(newestFirst);
    },
    async days(role) {
      return role ? db.getAllFromIndex('days', 'byRole', role) : db.getAll('days');
    },
    close: () => db.close(),
  };
}

/** The same ledger in memory, for Node peers. */
export function makeMemoryPaymentLedger(options: LedgerOptions): PaymentLedger {
  const now = options.now ?? (() => new Date());
  const channels = new Map<string, ChannelRecord>();
  const days = new Map<string, ChannelDay>();
  return {
    channel: async (channelId) => channels.get(channelId),
    async openChannel(terms) {
      const record = channels.get(terms.channelId) ?? newChannel(terms, now(), options.initialWindowBytes);
      channels.set(record.channelId, record);
      return record;
    },
    async recordReceipt(signed, windowBytes, sentBytes) {
      const stored = channels.get(signed.receipt.channelId);
      if (!stored) throw new PaymentLedgerError('unknown-channel', `no channel ${signed.receipt.channelId} in the ledger`);
      const at = now();
      const applied = applyReceipt(stored, signed, windowBytes, at, sentBytes);
      const key = `${localDayKey(at)}/${stored.channelId}`;
      const row = days.get(key) ?? { day: localDayKey(at), channelId: stored.channelId, role: stored.role, bytes: 0, credits: 0 };
      days.set(key, { ...row, bytes: row.bytes + applied.addBytes, credits: row.credits + applied.addCredits });
      channels.set(stored.channelId, applied.channel);
      return applied.channel;
    },
    async noteSent(channelId, sentBytes) {
      const stored = channels.get(channelId);
      if (stored && sentBytes > (stored.sentBytes ?? 0)) channels.set(channelId, { ...stored, sentBytes });
    },
    channels: async (role) => [...channels.values()].filter((c) => !role || c.role === role).sort(newestFirst),
    days: async (role) =>
      [...days.values()].filter((d) => !role || d.role === role).sort((a, b) => (a.day === b.day ? a.channelId.localeCompare(b.channelId) : a.day.localeCompare(b.day))),
    close() {},
  };
}
