// What this tab has used so far: the bytes and micro-credits of the receipts it signed on the
// channels it opened, read from the client's own ledger as each receipt is stored (before it is
// sent), so the page shows exactly what this browser has acknowledged, never an estimate.
import type { ChannelRecord, PaymentLedger } from '../../offscreen/payments/payment-ledger.ts';

/** Bytes and credits acknowledged in signed receipts during this session. */
export interface SessionUsage {
  /** Frame bytes both ways, as the receipts count them. */
  readonly bytes: number;
  readonly microCredits: number;
}

/** Before any receipt. */
export const noUsage: SessionUsage = { bytes: 0, microCredits: 0 };

/**
 * `ledger`, unchanged in what it stores, that calls `onUsage` with this session's totals after
 * each receipt it stores for a channel opened through it. A resumed channel counts from where it
 * stood when this session opened it.
 */
export function observeUsage(ledger: PaymentLedger, onUsage: (usage: SessionUsage) => void): PaymentLedger {
  const opened = new Map<string, { readonly base: ChannelRecord; newest: ChannelRecord }>();
  const report = (): void => {
    let bytes = 0;
    let microCredits = 0;
    for (const { base, newest } of opened.values()) {
      bytes += newest.cumBytes - base.cumBytes;
      microCredits += newest.cumCredits - base.cumCredits;
    }
    onUsage({ bytes, microCredits });
  };
  return {
    channel: (channelId) => ledger.channel(channelId),
    async openChannel(terms) {
      const record = await ledger.openChannel(terms);
      if (!opened.has(record.channelId)) opened.set(record.channelId, { base: record, newest: record });
      return record;
    },
    async recordReceipt(signed, windowBytes, sentBytes) {
      const record = await ledger.recordReceipt(signed, windowBytes, sentBytes);
      const entry = opened.get(record.channelId);
      if (entry) {
        entry.newest = record;
        report();
      }
      return record;
    },
    noteSent: (channelId, sentBytes) => ledger.noteSent(channelId, sentBytes),
    channels: (role) => ledger.channels(role),
    days: (role) => ledger.days(role),
    close: () => ledger.close(),
  };
}
