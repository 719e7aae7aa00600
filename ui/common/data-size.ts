// Byte counts split into an amount and a binary unit, so the popup's "data shared today" and the
// options page's caps (set in MiB/GiB) speak the same units. The words come from the locale files.

/** The binary units a data size is shown in. */
export type DataSizeUnit = 'b' | 'kib' | 'mib' | 'gib' | 'tib';

const unitBytes: ReadonlyArray<readonly [DataSizeUnit, number]> = [
  ['tib', 1024 ** 4],
  ['gib', 1024 ** 3],
  ['mib', 1024 ** 2],
  ['kib', 1024],
];

/** `bytes` in the largest unit that keeps the amount at 1 or more (bytes below 1 KiB). */
export function dataSizeParts(bytes: number): { amount: number; unit: DataSizeUnit } {
  for (const [unit, size] of unitBytes) {
    if (bytes >= size) return { amount: bytes / size, unit };
  }
  return { amount: Math.max(0, bytes), unit: 'b' };
}
