// Byte helpers shared by every wire format. Thin re-exports of @noble/hashes so there is one
// place to look, plus the few checks the codecs need.
export { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 strictly.
 * @throws {TypeError} when the bytes are not valid UTF-8.
 */
export function bytesToUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Constant-time equality for secrets and fingerprints of equal length. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

/** A uniform number in [0, 1) from the platform CSPRNG (32 bits of it). */
export function randomUnit(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 2 ** 32; // one element, always present
}

/** A random identifier, hex, `bytes` long before encoding. */
export function randomId(bytes = 16): string {
  let out = '';
  for (const b of randomBytes(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * `n` as `length` big-endian bytes.
 * @throws {RangeError} when it is negative or does not fit.
 */
export function uintToBytes(n: bigint, length: number): Uint8Array {
  if (n < 0n || n >= 1n << BigInt(length * 8)) throw new RangeError(`integer does not fit ${length} bytes`);
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** Big-endian bytes as an unsigned integer. */
export function bytesToUint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}
