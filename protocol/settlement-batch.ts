// The packed calldata of Settlement.settle(bytes): one exit per batch, then each receipt at fixed
// widths with its signature in EIP-2098 compact form. Packing is what keeps a batch of 100 within
// the gas target: a receipt costs 156 bytes of calldata instead of the 288 of its ABI encoding.
// Layout (contracts/Settlement.sol reads exactly this), big-endian, no padding:
//   header: version u8 (= 1) ‖ exit (20 bytes)
//   receipt (156 bytes): channelId 32 ‖ client 20 ‖ cumBytes u64 ‖ cumCredits u128 ‖ price u64 ‖
//                        expiry u64 ‖ r 32 ‖ yParityAndS 32
// A receipt whose numbers do not fit these widths cannot be settled; the encoder refuses it rather
// than truncate. No honest channel comes near them (2^64 bytes is 16 EiB).
import { bytesToHex, bytesToUint, hexToBytes, uintToBytes } from './bytes.ts';
import type { SignedReceipt } from './receipt.ts';

export const settlementBatchVersion = 1;
export const settlementBatchHeaderBytes = 1 + 20;
export const settlementReceiptBytes = 32 + 20 + 8 + 16 + 8 + 8 + 32 + 32;
/** Parameters.MAX_RECEIPTS_PER_BATCH: the contract reverts BatchTooLarge above it. */
export const maxReceiptsPerBatch = 500;

/** Settlement.RejectReason, in its enum order: ReceiptRejected's `reason` indexes this list. */
export const settlementRejectReasons = [
  'bad-signature',
  'expired',
  'replay',
  'rollback',
  'inconsistent-credits',
  'insufficient-credits',
  'duplicate-channel',
] as const;
export type SettlementRejectReason = (typeof settlementRejectReasons)[number];

const widths = { cumBytes: 8, cumCredits: 16, price: 8, expiry: 8 } as const;
const yParityBit = 1n << 255n;

function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out.set(bytes, at);
  return at + bytes.length;
}

function hexField(hex: string, bytes: number, field: string): Uint8Array {
  if (!new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(hex)) throw new RangeError(`${field}: expected 0x and ${bytes * 2} hex digits`);
  return hexToBytes(hex.slice(2).toLowerCase());
}

function uintField(value: bigint, bytes: number, field: string): Uint8Array {
  if (value < 0n || value >> BigInt(bytes * 8) !== 0n) throw new RangeError(`${field}: ${value} does not fit the batch's uint${bytes * 8}`);
  return uintToBytes(value, bytes);
}

/**
 * The 0x-hex `batch` argument of Settlement.settle for `receipts`, all for `exit`.
 * @throws {RangeError} when there are none or more than maxReceiptsPerBatch, a receipt names
 *   another exit, a number does not fit its width, or a signature is not 65 bytes with v 27/28.
 */
export function encodeSettlementBatch(exit: string, receipts: readonly SignedReceipt[]): string {
  if (receipts.length === 0) throw new RangeError('receipts: expected at least one');
  if (receipts.length > maxReceiptsPerBatch) throw new RangeError(`receipts: at most ${maxReceiptsPerBatch} per batch, got ${receipts.length}`);
  const exitBytes = hexField(exit, 20, 'exit');
  const out = new Uint8Array(settlementBatchHeaderBytes + receipts.length * settlementReceiptBytes);
  out[0] = settlementBatchVersion;
  let at = put(out, 1, exitBytes);
  receipts.forEach(({ receipt, signature }, i) => {
    if (receipt.exit.toLowerCase() !== exit.toLowerCase()) throw new RangeError(`receipts[${i}]: for exit ${receipt.exit}, not ${exit}`);
    const sig = hexField(signature, 65, `receipts[${i}].signature`);
    const v = sig[64]!; // 65 bytes, checked
    if (v !== 27 && v !== 28) throw new RangeError(`receipts[${i}].signature: v must be 27 or 28, got ${v}`);
    // EIP-2098: the y parity goes in the top bit of s (s < n/2 < 2^255 leaves it free; the contract refuses high s).
    const vs = bytesToUint(sig.subarray(32, 64)) | (v === 28 ? yParityBit : 0n);
    at = put(out, at, hexField(receipt.channelId, 32, `receipts[${i}].channelId`));
    at = put(out, at, hexField(receipt.client, 20, `receipts[${i}].client`));
    at = put(out, at, uintField(receipt.cumBytes, widths.cumBytes, `receipts[${i}].cumBytes`));
    at = put(out, at, uintField(receipt.cumCredits, widths.cumCredits, `receipts[${i}].cumCredits`));
    at = put(out, at, uintField(receipt.price, widths.price, `receipts[${i}].price`));
    at = put(out, at, uintField(receipt.expiry, widths.expiry, `receipts[${i}].expiry`));
    at = put(out, at, sig.subarray(0, 32));
    at = put(out, at, uintToBytes(vs, 32));
  });
  return '0x' + bytesToHex(out);
}

/** One receipt as the batch carries it (addresses lowercase; the signature back in r‖s‖v form). */
export interface BatchReceipt {
  readonly channelId: string;
  readonly client: string;
  readonly cumBytes: bigint;
  readonly cumCredits: bigint;
  readonly price: bigint;
  readonly expiry: bigint;
  readonly signature: string;
}

/**
 * Reads a batch back (a relayer checks what it is asked to submit; tests check the layout).
 * @throws {RangeError} as the contract would revert: bad length, version, empty, too large, zero exit.
 */
export function decodeSettlementBatch(hex: string): { exit: string; receipts: BatchReceipt[] } {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError('batch: expected 0x-hex bytes');
  const bytes = hexToBytes(hex.slice(2));
  if (bytes.length < settlementBatchHeaderBytes || (bytes.length - settlementBatchHeaderBytes) % settlementReceiptBytes !== 0) {
    throw new RangeError(`batch: ${bytes.length} bytes is not a header and whole receipts`);
  }
  if (bytes[0] !== settlementBatchVersion) throw new RangeError(`batch: unsupported version ${bytes[0]}`);
  const count = (bytes.length - settlementBatchHeaderBytes) / settlementReceiptBytes;
  if (count === 0) throw new RangeError('batch: no receipts');
  if (count > maxReceiptsPerBatch) throw new RangeError(`batch: ${count} receipts, at most ${maxReceiptsPerBatch}`);
  const exit = '0x' + bytesToHex(bytes.subarray(1, 21));
  if (/^0x0{40}$/.test(exit)) throw new RangeError('batch: zero exit');
  const receipts: BatchReceipt[] = [];
  let at = settlementBatchHeaderBytes;
  const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
  for (let i = 0; i < count; i++) {
    const channelId = '0x' + bytesToHex(take(32));
    const client = '0x' + bytesToHex(take(20));
    const cumBytes = bytesToUint(take(widths.cumBytes));
    const cumCredits = bytesToUint(take(widths.cumCredits));
    const price = bytesToUint(take(widths.price));
    const expiry = bytesToUint(take(widths.expiry));
    const r = bytesToHex(take(32));
    const vs = bytesToUint(take(32));
    const s = uintToBytes(vs & (yParityBit - 1n), 32);
    const v = vs & yParityBit ? '1c' : '1b';
    receipts.push({ channelId, client, cumBytes, cumCredits, price, expiry, signature: `0x${r}${bytesToHex(s)}${v}` });
  }
  return { exit, receipts };
}
