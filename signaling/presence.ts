// In-memory presence: which donors are announced, where they are, and how many session slots a
// recent `find` has handed out. One process by default; a Redis-backed presence with the same
// interface is the way to run several instances (not built yet).
import { randomUnit } from '../protocol/bytes.ts';
import type { CountryDonors, ListingBody } from '../protocol/signaling-messages.ts';
import type { Envelope } from '../protocol/signed-envelope.ts';

/**
 * How long a `find` holds one of the donor's session slots, in milliseconds. The server never
 * learns when a session really ends, so a slot is lent for about as long as setting up a data
 * channel takes; after that the donor is the authority on its load (it withdraws, or announces
 * again with fewer `maxSessions`, when it is full).
 */
export const defaultSessionReservationMs = 60_000;

/** An announced donor as presence hands it out. */
export interface DonorView {
  readonly peerId: string;
  readonly listing: Envelope;
  readonly body: ListingBody;
  readonly country: string;
}

/** What `pick` looks for. */
export interface DonorQuery {
  /** Only donors observed in this country. */
  readonly country?: string | undefined;
  /** Donors the client does not want (already tried, or blocked). */
  readonly exclude?: readonly string[] | undefined;
  /** The asking peer, never matched with itself. */
  readonly requester: string;
  /** Only this donor (a client asking for one it knows). */
  readonly donor?: string | undefined;
  /** Only donors whose listing names this sponsor. */
  readonly sponsor?: string | undefined;
}

/** Dependencies and settings of presence. */
export interface PresenceOptions {
  /** Milliseconds clock; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Uniform [0, 1) source for choosing among matches; defaults to the platform CSPRNG. */
  readonly random?: () => number;
  /** See `defaultSessionReservationMs`. */
  readonly sessionReservationMs?: number;
}

/** The donor directory. */
export interface Presence {
  /** Records (or replaces) a donor's listing; reservations already lent survive a re-announce. */
  announce(donor: DonorView): void;
  /** Removes a donor; true when it was announced. */
  withdraw(peerId: string): boolean;
  /** A random matching donor with a free session slot, reserving that slot; undefined when none. */
  pick(query: DonorQuery): DonorView | undefined;
  /**
   * Countries with at least one donor that has a free session slot, other than `requester`, with
   * how many; sorted by code, at most `max` entries. Reserves nothing.
   */
  countries(requester: string, max: number): CountryDonors[];
  /** Session slots currently reserved on a donor. */
  reservedSessions(peerId: string): number;
  /** Donors announced. */
  donorCount(): number;
}

interface DonorRecord extends DonorView {
  reservationExpiries: number[];
}

/** Creates an empty in-memory presence. */
export function createPresence(options: PresenceOptions = {}): Presence {
  const now = options.now ?? Date.now;
  const random = options.random ?? randomUnit;
  const reservationMs = options.sessionReservationMs ?? defaultSessionReservationMs;
  const donors = new Map<string, DonorRecord>();
  const byCountry = new Map<string, Set<string>>();

  function unindex(record: DonorRecord): void {
    const set = byCountry.get(record.country);
    set?.delete(record.peerId);
    if (set?.size === 0) byCountry.delete(record.country);
  }

  function freeSlots(record: DonorRecord, at: number): number {
    record.reservationExpiries = record.reservationExpiries.filter((expiry) => expiry > at);
    return record.body.maxSessions - record.reservationExpiries.length;
  }

  return {
    announce(donor) {
      const previous = donors.get(donor.peerId);
      if (previous) unindex(previous);
      donors.set(donor.peerId, { ...donor, reservationExpiries: previous?.reservationExpiries ?? [] });
      let set = byCountry.get(donor.country);
      if (!set) byCountry.set(donor.country, (set = new Set()));
      set.add(donor.peerId);
    },
    withdraw(peerId) {
      const record = donors.get(peerId);
      if (!record) return false;
      unindex(record);
      donors.delete(peerId);
      return true;
    },
    pick(query) {
      const at = now();
      const excluded = new Set(query.exclude ?? []);
      excluded.add(query.requester);
      const candidates =
        query.donor !== undefined
          ? [query.donor]
          : query.country === undefined
            ? donors.keys()
            : (byCountry.get(query.country) ?? new Set<string>()).values();
      const matches: DonorRecord[] = [];
      for (const peerId of candidates) {
        const record = donors.get(peerId);
        const inCountry = query.country === undefined || record?.country === query.country;
        const forSponsor = query.sponsor === undefined || record?.body.sponsor === query.sponsor;
        if (record && inCountry && forSponsor && !excluded.has(peerId) && freeSlots(record, at) > 0) matches.push(record);
      }
      if (matches.length === 0) return undefined;
      const chosen = matches[Math.min(matches.length - 1, Math.floor(random() * matches.length))]!; // index < length
      chosen.reservationExpiries.push(at + reservationMs);
      return { peerId: chosen.peerId, listing: chosen.listing, body: chosen.body, country: chosen.country };
    },
    countries(requester, max) {
      const at = now();
      const counts: CountryDonors[] = [];
      for (const [country, peerIds] of byCountry) {
        let available = 0;
        for (const peerId of peerIds) {
          const record = donors.get(peerId);
          if (record && peerId !== requester && freeSlots(record, at) > 0) available += 1;
        }
        if (available > 0) counts.push({ country, donors: available });
      }
      counts.sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : 0));
      return counts.slice(0, max);
    },
    reservedSessions(peerId) {
      const record = donors.get(peerId);
      return record ? record.body.maxSessions - freeSlots(record, now()) : 0;
    },
    donorCount: () => donors.size,
  };
}
