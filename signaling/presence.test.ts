import { describe, expect, it } from 'vitest';
import type { ListingBody } from '../protocol/signaling-messages.ts';
import { createPresence } from './presence.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');
function donor(n: number, country: string, maxSessions = 2) {
  const body: ListingBody = { peerId: id(n), tierMbps: 10, maxSessions, pricePerMiB: '0', policyDigest: '0'.repeat(64), issuedAt: 0 };
  return { peerId: id(n), listing: { body: JSON.stringify(body), sig: '0'.repeat(128) }, body, country };
}

/** The asking side of a query: peer `n`, on a network of its own. */
const from = (n: number) => ({ requester: id(n), network: `198.51.100.${n}` });

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('presence', () => {
  it('matches by country, never the requester, never an excluded donor', () => {
    const presence = createPresence();
    presence.announce(donor(1, 'DE'));
    presence.announce(donor(2, 'FR'));
    expect(presence.pick({ country: 'DE', ...from(9) })?.peerId).toBe(id(1));
    expect(presence.pick({ country: 'JP', ...from(9) })).toBeUndefined();
    expect(presence.pick({ country: 'DE', ...from(1) })).toBeUndefined();
    expect(presence.pick({ country: 'DE', ...from(9), exclude: [id(1)] })).toBeUndefined();
    expect(presence.pick({ ...from(9), exclude: [id(1)] })?.peerId).toBe(id(2));
  });

  it('matches a sponsor code only with donors who share for that partner', () => {
    const presence = createPresence();
    const sponsored = donor(1, 'DE');
    presence.announce({ ...sponsored, body: { ...sponsored.body, sponsor: 'NGO-7' } });
    presence.announce(donor(2, 'DE'));
    expect(presence.pick({ ...from(9), sponsor: 'NGO-7' })?.peerId).toBe(id(1));
    expect(presence.pick({ ...from(9), sponsor: 'NGO-8' })).toBeUndefined();
    // Without a code any donor may be offered, sponsored or not.
    const offered = new Set([presence.pick({ ...from(8) })?.peerId, presence.pick({ ...from(7) })?.peerId, presence.pick({ ...from(6) })?.peerId]);
    expect([...offered].every((peer) => peer === id(1) || peer === id(2))).toBe(true);
  });

  it('reserves a session slot per pick until the reservation expires', () => {
    const clock = fakeClock();
    const presence = createPresence({ now: clock.now, sessionReservationMs: 1_000 });
    presence.announce(donor(1, 'DE', 2));
    expect(presence.pick({ ...from(9) })).toBeDefined();
    expect(presence.pick({ ...from(8) })).toBeDefined();
    expect(presence.pick({ ...from(7) })).toBeUndefined();
    expect(presence.reservedSessions(id(1))).toBe(2);
    clock.advance(1_001);
    expect(presence.reservedSessions(id(1))).toBe(0);
    expect(presence.pick({ ...from(7) })).toBeDefined();
  });

  it('holds a slot past the offer timeout only when an offer followed, and frees a leaving peer’s others', () => {
    const clock = fakeClock();
    const presence = createPresence({ now: clock.now, offerTimeoutMs: 1_000, sessionReservationMs: 5_000 });
    presence.announce(donor(1, 'DE', 2));
    presence.pick({ ...from(9) });
    presence.pick({ ...from(8) });
    presence.offered(id(9), id(1));
    clock.advance(1_000);
    expect(presence.reservedSessions(id(1))).toBe(1);
    presence.pick({ ...from(7) });
    presence.leave(id(7));
    presence.leave(id(9)); // its offer stands: the session may be up without signaling
    expect(presence.reservedSessions(id(1))).toBe(1);
  });

  it('gives a network holding nothing a slot that one hoarding network holds, when every slot is lent', () => {
    const presence = createPresence();
    presence.announce(donor(1, 'DE', 2));
    const hoarder = (n: number) => ({ requester: id(n), network: '198.51.100.7' });
    expect(presence.pick(hoarder(20))).toBeDefined();
    expect(presence.pick(hoarder(21))).toBeDefined();
    expect(presence.pick(hoarder(22))).toBeUndefined();
    expect(presence.pick({ ...from(9), country: 'DE' })?.peerId).toBe(id(1));
    expect(presence.pick({ ...from(8), country: 'NL' })).toBeUndefined(); // only a matching donor's slot is taken
    expect(presence.reservedSessions(id(1))).toBe(2);
  });

  it('chooses among matches with the injected randomness', () => {
    let next = 0;
    const presence = createPresence({ random: () => next });
    for (const n of [1, 2, 3]) presence.announce(donor(n, 'DE', 100));
    next = 0;
    expect(presence.pick({ ...from(9) })?.peerId).toBe(id(1));
    next = 0.999;
    expect(presence.pick({ ...from(9) })?.peerId).toBe(id(3));
  });

  it('finds one named donor, and only when it is announced, free, matching and not the requester', () => {
    const clock = fakeClock();
    const presence = createPresence({ now: clock.now, sessionReservationMs: 1_000 });
    presence.announce(donor(1, 'DE', 1));
    presence.announce(donor(2, 'DE', 5));
    for (let i = 0; i < 5; i++) expect(presence.pick({ ...from(10 + i), donor: id(2) })?.peerId).toBe(id(2));
    expect(presence.pick({ ...from(9), donor: id(2) })).toBeUndefined(); // all five slots lent
    expect(presence.pick({ ...from(9), donor: id(3) })).toBeUndefined(); // never announced
    expect(presence.pick({ ...from(1), donor: id(1) })).toBeUndefined();
    expect(presence.pick({ ...from(9), donor: id(1), country: 'NL' })).toBeUndefined();
    expect(presence.pick({ ...from(9), donor: id(1), exclude: [id(1)] })).toBeUndefined();
    expect(presence.pick({ ...from(9), donor: id(1), country: 'DE' })?.peerId).toBe(id(1));
    presence.withdraw(id(2));
    clock.advance(1_001);
    expect(presence.pick({ ...from(9), donor: id(2) })).toBeUndefined();
  });

  it('counts donors with a free slot per country, sorted, capped, without the requester or reserving', () => {
    const presence = createPresence();
    presence.announce(donor(1, 'NL', 1));
    presence.announce(donor(2, 'DE'));
    presence.announce(donor(3, 'DE'));
    presence.announce(donor(4, 'BR', 1));
    presence.announce(donor(5, 'ZZ'));
    expect(presence.countries(id(9), 300)).toEqual([
      { country: 'BR', donors: 1 },
      { country: 'DE', donors: 2 },
      { country: 'NL', donors: 1 },
      { country: 'ZZ', donors: 1 },
    ]);
    expect(presence.reservedSessions(id(1))).toBe(0);
    presence.pick({ ...from(9), donor: id(1) }); // NL's only donor is now full
    expect(presence.countries(id(3), 2)).toEqual([
      { country: 'BR', donors: 1 },
      { country: 'DE', donors: 1 },
    ]);
    expect(createPresence().countries(id(9), 300)).toEqual([]);
  });

  it('pages the directory in peer id order, skipping the asker and full donors, and says when more follow', () => {
    const presence = createPresence();
    for (const n of [5, 1, 4, 2]) presence.announce(donor(n, 'DE', 1));
    presence.pick({ ...from(9), donor: id(4) }); // full: not listed
    const first = presence.page(id(2), undefined, 1);
    expect(first.donors.map((d) => d.peerId)).toEqual([id(1)]);
    expect(first.more).toBe(true);
    const rest = presence.page(id(2), id(1), 10);
    expect(rest.donors.map((d) => d.peerId)).toEqual([id(5)]);
    expect(rest.more).toBe(false);
    expect(presence.page(id(2), id(5), 10)).toEqual({ donors: [], more: false });
    expect(presence.reservedSessions(id(1))).toBe(0); // paging reserves nothing
  });

  it('moves a donor that re-announces from another country, keeping its reservations', () => {
    const presence = createPresence();
    presence.announce(donor(1, 'DE', 1));
    presence.pick({ ...from(9) });
    presence.announce(donor(1, 'NL', 1));
    expect(presence.donorCount()).toBe(1);
    expect(presence.reservedSessions(id(1))).toBe(1);
    expect(presence.pick({ country: 'DE', ...from(8) })).toBeUndefined();
    expect(presence.withdraw(id(1))).toBe(true);
    expect(presence.withdraw(id(1))).toBe(false);
    expect(presence.donorCount()).toBe(0);
  });
});
