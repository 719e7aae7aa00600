// In-memory presence: which donors are announced, where they are, and which session slots a
// recent `find` has handed out (the rules for those are in reservations.ts). One process by
// default; a Redis-backed presence with the same interface is the way to run several instances
// (not built yet).
import { randomUnit } from '../protocol/bytes.ts';
import type { CountryDonors, ListingBody } from '../protocol/signaling-messages.ts';
import type { Envelope } from '../protocol/signed-envelope.ts';
import { createReservations, type ReservationOptions } from './reservations.ts';

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
  /** The network the asking peer connects from (`networkKey`), which its reservations count against. */
  readonly network: string;
  /** Only this donor (a client asking for one it knows). */
  readonly donor?: string | undefined;
  /** Only donors whose listing names this sponsor. */
  readonly sponsor?: string | undefined;
}

/** Dependencies and settings of presence; the reservation bounds are those of `createReservations`. */
export interface PresenceOptions extends ReservationOptions {
  /** Uniform [0, 1) source for choosing among matches; defaults to the platform CSPRNG. */
  readonly random?: () => number;
}

/** The donor directory. */
export interface Presence {
  /** Records (or replaces) a donor's listing; reservations already lent survive a re-announce. */
  announce(donor: DonorView): void;
  /** Removes a donor and the reservations on it; true when it was announced. */
  withdraw(peerId: string): boolean;
  /**
   * A random matching donor with a free session slot, reserving that slot; when every matching
   * slot is lent, one the reservation rules let the requester take over; undefined when none.
   */
  pick(query: DonorQuery): DonorView | undefined;
  /** An offer from `requester` reached `donor`: the slot its find reserved there is kept for the session. */
  offered(requester: string, donor: string): void;
  /** A peer disconnected: the slots it reserved and sent no offer for are free again. */
  leave(peerId: string): void;
  /**
   * Countries with at least one donor that has a free session slot, other than `requester`, with
   * how many; sorted by code, at most `max` entries. Reserves nothing.
   */
  countries(requester: string, max: number): CountryDonors[];
  /**
   * Donors with a free session slot, other than `requester`, whose peer id sorts after `after`:
   * the first `max` in peer id order, and whether more follow. Reserves nothing.
   */
  page(requester: string, after: string | undefined, max: number): { donors: DonorView[]; more: boolean };
  /** Session slots currently reserved on a donor. */
  reservedSessions(peerId: string): number;
  /** Donors announced. */
  donorCount(): number;
}

/**
 * Creates an empty in-memory presence.
 * @throws {RangeError} when a reservation setting is out of range (see `createReservations`).
 */
export function createPresence(options: PresenceOptions = {}): Presence {
  const random = options.random ?? randomUnit;
  const reservations = createReservations(options);
  const donors = new Map<string, DonorView>();
  const byCountry = new Map<string, Set<string>>();

  function unindex(record: DonorView): void {
    const set = byCountry.get(record.country);
    set?.delete(record.peerId);
    if (set?.size === 0) byCountry.delete(record.country);
  }

  function freeSlots(record: DonorView): number {
    return record.body.maxSessions - reservations.heldOn(record.peerId);
  }

  function view(record: DonorView): DonorView {
    return { peerId: record.peerId, listing: record.listing, body: record.body, country: record.country };
  }

  return {
    announce(donor) {
      const previous = donors.get(donor.peerId);
      if (previous) unindex(previous);
      donors.set(donor.peerId, view(donor));
      let set = byCountry.get(donor.country);
      if (!set) byCountry.set(donor.country, (set = new Set()));
      set.add(donor.peerId);
    },
    withdraw(peerId) {
      const record = donors.get(peerId);
      if (!record) return false;
      unindex(record);
      donors.delete(peerId);
      reservations.dropDonor(peerId);
      return true;
    },
    pick(query) {
      const excluded = new Set(query.exclude ?? []);
      excluded.add(query.requester);
      const candidates =
        query.donor !== undefined
          ? [query.donor]
          : query.country === undefined
            ? donors.keys()
            : (byCountry.get(query.country) ?? new Set<string>()).values();
      const matching: DonorView[] = [];
      const free: DonorView[] = [];
      for (const peerId of candidates) {
        const record = donors.get(peerId);
        const inCountry = query.country === undefined || record?.country === query.country;
        const forSponsor = query.sponsor === undefined || record?.body.sponsor === query.sponsor;
        if (!record || !inCountry || !forSponsor || excluded.has(peerId)) continue;
        matching.push(record);
        if (freeSlots(record) > 0) free.push(record);
      }
      const holder = { peerId: query.requester, network: query.network };
      if (free.length > 0) {
        const chosen = free[Math.min(free.length - 1, Math.floor(random() * free.length))]!; // index < length
        reservations.reserve(chosen.peerId, holder);
        return view(chosen);
      }
      const taken = reservations.takeOver(matching.map((record) => record.peerId), holder);
      const chosen = taken === undefined ? undefined : donors.get(taken);
      return chosen && view(chosen);
    },
    offered: (requester, donor) => reservations.offered(requester, donor),
    leave: (peerId) => reservations.leave(peerId),
    countries(requester, max) {
      const counts: CountryDonors[] = [];
      for (const [country, peerIds] of byCountry) {
        let available = 0;
        for (const peerId of peerIds) {
          const record = donors.get(peerId);
          if (record && peerId !== requester && freeSlots(record) > 0) available += 1;
        }
        if (available > 0) counts.push({ country, donors: available });
      }
      counts.sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : 0));
      return counts.slice(0, max);
    },
    page(requester, after, max) {
      const matching: DonorView[] = [];
      for (const record of donors.values()) {
        if (record.peerId === requester || (after !== undefined && record.peerId <= after) || freeSlots(record) <= 0) continue;
        matching.push(record);
      }
      matching.sort((a, b) => (a.peerId < b.peerId ? -1 : 1));
      return { donors: matching.slice(0, max).map(view), more: matching.length > max };
    },
    reservedSessions(peerId) {
      const record = donors.get(peerId);
      return record ? reservations.heldOn(peerId) : 0;
    },
    donorCount: () => donors.size,
  };
}
