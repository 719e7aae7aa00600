// Ledger records (offscreen/payments/payment-ledger.ts) for tests of what reads them: a donor channel with
// fixed terms and zero counters, patched per test, and a day row.
import type { ChannelDay, ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';

/** A donor channel record; `patch` sets the id and whatever the test is about. */
export function channelRecord(patch: Partial<ChannelRecord> & Pick<ChannelRecord, 'channelId'>): ChannelRecord {
  return {
    role: 'donor',
    peerId: 'c'.repeat(64),
    peerCountry: 'DE',
    client: '0x1111111111111111111111111111111111111111',
    exit: '0x2222222222222222222222222222222222222222',
    price: '1000',
    chainId: '31337',
    verifyingContract: '0x3333333333333333333333333333333333333333',
    openedAt: Date.UTC(2024, 4, 9, 8, 0),
    updatedAt: Date.UTC(2024, 4, 9, 8, 0),
    cumBytes: 0,
    cumCredits: 0,
    windowBytes: 256 * 1024,
    sentBytes: 0,
    settledCredits: 0,
    ...patch,
  };
}

/** One day row of a channel. */
export function channelDay(day: string, channelId: string, bytes: number, credits: number, role: ChannelDay['role'] = 'donor'): ChannelDay {
  return { day, channelId, role, bytes, credits };
}
