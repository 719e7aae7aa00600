import { describe, expect, it } from 'vitest';
import { createReservations, type ReservationOptions } from './reservations.ts';

function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const offerTimeoutMs = 10_000;
const sessionReservationMs = 60_000;

function book(options: ReservationOptions = {}) {
  const clock = fakeClock();
  const reservations = createReservations({ now: clock.now, offerTimeoutMs, sessionReservationMs, maxPerPeer: 3, maxPerIp: 6, ...options });
  return { clock, reservations };
}

/** Peer `peer` on network `network`. */
const holder = (peer: string, network = `net-${peer}`) => ({ peerId: peer, network });

describe('reservations', () => {
  it('releases a slot no offer followed after the offer timeout', () => {
    const { clock, reservations } = book();
    reservations.reserve('donor', holder('a'));
    clock.advance(offerTimeoutMs - 1);
    expect(reservations.heldOn('donor')).toBe(1);
    clock.advance(1);
    expect(reservations.heldOn('donor')).toBe(0);
    expect(reservations.heldByPeer('a')).toBe(0);
    expect(reservations.heldByNetwork('net-a')).toBe(0);
  });

  it('keeps a slot an offer followed for the session reservation time, counted from the find', () => {
    const { clock, reservations } = book();
    reservations.reserve('donor', holder('a'));
    clock.advance(5_000);
    reservations.offered('a', 'donor');
    clock.advance(sessionReservationMs - 5_000 - 1);
    expect(reservations.heldOn('donor')).toBe(1);
    clock.advance(1);
    expect(reservations.heldOn('donor')).toBe(0);
  });

  it('does not keep a slot for an offer that came too late, went to another donor or from another peer', () => {
    const { clock, reservations } = book();
    reservations.reserve('donor', holder('a'));
    reservations.offered('a', 'elsewhere');
    reservations.offered('b', 'donor');
    clock.advance(offerTimeoutMs);
    reservations.offered('a', 'donor');
    expect(reservations.heldOn('donor')).toBe(0);
  });

  it('keeps one slot per offer: of two finds on one donor, one offer keeps one', () => {
    const { clock, reservations } = book();
    reservations.reserve('donor', holder('a'));
    reservations.reserve('donor', holder('a'));
    reservations.offered('a', 'donor');
    clock.advance(offerTimeoutMs);
    expect(reservations.heldOn('donor')).toBe(1);
  });

  it('bounds what one peer holds: a find past the bound releases its oldest slot no offer followed', () => {
    const { reservations } = book({ maxPerPeer: 3 });
    reservations.reserve('d1', holder('a'));
    reservations.offered('a', 'd1');
    reservations.reserve('d2', holder('a'));
    reservations.reserve('d3', holder('a'));
    reservations.reserve('d4', holder('a'));
    expect(reservations.heldByPeer('a')).toBe(3);
    expect([reservations.heldOn('d1'), reservations.heldOn('d2'), reservations.heldOn('d3'), reservations.heldOn('d4')]).toEqual([1, 0, 1, 1]);
    for (let i = 0; i < 100; i++) reservations.reserve(`x${i}`, holder('a'));
    expect(reservations.heldByPeer('a')).toBe(3);
  });

  it('bounds what one network holds over all its identities', () => {
    const { reservations } = book({ maxPerPeer: 3, maxPerIp: 6 });
    for (let i = 0; i < 50; i++) reservations.reserve(`d${i}`, holder(`attacker-${i}`, '198.51.100.7'));
    expect(reservations.heldByNetwork('198.51.100.7')).toBe(6);
    reservations.reserve('d0', holder('honest', '192.0.2.1'));
    expect(reservations.heldByNetwork('192.0.2.1')).toBe(1);
  });

  it('lets a network holding nothing take over the oldest slot of the one that holds the most', () => {
    const { reservations } = book({ maxPerPeer: 3, maxPerIp: 6 });
    for (const peer of ['a1', 'a2']) for (const donor of ['d1', 'd2']) reservations.reserve(donor, holder(peer, 'hoarder'));
    // Offers do not shield a hoarder: anyone can send an offer.
    for (const peer of ['a1', 'a2']) for (const donor of ['d1', 'd2']) reservations.offered(peer, donor);
    expect(reservations.takeOver(['d1', 'd2'], holder('honest', 'honest-net'))).toBe('d1');
    expect(reservations.heldByNetwork('hoarder')).toBe(3);
    expect(reservations.heldByNetwork('honest-net')).toBe(1);
    expect(reservations.heldOn('d1') + reservations.heldOn('d2')).toBe(4);
  });

  it('takes nothing over from a network holding fewer than two more, from its own network, or off other donors', () => {
    const { reservations } = book();
    reservations.reserve('d1', holder('a', 'one'));
    expect(reservations.takeOver(['d1'], holder('b', 'other'))).toBeUndefined();
    reservations.reserve('d1', holder('c', 'one'));
    expect(reservations.takeOver(['d1'], holder('d', 'one'))).toBeUndefined();
    expect(reservations.takeOver(['d2'], holder('b', 'other'))).toBeUndefined();
    expect(reservations.takeOver([], holder('b', 'other'))).toBeUndefined();
    expect(reservations.heldOn('d1')).toBe(2);
  });

  it('renews a peer’s own oldest slot when it asks again at its bound', () => {
    const { clock, reservations } = book({ maxPerPeer: 2 });
    reservations.reserve('d1', holder('a'));
    reservations.reserve('d1', holder('a'));
    clock.advance(offerTimeoutMs - 1);
    expect(reservations.takeOver(['d1'], holder('a'))).toBe('d1');
    clock.advance(1);
    expect(reservations.heldOn('d1')).toBe(1); // the renewed one runs from the new find
    expect(reservations.heldByPeer('a')).toBe(1);
  });

  it('releases the slots a leaving peer sent no offer for, and every slot of a withdrawn donor', () => {
    const { reservations } = book();
    reservations.reserve('d1', holder('a'));
    reservations.reserve('d2', holder('a'));
    reservations.offered('a', 'd2');
    reservations.reserve('d2', holder('b'));
    reservations.leave('a');
    expect([reservations.heldOn('d1'), reservations.heldOn('d2')]).toEqual([0, 2]);
    reservations.dropDonor('d2');
    expect(reservations.heldOn('d2')).toBe(0);
    expect(reservations.heldByPeer('b')).toBe(0);
  });

  it.each([
    { offerTimeoutMs: 0 },
    { sessionReservationMs: Number.NaN },
    { maxPerPeer: 0 },
    { maxPerIp: 1.5 },
  ])('rejects settings %j', (settings) => {
    expect(() => createReservations(settings)).toThrow(RangeError);
  });
});
