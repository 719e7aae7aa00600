// The payment receipt: EIP-712 typed data, cumulative per channel, signed by the client's
// secp256k1 payment key. Defined once here so the extension, the server and the settlement
// contract (next issue) hash exactly the same struct. Spec: docs/receipts.md.
// Hashing, signing and recovery run on @noble directly (the same secp256k1 ethers wraps): ethers'
// TypedDataEncoder rebuilds the encoder and walks the types on every call, which cost more than the
// signature itself at the rate a fast link sends receipts. The bytes signed are the same (tests
// compare with ethers for random receipts).
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { BaseWallet, TypedDataDomain } from 'ethers';
import { z } from 'zod';
import { describeSchemaError } from './schema-error.ts';
import { knownSignerKey, rememberSignerKey, signedByKnownKey } from './known-signer-keys.ts';
import { bytesToHex, bytesToUint, concatBytes, hexToBytes, uintToBytes, utf8ToBytes } from './bytes.ts';
import { maxOpaquePayloadBytes } from './frame-types.ts';

/** Credits are USD-pegged; amounts on the wire are in micro-credits (1 credit = 10^6 micro-credits). */
export const microCreditsPerCredit = 1_000_000n;
/** `price` is micro-credits per MiB of frame bytes; a MiB is 2^20 bytes. */
export const bytesPerMiB = 1n << 20n;

/** The longest a donor may take to settle a receipt it holds (it settles in batches): 7 days. */
export const settlementLagSeconds = 7 * 24 * 3600;
/**
 * A donor accepts a receipt only if it stays settleable at least this long (8 days): longer than
 * the settlement lag, so every receipt it holds can still be settled. Clients sign for longer.
 */
export const minReceiptLifetimeSeconds = settlementLagSeconds + 24 * 3600;

export const receiptDomainName = 'Porchlight';
export const receiptDomainVersion = '1';

