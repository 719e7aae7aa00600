// A donor's keys, exported as a passphrase-encrypted file and imported back, possibly in another
// browser. WebCrypto only (globalThis.crypto.subtle: browsers and Node 20 alike).
//
// Version 2 (written now) encrypts the ed25519 secret followed by the secp256k1 payment secret and
// names the peer id and payment address in clear, so a donor can tell files apart without the
// passphrase. Version 1 (read only) holds the ed25519 secret alone.
//
// PBKDF2-SHA-256 stretches the passphrase into one 32-byte master secret (one PBKDF2 block, so
// the donor pays exactly what an attacker pays per guess). HKDF splits it into the AES-GCM key and
// a passphrase check stored in the file: the check tells "wrong passphrase" apart from "damaged
// file" and makes guessing no cheaper than trying a decryption would.
import { getAddress, type BaseWallet } from 'ethers';
import { z } from 'zod';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { bytesEqual, concatBytes, randomBytes, utf8ToBytes } from './bytes.ts';
import { identityFromSecretKey, isPeerId, secretKeyBytes, type Identity } from './identity.ts';
import { isPaymentSecret, paymentKeyFromSecret, paymentSecretBytes, paymentSecretOf } from './payment-secret.ts';

/** The `format` field every backup carries. */
export const identityBackupFormat = 'porchlight-identity';
/** The backup version this code writes; it reads every version from 1 up to this one. */
export const identityBackupVersion = 2;
/** PBKDF2 iterations for new backups (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
export const defaultBackupIterations = 600_000;
/** Fewest passphrase characters accepted (after Unicode normalization). */
export const minPassphraseChars = 8;
/** Iterations a backup may ask for: the low end is for tests, the high end keeps a crafted file from hanging the page. */
export const backupIterationsRange = { min: 1_000, max: 10_000_000 } as const;
/** Largest backup file accepted, in characters (a real one is about 500). */
export const maxBackupChars = 16 * 1024;

const saltBytes = 16;
const ivBytes = 12;
const gcmTagBytes = 16;
const checkBytes = 32;
// Distinct per version: one passphrase and salt never yield the same key for two plaintext layouts.
const hkdfInfo = {
  1: { key: 'porchlight-identity/v1/key', check: 'porchlight-identity/v1/check' },
  2: { key: 'porchlight-identity/v2/key', check: 'porchlight-identity/v2/check' },
} as const;
type BackupVersion = keyof typeof hkdfInfo;

/** What went wrong with an export or import, for choosing the sentence the donor reads. */
export type IdentityBackupProblem = 'passphrase-too-short' | 'wrong-passphrase' | 'damaged' | 'unsupported-version';

/** Thrown by export and import; `problem` says which kind of failure it is. */
export class IdentityBackupError extends Error {
  constructor(
    readonly problem: IdentityBackupProblem,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityBackupError';
  }
}

/** The keys a backup carries. */
export interface BackupKeys {
  identity: Identity;
  paymentKey: BaseWallet;
}

/** The keys an imported backup held: a v1 backup predates payment keys and has none. */
export interface RestoredKeys {
  identity: Identity;
  paymentKey: BaseWallet | undefined;
}

/** Options for `exportIdentityBackup`. */
export interface ExportOptions {
  /** PBKDF2 iterations; tests lower it, everything else keeps the default. */
  iterations?: number;
}

const bytesField = (length: number) =>
  z.string().refine((text) => {
    try {
      return base64ToBytes(text).length === length;
    } catch {
      return false;
    }
  }, `expected ${length} bytes in base64`);

const backupCommon = {
  format: z.literal(identityBackupFormat),
  kdf: z.strictObject({
    name: z.literal('PBKDF2'),
    hash: z.literal('SHA-256'),
    iterations: z.number().int().min(backupIterationsRange.min).max(backupIterationsRange.max),
    salt: bytesField(saltBytes),
  }),
  cipher: z.strictObject({ name: z.literal('AES-GCM'), iv: bytesField(ivBytes) }),
  /** HKDF output the passphrase must reproduce. */
  check: bytesField(checkBytes),
  peerId: z.string().refine(isPeerId, 'expected a peer id'),
};

const backupV1Schema = z.strictObject({
  ...backupCommon,
  v: z.literal(1),
  /** The encrypted 32-byte ed25519 secret key, with its GCM tag. */
  data: bytesField(secretKeyBytes + gcmTagBytes),
});

const backupV2Schema = z.strictObject({
  ...backupCommon,
  v: z.literal(2),
  /** The encrypted ed25519 secret ‖ secp256k1 secret (32 + 32 bytes), with its GCM tag. */
  data: bytesField(secretKeyBytes + paymentSecretBytes + gcmTagBytes),
  /** The payment key's address, EIP-55 checksummed. */
  paymentAddress: z.string().refine(isChecksummedAddress, 'expected a checksummed address'),
});
type BackupV2 = z.infer<typeof backupV2Schema>;
type Backup = z.infer<typeof backupV1Schema> | BackupV2;

function isChecksummedAddress(value: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return false;
  return getAddress(value.toLowerCase()) === value;
}

/**
 * The identity and payment key as a version 2 JSON backup, encrypted under `passphrase`.
 * @throws {IdentityBackupError} 'passphrase-too-short' below `minPassphraseChars`.
 * @throws {RangeError} when `options.iterations` is outside `backupIterationsRange`.
 */
