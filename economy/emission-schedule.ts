// EmissionSchedule.sol in TypeScript, to the wei, for the simulation: what each epoch may mint and
// how it splits between availability and usage. On a live chain the oracles take the pools from
// Rewards' EpochClosed event instead; parameters.test.ts checks these against the compiled contract.
import {
  availabilityHorizonEpochs,
  availabilityInitialShareBps,
  bpsDenominator,
  emissionHalvingEpochs,
  initialEpochEmissionWei,
} from './parameters.ts';

function checkEpoch(epoch: number): bigint {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epoch: expected a whole number ≥ 0, got ${epoch}`);
  return BigInt(epoch);
}

/**
 * Epoch `epoch`'s whole emission, wei: the initial emission halved once per halving era.
 * @throws {RangeError} when the epoch is not a whole number ≥ 0.
 */
export function emissionOf(epoch: number): bigint {
  const halvings = checkEpoch(epoch) / BigInt(emissionHalvingEpochs);
  return halvings >= 256n ? 0n : initialEpochEmissionWei >> halvings;
}

/**
 * Sum of emissionOf(0 … epochs − 1), wei.
 * @throws {RangeError} when `epochs` is not a whole number ≥ 0.
 */
export function cumulativeEmissionOf(epochs: number): bigint {
  let left = checkEpoch(epochs);
  const era = BigInt(emissionHalvingEpochs);
  let perEpoch = initialEpochEmissionWei;
  let total = 0n;
  while (left > 0n && perEpoch > 0n) {
    const n = left < era ? left : era;
    total += n * perEpoch;
    left -= n;
    perEpoch >>= 1n;
  }
  return total;
}

/** Everything the schedule will ever allow, wei: every era until the halved emission floors to zero. */
export function scheduleTotalWei(): bigint {
  let total = 0n;
  for (let perEpoch = initialEpochEmissionWei; perEpoch > 0n; perEpoch >>= 1n) total += BigInt(emissionHalvingEpochs) * perEpoch;
  return total;
}

/**
 * Availability's share of epoch `epoch`'s emission, basis points: linear from the initial share to 0 at the horizon.
 * @throws {RangeError} when the epoch is not a whole number ≥ 0.
 */
export function availabilityShareBps(epoch: number): bigint {
  const e = checkEpoch(epoch);
  const horizon = BigInt(availabilityHorizonEpochs);
  return e >= horizon ? 0n : (availabilityInitialShareBps * (horizon - e)) / horizon;
}

/**
 * Epoch `epoch`'s availability and usage pools, wei; they sum to emissionOf(epoch).
 * @throws {RangeError} when the epoch is not a whole number ≥ 0.
 */
export function poolsOf(epoch: number): { availabilityPoolWei: bigint; usagePoolWei: bigint } {
  const emission = emissionOf(epoch);
  const availabilityPoolWei = (emission * availabilityShareBps(epoch)) / bpsDenominator;
  return { availabilityPoolWei, usagePoolWei: emission - availabilityPoolWei };
}
