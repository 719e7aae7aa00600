import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvField,
  earnings,
  earningsCsv,
  earningsCsvFileName,
  earningsSeries,
  maxChartDays,
} from './earnings-model.ts';
import { channelDay, channelRecord } from '../../tests/support/channel-records.ts';

const mib = 1024 * 1024;
const idA = `0x${'a1'.repeat(32)}`;
const idB = `0x${'b2'.repeat(32)}`;

const channel = channelRecord;
const day = channelDay;

/** Local midnight of a day, in Unix seconds. */
const midnight = (year: number, month: number, date: number): number => new Date(year, month - 1, date).getTime() / 1000;

describe('earningsSeries', () => {
  it('is empty without day rows', () => {
    expect(earningsSeries([])).toEqual({ x: [], mib: [], credits: [] });
  });

  it('sums the channels of each day and shows the days between with 0', () => {
    const series = earningsSeries([day('2024-05-12', idA, 2 * mib, 2000), day('2024-05-09', idA, mib, 1000), day('2024-05-12', idB, mib, 500_000)]);
    expect(series).toEqual({
      x: [midnight(2024, 5, 9), midnight(2024, 5, 10), midnight(2024, 5, 11), midnight(2024, 5, 12)],
      mib: [1, 0, 0, 3],
      credits: [0.001, 0, 0, 0.502],
      firstDay: '2024-05-09',
      lastDay: '2024-05-12',
    });
  });

  it('skips rows whose day is not a calendar date', () => {
    expect(earningsSeries([day('2024-02-30', idA, 1, 1), day('yesterday', idA, 1, 1), day('2024-03-01', idA, mib, 7)]).x).toEqual([midnight(2024, 3, 1)]);
  });

  it('draws at most maxChartDays, the newest', () => {
    const series = earningsSeries([day('2001-01-01', idA, mib, 1), day('2024-05-10', idA, mib, 1)]);
    expect(series.x).toHaveLength(maxChartDays);
    expect(series.lastDay).toBe('2024-05-10');
    expect(series.mib.at(-1)).toBe(1);
    expect(series.mib.reduce((a, b) => a + b)).toBe(1);
  });

  describe('across a daylight-saving change', () => {
    const zone = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = 'Europe/Berlin';
    });
    afterAll(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });

    it('puts every point on a local midnight, whatever the day’s length', () => {
      const { x } = earningsSeries([day('2024-03-30', idA, 1, 1), day('2024-04-01', idA, 1, 1)]);
      // 31 March 2024 is 23 hours long in Berlin.
      expect(x).toEqual([Date.UTC(2024, 2, 29, 23) / 1000, Date.UTC(2024, 2, 30, 23) / 1000, Date.UTC(2024, 2, 31, 22) / 1000]);
    });
  });
});

describe('earnings', () => {
  const channels = [
    channel({ channelId: idA, peerCountry: 'IR', cumBytes: 3 * mib, cumCredits: 3000, settledCredits: 1000, updatedAt: Date.UTC(2024, 4, 10, 9, 30) }),
    channel({ channelId: idB, peerCountry: 'RU', price: '2500', cumBytes: 5 * mib, cumCredits: 12_500, updatedAt: Date.UTC(2024, 4, 11, 18, 0) }),
    channel({ channelId: `0x${'c3'.repeat(32)}`, updatedAt: Date.UTC(2024, 4, 9, 8, 0) }),
  ];

  it('gives one row per channel, newest receipt first, unsettled being what is not settled', () => {
    const { rows } = earnings(channels, []);
    expect(rows.map((row) => [row.shortId, row.peerCountry, row.lastReceiptAt, row.bytes, row.credits, row.settledCredits, row.unsettledCredits, row.pricePerMiB])).toEqual([
      ['0xb2b2b2…b2b2b2b2', 'RU', Date.UTC(2024, 4, 11, 18, 0), 5 * mib, 12_500, 0, 12_500, 2500n],
      ['0xa1a1a1…a1a1a1a1', 'IR', Date.UTC(2024, 4, 10, 9, 30), 3 * mib, 3000, 1000, 2000, 1000n],
      ['0xc3c3c3…c3c3c3c3', 'DE', undefined, 0, 0, 0, 0, 1000n],
    ]);
  });

  it('never shows a negative unsettled amount, nor a price that is not a number', () => {
    const [row] = earnings([channel({ channelId: idA, cumBytes: 1, cumCredits: 5, settledCredits: 9, price: '1e3' })], []).rows;
    expect(row?.unsettledCredits).toBe(0);
    expect(row?.pricePerMiB).toBeUndefined();
  });

  it('totals every channel', () => {
    expect(earnings(channels, []).totals).toEqual({ channels: 3, bytes: 8 * mib, credits: 15_500, settledCredits: 1000, unsettledCredits: 14_500 });
  });
});

describe('csvField', () => {
  it.each([
    ['DE', 'DE'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+49', "'+49"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
  ])('%j is written %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});

describe('earningsCsv', () => {
  it('has only the header without channels', () => {
    expect(earningsCsv([], [])).toBe('record,day,channelId,peerCountry,bytes,credits,settledCredits,unsettledCredits,pricePerMiB,openedAt,lastReceiptAt\r\n');
  });

  it('writes a row per day and channel, then a row per channel, credits exact', () => {
    const channels = [
      channel({ channelId: idA, peerCountry: '=cmd|x', cumBytes: 3 * mib, cumCredits: 3000, settledCredits: 1000, updatedAt: Date.UTC(2024, 4, 10, 9, 30) }),
      channel({ channelId: idB, peerCountry: 'RU', price: '2500', cumBytes: 1, cumCredits: 1, updatedAt: Date.UTC(2024, 4, 11, 18, 0) }),
    ];
    const days = [day('2024-05-10', idA, 2 * mib, 2000), day('2024-05-10', idB, 1, 1), day('2024-05-09', idA, mib, 1000)];
    expect(earningsCsv(channels, days).split('\r\n')).toEqual([
      'record,day,channelId,peerCountry,bytes,credits,settledCredits,unsettledCredits,pricePerMiB,openedAt,lastReceiptAt',
      `day,2024-05-09,${idA},'=cmd|x,1048576,0.001,,,,,`,
      `day,2024-05-10,${idA},'=cmd|x,2097152,0.002,,,,,`,
      `day,2024-05-10,${idB},RU,1,0.000001,,,,,`,
      `channel,,${idB},RU,1,0.000001,0,0.000001,0.0025,2024-05-09T08:00:00.000Z,2024-05-11T18:00:00.000Z`,
      `channel,,${idA},'=cmd|x,3145728,0.003,0.001,0.002,0.001,2024-05-09T08:00:00.000Z,2024-05-10T09:30:00.000Z`,
      '',
    ]);
  });
});

describe('earningsCsvFileName', () => {
  it('names the local day', () => {
    expect(earningsCsvFileName(new Date(2024, 4, 9, 23, 59))).toBe('porchlight-earnings-2024-05-09.csv');
  });
});