export async function exportIdentityBackup(keys: BackupKeys, passphrase: string, options: ExportOptions = {}): Promise<string> {
  const iterations = options.iterations ?? defaultBackupIterations;
  if (!Number.isInteger(iterations) || iterations < backupIterationsRange.min || iterations > backupIterationsRange.max) {
    throw new RangeError(`iterations: expected an integer from ${backupIterationsRange.min} to ${backupIterationsRange.max}`);
  }
  const salt = copy(randomBytes(saltBytes));
  const iv = copy(randomBytes(ivBytes));
  const { key, check } = await deriveKeys(checkedPassphrase(passphrase), salt, iterations, identityBackupVersion);
  const plaintext = copy(concatBytes(keys.identity.secretKey, paymentSecretOf(keys.paymentKey)));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext));
  plaintext.fill(0); // best effort: one fewer copy of both secrets left for the garbage collector
  const backup: BackupV2 = {
    format: identityBackupFormat,
    v: identityBackupVersion,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: bytesToBase64(salt) },
    cipher: { name: 'AES-GCM', iv: bytesToBase64(iv) },
    check: bytesToBase64(check),
    data: bytesToBase64(data),
    peerId: keys.identity.peerId,
    paymentAddress: getAddress(keys.paymentKey.address),
  };
  return `${JSON.stringify(backup, null, 2)}\n`;
}

/**
 * The keys in a backup made by `exportIdentityBackup` (version 2) or by the version 1 code, which
 * holds no payment key.
 * @throws {IdentityBackupError} 'wrong-passphrase', 'damaged' (not a backup, altered, or a key
 *   does not match the peer id or payment address in the file), 'unsupported-version' (a newer
 *   format), or 'passphrase-too-short'.
 */
export async function importIdentityBackup(text: string, passphrase: string): Promise<RestoredKeys> {
  const normalized = checkedPassphrase(passphrase);
  const backup = parseBackup(text);
  const { key, check } = await deriveKeys(normalized, base64ToBytes(backup.kdf.salt), backup.kdf.iterations, backup.v);
  if (!bytesEqual(check, base64ToBytes(backup.check))) {
    throw new IdentityBackupError('wrong-passphrase', 'identity backup: the passphrase does not open this backup');
  }
  let plaintext: Uint8Array;
  try {
    const iv = base64ToBytes(backup.cipher.iv);
    plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, base64ToBytes(backup.data)));
  } catch {
    // The passphrase is right (the check matched), so the ciphertext itself was altered.
    throw new IdentityBackupError('damaged', 'identity backup: the encrypted key was altered');
  }
  // The schema fixed the ciphertext length, so the plaintext holds exactly the secrets its version names.
  const identity = identityFromSecretKey(plaintext.subarray(0, secretKeyBytes));
  if (identity.peerId !== backup.peerId) {
    throw new IdentityBackupError('damaged', 'identity backup: the key does not belong to the peer id in the file');
  }
  if (backup.v === 1) return { identity, paymentKey: undefined };
  const paymentSecret = plaintext.subarray(secretKeyBytes);
  if (!isPaymentSecret(paymentSecret)) throw new IdentityBackupError('damaged', 'identity backup: the payment key is not a valid secp256k1 key');
  const paymentKey = paymentKeyFromSecret(paymentSecret);
  if (paymentKey.address !== backup.paymentAddress) {
    throw new IdentityBackupError('damaged', 'identity backup: the payment key does not belong to the payment address in the file');
  }
  return { identity, paymentKey };
}

function parseBackup(text: string): Backup {
  if (text.length > maxBackupChars) throw new IdentityBackupError('damaged', 'identity backup: the file is too large to be a backup');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new IdentityBackupError('damaged', 'identity backup: the file is not JSON');
  }
  const head = z.object({ format: z.literal(identityBackupFormat), v: z.number().int().positive() }).safeParse(json);
  if (!head.success) throw new IdentityBackupError('damaged', 'identity backup: the file is not a Porchlight identity backup');
  if (head.data.v > identityBackupVersion) {
    throw new IdentityBackupError('unsupported-version', `identity backup: version ${head.data.v} is not supported (expected 1 to ${identityBackupVersion})`);
  }
  const full = (head.data.v === 1 ? backupV1Schema : backupV2Schema).safeParse(json);
  if (!full.success) {
    const issue = full.error.issues[0];
    throw new IdentityBackupError('damaged', `identity backup: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return full.data;
}

/** Whether `passphrase` is long enough for a backup (counted in characters after NFC normalization). */
export function isPassphraseLongEnough(passphrase: string): boolean {
  return [...passphrase.normalize('NFC')].length >= minPassphraseChars;
}

/** NFC, so the same words typed on another keyboard or system give the same bytes. */
function checkedPassphrase(passphrase: string): Uint8Array<ArrayBuffer> {
  const normalized = passphrase.normalize('NFC');
  if (!isPassphraseLongEnough(normalized)) {
    throw new IdentityBackupError('passphrase-too-short', `identity backup: the passphrase needs at least ${minPassphraseChars} characters`);
  }
  return copy(utf8ToBytes(normalized));
}

async function deriveKeys(
  passphrase: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  version: BackupVersion,
): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const passphraseKey = await crypto.subtle.importKey('raw', passphrase, 'PBKDF2', false, ['deriveBits']);
  const master = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, passphraseKey, 256);
  const hkdfKey = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: copy(utf8ToBytes(info)) });
  const info = hkdfInfo[version];
  const key = await crypto.subtle.deriveKey(hkdf(info.key), hkdfKey, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const check = new Uint8Array(await crypto.subtle.deriveBits(hkdf(info.check), hkdfKey, checkBytes * 8));
  return { key, check };
}

// WebCrypto wants ArrayBuffer-backed views; library helpers may hand back ones typed over ArrayBufferLike.
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(bytes);
}
