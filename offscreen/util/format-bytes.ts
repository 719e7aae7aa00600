// Byte counts in words for messages a person reads ("1.2 MiB received").

const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;
const gibibyte = 1024 * mebibyte;

/** `bytes` as "512 bytes", "3.5 KiB", "1.2 MiB" or "2 GiB" (binary units, one decimal at most). */
export function formatBytes(bytes: number): string {
  if (bytes >= gibibyte) return `${Number((bytes / gibibyte).toFixed(1))} GiB`;
  if (bytes >= mebibyte) return `${Number((bytes / mebibyte).toFixed(1))} MiB`;
  if (bytes >= kibibyte) return `${Number((bytes / kibibyte).toFixed(1))} KiB`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}
