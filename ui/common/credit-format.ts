// Credits as people read them: micro-credits (the integers receipts carry) written as an exact
// decimal number of credits in the reader's language. The options page's credit totals and the
// browse page's price and usage use the same formatter.
import { microCreditsPerCredit } from '../../protocol/receipt.ts';

/**
 * Micro-credits as an exact decimal number of credits, by integer arithmetic: 42100 → "0.0421",
 * 3000000 → "3", 1 → "0.000001".
 * @throws {RangeError} when `micro` is not a non-negative integer.
 */
export function microCreditsToDecimal(micro: number | bigint): string {
  if (typeof micro === 'number' && !Number.isInteger(micro)) throw new RangeError(`micro-credits: expected a non-negative integer, got ${micro}`);
  const value = BigInt(micro);
  if (value < 0n) throw new RangeError(`micro-credits: expected a non-negative integer, got ${micro}`);
  const whole = value / microCreditsPerCredit;
  const fraction = (value % microCreditsPerCredit).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/** A formatter of micro-credits as credits in `language`'s digits, up to 6 decimals, exact ("0,0421" in Spanish). */
export function makeCreditFormat(language: string): (micro: number | bigint) => string {
  const format = new Intl.NumberFormat([language], { maximumFractionDigits: 6 });
  // A decimal string is formatted exactly (Intl.NumberFormat v3); a float could round the 6th digit.
  return (micro) => format.format(microCreditsToDecimal(micro) as `${number}`);
}
