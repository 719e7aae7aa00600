// Who holds which donor session slots. A `find` lends one slot of the donor it names to the
// asking peer; nothing else ties the slot to a session, so without bounds one peer (or one
// network with many identities: ed25519 keys are free) could send a find for every slot and hide
// every donor. The rules, all here:
//   - a slot no offer follows within the offer timeout is released (an honest client sends its
//     offer within milliseconds of the answer); one an offer follows is held for the session
//     reservation time, counted from the find;
//   - a peer holds at most `maxPerPeer`, a network (IPv4 address, IPv6 /64) at most `maxPerIp`:
//     a find past either bound releases the holder's oldest reservation (no offer first), so the
//     newest find wins and the holder's total never grows;
//   - when every matching slot is lent, a find may take over a reservation from the network
//     holding the most, if that holds at least two more than the asker's (max-min fairness:
//     whoever hoards gives way to whoever holds nothing, and two honest networks do not trade
//     one slot back and forth).
// Pure: an injected clock, no timers; expired reservations are dropped when next looked at.

/**
 * How long a `find` holds one of the donor's session slots once an offer followed, in
 * milliseconds from the find. The server never learns when a session really ends, so a slot is
 * lent for about as long as setting up a data channel takes; after that the donor is the
 * authority on its load (it withdraws, or announces again with fewer `maxSessions`, when full).
 */
export const defaultSessionReservationMs = 60_000;
/** How long a slot waits for the finder's offer before it is released, in milliseconds. */
export const defaultOfferTimeoutMs = 10_000;
/** Most reservations one peer holds at once. */
export const defaultMaxReservationsPerPeer = 4;
/** Most reservations one network (IPv4 address, IPv6 /64) holds at once, over all its peers. */
export const defaultMaxReservationsPerIp = 16;
/** How many more reservations a network must hold than the asker's before one may be taken over. */
const takeoverMargin = 2;

/** The asking side of a reservation. */
export interface ReservationHolder {
  readonly peerId: string;
  /** The network it connects from, as `networkKey` gives it. */
  readonly network: string;
}

/** Bounds and clock of the reservation book. */
export interface ReservationOptions {
  /** Milliseconds clock; defaults to `Date.now`. */
  readonly now?: () => number;
  /** See `defaultSessionReservationMs`. */
  readonly sessionReservationMs?: number;
  /** See `defaultOfferTimeoutMs`. */
  readonly offerTimeoutMs?: number;
  /** See `defaultMaxReservationsPerPeer`. */
  readonly maxPerPeer?: number;
  /** See `defaultMaxReservationsPerIp`. */
  readonly maxPerIp?: number;
}

/** The reservation book. */
export interface Reservations {
  /** Slots currently lent on `donor`. */
  heldOn(donor: string): number;
  /** Slots currently held by one peer. */
  heldByPeer(peerId: string): number;
  /** Slots currently held by one network (all its peers). */
  heldByNetwork(network: string): number;
  /** Lends a slot of `donor` to `holder`, first releasing the holder's oldest past its bounds. */
  reserve(donor: string, holder: ReservationHolder): void;
  /**
   * When every slot of `donors` is lent: takes one over for `holder` if the rules above allow
   * (the holder's own oldest when it is at a bound, else the most-holding network's oldest) and
   * returns that donor; undefined when none may be taken.
   */
  takeOver(donors: Iterable<string>, holder: ReservationHolder): string | undefined;
  /** An offer from `peerId` reached `donor`: its oldest reservation there waiting for one is kept. */
  offered(peerId: string, donor: string): void;
  /** `peerId` left: the reservations no offer followed are released (none can follow now). */
  leave(peerId: string): void;
  /** `donor` withdrew: every reservation on it goes. */
  dropDonor(donor: string): void;
}

interface Reservation {
  readonly donor: string;
  readonly peerId: string;
  readonly network: string;
  readonly reservedAt: number;
  expiresAt: number;
  offered: boolean;
}

type Index = Map<string, Set<Reservation>>;

/**
 * Creates an empty reservation book.
 * @throws {RangeError} when a time is not a positive number or a bound not a positive integer.
 */
