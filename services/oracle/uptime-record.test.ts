import { describe, expect, it } from 'vitest';
import { availability, createUptimeRecord, meanLatencyMs } from './uptime-record.ts';

const donor = 'a'.repeat(64);
const other = 'b'.repeat(64);
const payee = '0x000000000000000000000000000000000000dEaD';

describe('uptime record', () => {
  it('counts sent, valid, missed and refused per epoch and donor', () => {
    const record = createUptimeRecord();
    for (let i = 0; i < 4; i++) record.sent(7, donor);
    record.answered(7, donor, 100, payee);
    record.answered(7, donor, 300, payee);
    record.missed(7, donor);
    record.refused(7, donor, 'bad-signature');
    record.refused(7, donor, 'bad-signature');
    record.sent(8, other);
    const seven = record.epoch(7).get(donor)!;
    expect(seven).toMatchObject({ sent: 4, valid: 2, missed: 1, refused: { 'bad-signature': 2 }, latencyMs: { total: 400, max: 300 }, paymentAddress: payee });
    expect(availability(seven)).toBe(0.5);
    expect(meanLatencyMs(seven)).toBe(200);
    expect(record.epoch(7).has(other)).toBe(false);
    expect(record.epochs()).toEqual([7, 8]);
    record.forgetBefore(8);
    expect(record.epochs()).toEqual([8]);
    expect(availability(record.epoch(8).get(other)!)).toBe(0);
    expect(meanLatencyMs(record.epoch(8).get(other)!)).toBeUndefined();
  });

  it('never credits more than every challenge answered, and refusals earn nothing', () => {
    const record = createUptimeRecord();
    record.sent(1, donor);
    record.answered(1, donor, 10, payee);
    record.answered(1, donor, 10, payee); // a slip upstream must not pay twice
    for (let i = 0; i < 50; i++) record.refused(1, donor, 'replayed');
    expect(availability(record.epoch(1).get(donor)!)).toBe(1);
    // Figures handed out are copies: a caller cannot edit the record.
    const copy = record.epoch(1).get(donor)! as { sent: number };
    copy.sent = 1_000;
    expect(record.epoch(1).get(donor)!.sent).toBe(1);
  });
});
