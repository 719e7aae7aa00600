// Standard base64 (RFC 4648 §4, padded) for the text formats that carry bytes, such as identity
// backups. Built on btoa/atob, which browsers and Node share; extension code has no Buffer.

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// String.fromCharCode takes its bytes as arguments; chunks keep the call under engines' argument limits.
const chunkBytes = 0x8000;

/** `bytes` as padded standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += chunkBytes) binary += String.fromCharCode(...bytes.subarray(i, i + chunkBytes));
  return btoa(binary);
}

/**
 * Decodes padded standard base64 strictly (no whitespace, no URL alphabet).
 * @throws {TypeError} when `text` is not padded standard base64.
 */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  if (!base64Pattern.test(text)) throw new TypeError('expected padded standard base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
