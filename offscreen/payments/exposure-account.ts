// The donor's unpaid exposure per client, across all its channels and links: channels are free to
// open, so a bound per channel alone would let one client take a window on each. Every channel is
// counted against the client's identity and its payment key; the unpaid bytes of all channels of
// either never exceed one W: the largest window any of them has earned. Bytes an ended link left
// unpaid stay counted until the channel is resumed and paid. In memory, shared by a donor's links
// (donor-payments.ts); a restarted donor starts from zero. Spec: docs/receipts.md.
import { initialCreditWindowBytes, type CreditWindow } from './credit-window.ts';

/** Who a channel's unpaid bytes count against. */
export interface ExposureParties {
  /** The client's identity (peer id) on the link that opened or resumed the channel. */
  identity: string;
  /** The client's payment address, checksummed. */
  paymentKey: string;
}

/** One channel's place in the account, held by the link that serves it. */
export interface ChannelExposure {
  /** Bytes the channel may still send before its identity's or key's bound: never negative. */
  room(): number;
  /** Re-reads the channel's window after it sent or was paid; when room grew, wakes the other channels of the same client. */
  sync(): void;
  /** The link ended: the channel stays counted while it owes bytes, and is forgotten once it owes none. */
  release(): void;
}

/** What the account reads from a channel's credit window, the one count of its bytes. */
export type ExposureWindow = Pick<CreditWindow, 'unpaidBytes' | 'windowBytes'>;

export interface ExposureAccount {
  /**
   * Counts a channel against `parties`, replacing the entry of an earlier link of the same channel
   * (whose window the new one continues). `onRoom` is called when another channel of the same
   * identity or key was paid, so a link held back for them can send again.
   */
  open(channelId: string, parties: ExposureParties, window: ExposureWindow, onRoom: () => void): ChannelExposure;
}

interface PartyAccount {
  key: string;
  unpaid: number;
  /** The largest W any of its channels earned while it was counted. */
  bound: number;
  channels: Set<Entry>;
}

interface Entry {
  channelId: string;
  parties: PartyAccount[];
  window: ExposureWindow;
  /** The channel's unpaid bytes as last added to its parties. */
  unpaid: number;
  onRoom: () => void;
  live: boolean;
}

// Identities and payment keys live in separate name spaces.
const identityKey = (peerId: string): string => `identity:${peerId}`;
const paymentKeyKey = (address: string): string => `key:${address}`;

/** A donor's account of unpaid bytes per client identity and payment key. */
export function makeExposureAccount(): ExposureAccount {
  const parties = new Map<string, PartyAccount>();
  const channels = new Map<string, Entry>();

  function party(key: string): PartyAccount {
    let account = parties.get(key);
    if (!account) parties.set(key, (account = { key, unpaid: 0, bound: initialCreditWindowBytes, channels: new Set() }));
    return account;
  }

  function remove(entry: Entry): void {
    for (const account of entry.parties) {
      account.unpaid -= entry.unpaid;
      account.channels.delete(entry);
      if (account.channels.size === 0) parties.delete(account.key);
    }
    if (channels.get(entry.channelId) === entry) channels.delete(entry.channelId);
  }

  function wakeOthers(entry: Entry): void {
    const others = new Set<Entry>();
    for (const account of entry.parties) for (const other of account.channels) if (other !== entry && other.live) others.add(other);
    for (const other of others) other.onRoom();
  }

  return {
    open(channelId, who, window, onRoom) {
      const previous = channels.get(channelId);
      if (previous) remove(previous);
      const accounts = [party(identityKey(who.identity)), party(paymentKeyKey(who.paymentKey))];
      const entry: Entry = { channelId, parties: accounts, window, unpaid: window.unpaidBytes(), onRoom, live: true };
      for (const account of accounts) {
        account.unpaid += entry.unpaid;
        account.bound = Math.max(account.bound, window.windowBytes());
        account.channels.add(entry);
      }
      channels.set(channelId, entry);
      return {
        room() {
          if (channels.get(channelId) !== entry) return 0;
          let room = Number.POSITIVE_INFINITY;
          for (const account of accounts) room = Math.min(room, account.bound - account.unpaid);
          return Math.max(0, room);
        },
        sync() {
          if (channels.get(channelId) !== entry) return;
          const unpaid = window.unpaidBytes();
          const delta = unpaid - entry.unpaid;
          entry.unpaid = unpaid;
          let grew = delta < 0;
          for (const account of accounts) {
            account.unpaid += delta;
            if (window.windowBytes() > account.bound) {
              account.bound = window.windowBytes();
              grew = true;
            }
          }
          if (grew) wakeOthers(entry);
        },
        release() {
          if (!entry.live) return;
          entry.live = false;
          if (channels.get(channelId) === entry && entry.unpaid === 0) remove(entry);
        },
      };
    },
  };
}