/** The EIP-712 struct, field order fixed: this is what the contract's RECEIPT_TYPEHASH hashes. */
export const receiptTypes = {
  Receipt: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'client', type: 'address' },
    { name: 'exit', type: 'address' },
    { name: 'cumBytes', type: 'uint256' },
    { name: 'cumCredits', type: 'uint256' },
    { name: 'price', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const satisfies Record<string, Array<{ name: string; type: string }>>;

const maxUint256 = (1n << 256n) - 1n;
const maxUint64 = (1n << 64n) - 1n;
const secp256k1HalfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface Receipt {
  /** 0x + 64 lowercase hex digits. */
  readonly channelId: string;
  /** The client's payment address (EIP-55 checksummed). */
  readonly client: string;
  /** The donor's (exit's) payment address (EIP-55 checksummed). */
  readonly exit: string;
  /** Frame bytes the client acknowledges having received on this channel, in total. */
  readonly cumBytes: bigint;
  /** Micro-credits owed in total: creditsForBytes(cumBytes, price). */
  readonly cumCredits: bigint;
  /** Micro-credits per MiB, fixed when the channel opened. */
  readonly price: bigint;
  /** Unix time in seconds after which the receipt may not be settled. */
  readonly expiry: bigint;
}

export interface SignedReceipt {
  readonly receipt: Receipt;
  /** 65-byte r‖s‖v signature, 0x-hex, v ∈ {27, 28}. */
  readonly signature: string;
}

/** Where receipts will be settled: supplied by configuration, never by the peer. */
export interface ReceiptDomainConfig {
  readonly chainId: bigint | number;
  /** The settlement contract's address. */
  readonly verifyingContract: string;
}

export const receiptErrorCodes = [
  'bad-shape',
  'bad-channel-id',
  'bad-address',
  'bad-checksum',
  'bad-uint',
  'out-of-range',
  'bad-signature-encoding',
  'bad-signature',
  'bad-frame-length',
  'bad-frame-version',
] as const;
export type ReceiptErrorCode = (typeof receiptErrorCodes)[number];

/** A receipt that could not be parsed, decoded or recovered. */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(
    readonly code: ReceiptErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Micro-credits owed for `bytes` at `price` micro-credits per MiB: ceil(bytes × price / 2^20).
 * Rounding up means a donor is never paid less than the exact fraction, by less than one micro-credit.
 */
export function creditsForBytes(bytes: bigint, price: bigint): bigint {
  if (bytes < 0n || price < 0n) throw new RangeError('bytes and price: expected non-negative integers');
  return (bytes * price + bytesPerMiB - 1n) / bytesPerMiB;
}

const decimalCreditsPattern = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * A decimal amount of credits (as a listing carries it, e.g. "0.001") in micro-credits.
 * @throws {RangeError} when it is not a plain decimal or is finer than a micro-credit.
 */
export function microCreditsFromDecimal(amount: string): bigint {
  const match = decimalCreditsPattern.exec(amount);
  if (!match) throw new RangeError(`amount: expected a decimal such as "0.001", got "${amount}"`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 6) throw new RangeError(`amount ${amount}: finer than one micro-credit`);
  return BigInt(match[1]!) * microCreditsPerCredit + BigInt(fraction.padEnd(6, '0'));
}

/** Micro-credits as a decimal amount of credits ("0.001"), exact. */
export function decimalFromMicroCredits(micro: bigint): string {
  if (micro < 0n) throw new RangeError('micro-credits: expected a non-negative amount');
  const whole = micro / microCreditsPerCredit;
  const fraction = (micro % microCreditsPerCredit).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/**
 * The EIP-712 domain for a configuration.
 * @throws {RangeError} when chainId is not a positive integer.
 * @throws {ReceiptError} ('bad-address') when verifyingContract is not an address.
 */
export function receiptDomain(config: ReceiptDomainConfig): TypedDataDomain {
  return cachedDomain(config).domain;
}

/** The full EIP-712 payload (domain, types, primary type, message), e.g. for eth_signTypedData_v4. */
export function receiptTypedData(domain: ReceiptDomainConfig, receipt: Receipt) {
  return { domain: receiptDomain(domain), types: receiptTypes, primaryType: 'Receipt' as const, message: receiptMessage(receipt) };
}

/**
 * The 32-byte EIP-712 digest the client signs and the contract recovers from, 0x-hex.
 * @throws {RangeError} when a field does not fit its type.
 */
export function receiptDigest(domain: ReceiptDomainConfig, receipt: Receipt): string {
  return '0x' + bytesToHex(receiptDigestBytes(domain, receipt));
}

/**
 * Anything that signs EIP-712 data like an ethers Wallet (Wallet, HDNodeWallet). One that shows its
 * signingKey (every ethers wallet) is signed with directly; any other through signTypedData.
 */
export type ReceiptSigner = Pick<BaseWallet, 'signTypedData'> & { readonly signingKey?: { readonly privateKey: string } };

/**
 * Signs a receipt with the client's payment key.
 * @throws {ReceiptError} ('bad-signature-encoding') if the signer returns a non-canonical signature.
 */
export async function signReceipt(wallet: ReceiptSigner, domain: ReceiptDomainConfig, receipt: Receipt): Promise<SignedReceipt> {
  const key = wallet.signingKey && privateKeyOf(wallet.signingKey);
  if (key === undefined) {
    const signature = await wallet.signTypedData(receiptDomain(domain), receiptTypes, receiptMessage(receipt));
    return { receipt, signature: parseSignatureHex(signature.toLowerCase()) };
  }
  // As ethers' SigningKey.sign: RFC 6979 deterministic nonce, low s, v = 27 + recovery bit.
  const sig = secp256k1.sign(receiptDigestBytes(domain, receipt), key, { lowS: true });
  return { receipt, signature: parseSignatureHex('0x' + sig.toCompactHex() + (sig.recovery === 1 ? '1c' : '1b')) };
}

/**
 * The checksummed address that signed `receipt`. `expected`, when given, is the address the caller
 * will compare with: once a receipt has recovered to it, its public key is kept and later receipts
 * are checked against that key, a third of the work of a recovery. The answer is the same either way.
 * @throws {ReceiptError} ('bad-signature-encoding' | 'bad-signature') when no signer can be recovered.
 */
export function recoverReceiptSigner(domain: ReceiptDomainConfig, receipt: Receipt, signature: string, expected?: string): string {
  parseSignatureHex(signature);
  try {
    const digest = receiptDigestBytes(domain, receipt);
    const r = BigInt('0x' + signature.slice(2, 66));
    const s = BigInt('0x' + signature.slice(66, 130));
    const recovery = Number.parseInt(signature.slice(130), 16) - 27; // 0 or 1: parseSignatureHex checked v
    // The constructor refuses r or s outside [1, n); recovery refuses an r that is no point's x.
    const sig = new secp256k1.Signature(r, s).addRecoveryBit(recovery);
    const known = expected === undefined ? undefined : knownSignerKey(expected);
    if (known && signedByKnownKey(known, digest, r, s, recovery)) return expected!; // known is only set for an expected address
    const publicKey = sig.recoverPublicKey(digest);
    const address = checksumAddress(bytesToHex(keccak_256(publicKey.toRawBytes(false).subarray(1)).subarray(12)));
    if (expected !== undefined && address === expected && !known) rememberSignerKey(address, publicKey);
    return address;
  } catch {
    throw new ReceiptError('bad-signature', 'The receipt signature does not recover to any key.');
  }
}

function receiptMessage(receipt: Receipt): Record<string, string | bigint> {
  return { ...receipt };
}

// ---- EIP-712 encoding ----------------------------------------------------------------------

const keccakOfText = (text: string): Uint8Array => keccak_256(utf8ToBytes(text));
const domainTypeHash = keccakOfText('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)');
// Every Receipt field is a static type, so its struct hash is keccak256(typeHash ‖ one 32-byte word
// per field), in receiptTypes' order (EIP-712 encodeData).
const receiptTypeHash = keccakOfText(`Receipt(${receiptTypes.Receipt.map((field) => `${field.type} ${field.name}`).join(',')})`);
const wordBytes = 32;
type FieldType = (typeof receiptTypes.Receipt)[number]['type'];
const uintBits: Partial<Record<FieldType, bigint>> = { uint256: 256n, uint64: 64n };
for (const field of receiptTypes.Receipt) {
  if (field.type !== 'bytes32' && field.type !== 'address' && uintBits[field.type] === undefined) throw new Error(`receipt field ${field.name}: ${field.type} is not encoded here`);
}

/** The word of one field, into `out` at `at`. @throws {RangeError} when the value does not fit the type. */
function encodeField(type: FieldType, name: string, value: string | bigint, out: Uint8Array, at: number): void {
  if (type === 'bytes32') {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new RangeError(`${name}: expected 32 bytes of hex`);
    out.set(hexToBytes(value.slice(2)), at);
    return;
  }
  if (type === 'address') {
    if (typeof value !== 'string') throw new RangeError(`${name}: expected an address`);
    out.set(hexToBytes(canonicalAddress(value, name).slice(2)), at + 12);
    return;
  }
  const bits = uintBits[type]!; // every other field type has its width (checked at load)
  if (typeof value !== 'bigint' || value < 0n || value >> bits !== 0n) throw new RangeError(`${name}: expected a uint${bits}`);
  out.set(uintToBytes(value, wordBytes), at);
}

function structHash(receipt: Receipt): Uint8Array {
  const fields = receiptTypes.Receipt;
  const out = new Uint8Array(wordBytes * (1 + fields.length));
  out.set(receiptTypeHash, 0);
  fields.forEach((field, i) => encodeField(field.type, field.name, receipt[field.name], out, wordBytes * (1 + i)));
  return keccak_256(out);
}

interface CachedDomain {
  domain: TypedDataDomain;
  separator: Uint8Array;
}
/** A process uses one or two domains; the bound only stops a caller that makes up many from growing it. */
const maxCachedDomains = 16;
const domains = new Map<string, CachedDomain>();

/** The domain and its separator, computed once per configuration. */
function cachedDomain(config: ReceiptDomainConfig): CachedDomain {
  const key = `${config.chainId}/${config.verifyingContract}`;
  let cached = domains.get(key);
  if (cached) return cached;
  const chainId = BigInt(config.chainId);
  if (chainId <= 0n || chainId > maxUint256) throw new RangeError(`chainId: expected a positive integer, got ${config.chainId}`);
  const verifyingContract = parseAddress(config.verifyingContract, 'verifyingContract', false);
  const words = new Uint8Array(wordBytes * 5);
  words.set(domainTypeHash, 0);
  words.set(keccakOfText(receiptDomainName), wordBytes);
  words.set(keccakOfText(receiptDomainVersion), wordBytes * 2);
  words.set(uintToBytes(chainId, wordBytes), wordBytes * 3);
  words.set(hexToBytes(verifyingContract.slice(2)), wordBytes * 4 + 12);
  cached = { domain: { name: receiptDomainName, version: receiptDomainVersion, chainId, verifyingContract }, separator: keccak_256(words) };
  if (domains.size >= maxCachedDomains) domains.clear();
  domains.set(key, cached);
  return cached;
}

const eip712Prefix = Uint8Array.of(0x19, 0x01);

/** keccak256(0x1901 ‖ domainSeparator ‖ structHash). */
function receiptDigestBytes(domain: ReceiptDomainConfig, receipt: Receipt): Uint8Array {
  return keccak_256(concatBytes(eip712Prefix, cachedDomain(domain).separator, structHash(receipt)));
}

/** The payment key's secret as a scalar, read once per key. */
const privateKeys = new WeakMap<object, bigint>();
function privateKeyOf(signingKey: { readonly privateKey: string }): bigint | undefined {
  let key = privateKeys.get(signingKey);
  if (key === undefined) {
    if (typeof signingKey.privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(signingKey.privateKey)) return undefined;
    key = BigInt(signingKey.privateKey);
    privateKeys.set(signingKey, key);
  }
  return key;
}

// ---- Addresses (EIP-55) --------------------------------------------------------------------

/** Addresses repeat (a channel names the same two on every receipt): their checksums are kept. */
const maxCachedChecksums = 1024;
const checksums = new Map<string, string>();

/** The EIP-55 checksummed spelling of 40 lowercase hex digits. */
function checksumAddress(lowerHex: string): string {
  let spelled = checksums.get(lowerHex);
  if (spelled !== undefined) return spelled;
  const hash = keccak_256(utf8ToBytes(lowerHex));
  spelled = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f; // 32-byte hash, i < 40
    spelled += nibble >= 8 ? lowerHex[i]!.toUpperCase() : lowerHex[i]!;
  }
  if (checksums.size >= maxCachedChecksums) checksums.clear();
  checksums.set(lowerHex, spelled);
  return spelled;
}

/**
 * `value` checksummed, as ethers' getAddress accepts it: all one case, or mixed case that is the checksum.
 * @throws {RangeError} otherwise.
 */
function canonicalAddress(value: string, field: string): string {
  if (!addressPattern.test(value)) throw new RangeError(`${field}: expected 0x and 40 hex digits`);
  const digits = value.slice(2);
  const spelled = checksumAddress(digits.toLowerCase());
  if (digits !== digits.toLowerCase() && digits !== digits.toUpperCase() && value !== spelled) throw new RangeError(`${field}: bad address checksum`);
  return spelled;
}

// ---- JSON form (storage, exports, logs) ---------------------------------------------------

/** The JSON form: every integer as a decimal string, so nothing passes through a float. */
export interface ReceiptJson {
  channelId: string;
  client: string;
  exit: string;
  cumBytes: string;
  cumCredits: string;
  price: string;
  expiry: string;
}

const receiptJsonSchema = z.strictObject({
  channelId: z.string(),
  client: z.string(),
  exit: z.string(),
  cumBytes: z.string(),
  cumCredits: z.string(),
  price: z.string(),
  expiry: z.string(),
});

const channelIdPattern = /^0x[0-9a-f]{64}$/;
const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const decimalPattern = /^(0|[1-9][0-9]{0,77})$/;
const signaturePattern = /^0x[0-9a-f]{130}$/;

/** The JSON form of a receipt. */
export function receiptToJson(receipt: Receipt): ReceiptJson {
  return {
    channelId: receipt.channelId,
    client: receipt.client,
    exit: receipt.exit,
    cumBytes: receipt.cumBytes.toString(),
    cumCredits: receipt.cumCredits.toString(),
    price: receipt.price.toString(),
    expiry: receipt.expiry.toString(),
  };
}

/**
 * Parses the JSON form strictly: no extra keys, lowercase bytes32, EIP-55 checksummed addresses,
 * canonical decimal strings within uint256 (uint64 for expiry).
 * @throws {ReceiptError} naming the first problem.
 */
export function parseReceipt(value: unknown): Receipt {
  const parsed = receiptJsonSchema.safeParse(value);
  if (!parsed.success) throw new ReceiptError('bad-shape', `receipt: ${describeSchemaError(parsed.error)}`);
  const json = parsed.data;
  if (!channelIdPattern.test(json.channelId)) throw new ReceiptError('bad-channel-id', 'channelId: expected 0x and 64 lowercase hex digits');
  return {
    channelId: json.channelId,
    client: parseAddress(json.client, 'client', true),
    exit: parseAddress(json.exit, 'exit', true),
    cumBytes: parseUint(json.cumBytes, 'cumBytes', maxUint256),
    cumCredits: parseUint(json.cumCredits, 'cumCredits', maxUint256),
    price: parseUint(json.price, 'price', maxUint256),
    expiry: parseUint(json.expiry, 'expiry', maxUint64),
  };
}

/** The JSON form of a signed receipt. */
export function signedReceiptToJson(signed: SignedReceipt): { receipt: ReceiptJson; signature: string } {
  return { receipt: receiptToJson(signed.receipt), signature: signed.signature };
}

/**
 * Parses `{ receipt, signature }` as written by signedReceiptToJson.
 * @throws {ReceiptError}
 */
export function parseSignedReceipt(value: unknown): SignedReceipt {
  const parsed = z.strictObject({ receipt: z.unknown(), signature: z.string() }).safeParse(value);
  if (!parsed.success) throw new ReceiptError('bad-shape', 'signed receipt: expected { receipt, signature }');
  return { receipt: parseReceipt(parsed.data.receipt), signature: parseSignatureHex(parsed.data.signature) };
}

function parseAddress(value: string, field: string, requireChecksum: boolean): string {
  if (!addressPattern.test(value)) throw new ReceiptError('bad-address', `${field}: expected 0x and 40 hex digits`);
  const checksummed = checksumAddress(value.slice(2).toLowerCase());
  if (requireChecksum && value !== checksummed) throw new ReceiptError('bad-checksum', `${field}: expected the EIP-55 checksummed spelling ${checksummed}`);
  return checksummed;
}

function parseUint(value: string, field: string, max: bigint): bigint {
  if (!decimalPattern.test(value)) throw new ReceiptError('bad-uint', `${field}: expected a decimal integer without sign or leading zeros`);
  const n = BigInt(value);
  if (n > max) throw new ReceiptError('out-of-range', `${field}: exceeds ${max === maxUint64 ? 'uint64' : 'uint256'}`);
  return n;
}

function parseSignatureHex(signature: string): string {
  if (typeof signature !== 'string' || !signaturePattern.test(signature)) {
    throw new ReceiptError('bad-signature-encoding', 'signature: expected 0x and 130 lowercase hex digits (r‖s‖v)');
  }
  const v = Number.parseInt(signature.slice(130), 16);
  if (v !== 27 && v !== 28) throw new ReceiptError('bad-signature-encoding', `signature: v must be 27 or 28, got ${v}`);
  // High-s twins are refused, as OpenZeppelin's ECDSA.recover does, so each receipt has one spelling.
  if (BigInt('0x' + signature.slice(66, 130)) > secp256k1HalfOrder) throw new ReceiptError('bad-signature-encoding', 'signature: s must be in the lower half of the curve order');
  return signature;
}

// ---- RECEIPT frame payload (tunnel, stream 0) ---------------------------------------------

export const receiptFrameVersion = 1;
/** version u8, channelId 32, client 20, exit 20, cumBytes 32, cumCredits 32, price 32, expiry 8, signature 65. */
export const receiptFrameBytes = 1 + 32 + 20 + 20 + 32 + 32 + 32 + 8 + 65;
// The frame is opaque to the tunnel codec; ours must fit its limit.
if (receiptFrameBytes > maxOpaquePayloadBytes) throw new Error('receipt frame exceeds the opaque payload limit');

/** The fixed binary layout carried in a RECEIPT frame (big-endian integers). */
export function encodeReceiptFrame(signed: SignedReceipt): Uint8Array {
  const { receipt } = signed;
  const out = new Uint8Array(receiptFrameBytes);
  let at = 0;
  const put = (bytes: Uint8Array): void => {
    out.set(bytes, at);
    at += bytes.length;
  };
  out[at++] = receiptFrameVersion;
  put(fixedHex(receipt.channelId, 32));
  put(fixedHex(receipt.client, 20));
  put(fixedHex(receipt.exit, 20));
  put(uintToBytes(receipt.cumBytes, 32));
  put(uintToBytes(receipt.cumCredits, 32));
  put(uintToBytes(receipt.price, 32));
  put(uintToBytes(receipt.expiry, 8));
  put(fixedHex(parseSignatureHex(signed.signature), 65));
  return out;
}

/**
 * Decodes a RECEIPT frame payload. Says nothing about whether the receipt is valid: that is
 * the verifier's job (offscreen/payments/receipt-verifier.ts).
 * @throws {ReceiptError} ('bad-frame-length' | 'bad-frame-version' | 'bad-signature-encoding').
 */
export function decodeReceiptFrame(bytes: Uint8Array): SignedReceipt {
  if (bytes.length !== receiptFrameBytes) throw new ReceiptError('bad-frame-length', `receipt frame: expected ${receiptFrameBytes} bytes, got ${bytes.length}`);
  if (bytes[0] !== receiptFrameVersion) throw new ReceiptError('bad-frame-version', `receipt frame: unknown version ${bytes[0]}`);
  let at = 1;
  const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
  const channelId = '0x' + bytesToHex(take(32));
  const client = checksumAddress(bytesToHex(take(20)));
  const exit = checksumAddress(bytesToHex(take(20)));
  const cumBytes = bytesToUint(take(32));
  const cumCredits = bytesToUint(take(32));
  const price = bytesToUint(take(32));
  const expiry = bytesToUint(take(8));
  const signature = parseSignatureHex('0x' + bytesToHex(take(65)));
  return { receipt: { channelId, client, exit, cumBytes, cumCredits, price, expiry }, signature };
}

function fixedHex(hex: string, length: number): Uint8Array {
  const bytes = hexToBytes(hex.slice(2));
  if (bytes.length !== length) throw new RangeError(`expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}