export function createReservations(options: ReservationOptions = {}): Reservations {
  const now = options.now ?? Date.now;
  const sessionMs = positive('sessionReservationMs', options.sessionReservationMs ?? defaultSessionReservationMs);
  const offerMs = Math.min(sessionMs, positive('offerTimeoutMs', options.offerTimeoutMs ?? defaultOfferTimeoutMs));
  const maxPerPeer = positiveInteger('maxPerPeer', options.maxPerPeer ?? defaultMaxReservationsPerPeer);
  const maxPerIp = positiveInteger('maxPerIp', options.maxPerIp ?? defaultMaxReservationsPerIp);
  const byDonor: Index = new Map();
  const byPeer: Index = new Map();
  const byNetwork: Index = new Map();

  function add(index: Index, key: string, reservation: Reservation): void {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(reservation);
  }
  function removeFrom(index: Index, key: string, reservation: Reservation): void {
    const set = index.get(key);
    set?.delete(reservation);
    if (set?.size === 0) index.delete(key);
  }
  function remove(reservation: Reservation): void {
    removeFrom(byDonor, reservation.donor, reservation);
    removeFrom(byPeer, reservation.peerId, reservation);
    removeFrom(byNetwork, reservation.network, reservation);
  }
  /** The live reservations under `key`, dropping expired ones from every index on the way. */
  function live(index: Index, key: string): readonly Reservation[] {
    const at = now();
    const out: Reservation[] = [];
    for (const reservation of index.get(key) ?? []) {
      if (reservation.expiresAt > at) out.push(reservation);
      else remove(reservation);
    }
    return out;
  }
  /** Which of `list` (in reservation order) goes first: the oldest no offer followed, else the oldest. */
  function firstToGo(list: readonly Reservation[]): Reservation | undefined {
    return list.find((reservation) => !reservation.offered) ?? list[0];
  }

  /** The oldest reservation of the network holding the most, when it holds `takeoverMargin` more than the asker's. */
  function hoardersFirst(onDonors: readonly Reservation[], ownNetwork: number): Reservation | undefined {
    let heaviest: { network: string; held: number } | undefined;
    for (const network of new Set(onDonors.map((r) => r.network))) {
      const held = live(byNetwork, network).length;
      if (!heaviest || held > heaviest.held) heaviest = { network, held };
    }
    if (!heaviest || heaviest.held < ownNetwork + takeoverMargin) return undefined;
    const { network } = heaviest;
    return firstToGo(onDonors.filter((r) => r.network === network));
  }

  const book: Reservations = {
    heldOn: (donor) => live(byDonor, donor).length,
    heldByPeer: (peerId) => live(byPeer, peerId).length,
    heldByNetwork: (network) => live(byNetwork, network).length,
    reserve(donor, holder) {
      for (let mine = live(byPeer, holder.peerId); mine.length >= maxPerPeer; mine = live(byPeer, holder.peerId)) remove(firstToGo(mine)!); // non-empty: length >= 1
      for (let ours = live(byNetwork, holder.network); ours.length >= maxPerIp; ours = live(byNetwork, holder.network)) remove(firstToGo(ours)!); // non-empty: length >= 1
      const at = now();
      const reservation: Reservation = { donor, peerId: holder.peerId, network: holder.network, reservedAt: at, expiresAt: at + offerMs, offered: false };
      add(byDonor, donor, reservation);
      add(byPeer, holder.peerId, reservation);
      add(byNetwork, holder.network, reservation);
    },
    takeOver(donors, holder) {
      const onDonors: Reservation[] = [];
      for (const donor of new Set(donors)) onDonors.push(...live(byDonor, donor));
      onDonors.sort((a, b) => a.reservedAt - b.reservedAt);
      const ownNetwork = live(byNetwork, holder.network).length;
      const victim =
        (live(byPeer, holder.peerId).length >= maxPerPeer ? firstToGo(onDonors.filter((r) => r.peerId === holder.peerId)) : undefined) ??
        (ownNetwork >= maxPerIp ? firstToGo(onDonors.filter((r) => r.network === holder.network)) : undefined) ??
        hoardersFirst(onDonors, ownNetwork);
      if (!victim) return undefined;
      remove(victim);
      book.reserve(victim.donor, holder);
      return victim.donor;
    },
    offered(peerId, donor) {
      const waiting = live(byPeer, peerId).find((reservation) => reservation.donor === donor && !reservation.offered);
      if (!waiting) return;
      waiting.offered = true;
      waiting.expiresAt = waiting.reservedAt + sessionMs;
    },
    leave(peerId) {
      for (const reservation of live(byPeer, peerId)) if (!reservation.offered) remove(reservation);
    },
    dropDonor(donor) {
      for (const reservation of [...(byDonor.get(donor) ?? [])]) remove(reservation);
    },
  };
  return book;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a positive number of milliseconds`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer`);
  return value;
}
