// The numbers the browse page shows about cost: a donor's price per GiB and what this tab has
// used, in the reader's language. Pure, so a unit test reads them as the page does.
import { makeCreditFormat } from '../common/credit-format.ts';
import type { SessionUsage } from './session-usage.ts';

/** MiB in a GiB: listings price per MiB, the page shows per GiB. */
const mibPerGiB = 1024n;

/** Micro-credits per GiB at `pricePerMiB` micro-credits per MiB (exact: a GiB is 1024 MiB). */
export function pricePerGiB(pricePerMiB: bigint): bigint {
  if (pricePerMiB < 0n) throw new RangeError('pricePerMiB: expected a non-negative number of micro-credits');
  return pricePerMiB * mibPerGiB;
}

/** The price and usage figures as numbers written for `language` ("1,024" credits per GiB in Spanish). */
export function makeCostFormat(language: string): { price(pricePerMiB: bigint): string; credits(usage: SessionUsage): string } {
  const credits = makeCreditFormat(language);
  return {
    price: (pricePerMiB) => credits(pricePerGiB(pricePerMiB)),
    credits: (usage) => credits(usage.microCredits),
  };
}
