// Receipt signatures checked against a client's known public key instead of recovered: a donor
// sees many receipts from the same few clients, and a check costs a third of a recovery.
// Everything here is public data, so variable-time arithmetic is fine.
import { invert, mod } from '@noble/curves/abstract/modular';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToUint } from './bytes.ts';

// Recovery computes Q = r⁻¹(s·R − h·G) from R, the point with x = r and the y parity v names.
// With the key P known, R' = (h/s)·G + (r/s)·P is computed instead: if R' has x = r and that
// parity, it is R, and then Q = P, so recovery would have returned P's address. Any other
// outcome falls back to recovery, which gives whatever answer it gives. Both multiplications use
// fixed-window tables (unsafe, variable-time: everything here is public), so a check is about 130
// point additions where a recovery takes some 450 operations and a square root.

type CurvePoint = InstanceType<typeof secp256k1.ProjectivePoint>;
const curveOrder = secp256k1.CURVE.n;
const tableWindowBits = 4;
const tableWindows = 256 / tableWindowBits;
const tableDigits = (1 << tableWindowBits) - 1;

/** table[i][d − 1] = d·16^i·P for every window i and digit d: a scalar times P is at most 64 additions. */
export type PointTable = CurvePoint[][];

function pointTable(point: CurvePoint): PointTable {
  const table: PointTable = [];
  let base = point;
  for (let i = 0; i < tableWindows; i++) {
    const row = [base];
    for (let d = 1; d < tableDigits; d++) row.push(row[d - 1]!.add(base));
    table.push(row);
    base = row[tableDigits - 1]!.add(base); // 16·base
  }
  return table;
}

function tableMultiply(table: PointTable, scalar: bigint): CurvePoint {
  const digits = scalar.toString(16).padStart(tableWindows, '0');
  let sum = secp256k1.ProjectivePoint.ZERO;
  for (let i = 0; i < tableWindows; i++) {
    const d = Number.parseInt(digits[tableWindows - 1 - i]!, 16);
    if (d !== 0) sum = sum.add(table[i]![d - 1]!);
  }
  return sum;
}

let generatorTable: PointTable | undefined;
/** Public keys recently recovered, by address: a donor serves a few clients at a time. */
const maxKnownKeys = 8;
const knownKeys = new Map<string, PointTable>();

/** The key `address` was last seen signing with, as a multiplication table; undefined when not known. */
export function knownSignerKey(address: string): PointTable | undefined {
  return knownKeys.get(address);
}

/** Keeps `publicKey` as the key `address` (checksummed) signs with; the oldest of {@link maxKnownKeys} goes. */
export function rememberSignerKey(address: string, publicKey: CurvePoint): void {
  if (knownKeys.size >= maxKnownKeys) knownKeys.delete(knownKeys.keys().next().value!); // the oldest; size > 0
  knownKeys.set(address, pointTable(publicKey));
}

/** True when (r, s, recovery) over `digest` is a signature by `key`, i.e. exactly when recovery would return it. */
export function signedByKnownKey(key: PointTable, digest: Uint8Array, r: bigint, s: bigint, recovery: number): boolean {
  generatorTable ??= pointTable(secp256k1.ProjectivePoint.BASE);
  const h = mod(bytesToUint(digest), curveOrder);
  const sInverse = invert(s, curveOrder);
  const candidate = tableMultiply(generatorTable, mod(h * sInverse, curveOrder)).add(tableMultiply(key, mod(r * sInverse, curveOrder)));
  if (candidate.equals(secp256k1.ProjectivePoint.ZERO)) return false;
  const { x, y } = candidate.toAffine();
  return x === r && Number(y & 1n) === recovery;
}
