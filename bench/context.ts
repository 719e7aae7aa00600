// What every benchmark shares: one harness (origin + signaling), ONE donor Chromium process and
// ONE client Chromium process with the tunnel already dialed, the size scale, and result output.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { connectRawChannel, fetchDiscardIn, startClientIn, startDonorIn, startHarness, type Harness, type PeerBrowser } from '../tests/support/browser-harness.ts';
import { bytesPath } from '../tests/support/origin-server.ts';

export const mib = 1024 * 1024;
/** Throughput unit: decimal megabytes per second, as network tools report it. */
export const megabyte = 1_000_000;

export interface BenchContext {
  readonly harness: Harness;
  readonly donor: PeerBrowser;
  readonly client: PeerBrowser;
  /** BENCH_SCALE (default 1): multiplies every transfer size, for a quick run. */
  readonly scale: number;
  /** `bytes` times the scale, rounded to whole 64 KiB frames (at least one). */
  scaled(bytes: number): number;
  /** Absolute URL of `bytes` deterministic bytes on the origin. */
  bytesUrl(bytes: number, seed: string | number): string;
}

/** One benchmark's outcome, written to bench/results/<name>.json. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  /** null only where no same-run reference exists (sizes of a build, which no machine load changes). */
  readonly baseline: number | null;
  /** value / baseline; null with a null or zero baseline. */
  readonly ratio: number | null;
  readonly unit: string;
  readonly [detail: string]: unknown;
}

export interface Benchmark {
  readonly name: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/**
 * A benchmark that brings its own browsers and servers instead of the relay pair (the extension's
 * costs). It may produce several results; it hands each to `emit` as soon as it has it, so one
 * failing part does not lose the others.
 */
export interface StandaloneBenchmark {
  readonly name: string;
  readonly standalone: true;
  /** Resolves with the number of parts that failed (each already reported on stderr). */
  run(scale: number, emit: (result: BenchResult) => Promise<void>): Promise<number>;
}

const frameBytes = 64 * 1024;
const warmupBytes = 1 * mib;

/** Reads BENCH_SCALE. @throws {RangeError} when it is not a positive number. */
export function benchScale(): number {
  const raw = process.env.BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`BENCH_SCALE: expected a positive number like 0.25, got ${raw}`);
  return scale;
}

/**
 * Starts the servers and both browsers, shares from the donor, dials it with a warm-up fetch, and
 * opens the raw baseline channel (a plain RTCDataChannel, donor page → client page).
 */
export async function openBenchContext(scale: number): Promise<BenchContext> {
  const harness = await startHarness();
  try {
    const [donor, client] = await Promise.all([harness.launchPeer('donor'), harness.launchPeer('client')]);
    await startDonorIn(donor.page, harness.signaling.url);
    await startClientIn(client.page, harness.signaling.url);
    const context: BenchContext = {
      harness,
      donor,
      client,
      scale,
      scaled: (bytes) => Math.max(frameBytes, Math.round((bytes * scale) / frameBytes) * frameBytes),
      bytesUrl: (bytes, seed) => harness.origin.url(bytesPath(bytes, seed)),
    };
    // The first fetch dials the donor; no benchmark should time the WebRTC handshake.
    await fetchDiscardIn(client.page, context.bytesUrl(warmupBytes, 'warmup'));
    // The raw baseline channel: donor page sends, client page receives, as in the tunnel.
    await connectRawChannel(donor.page, client.page);
    return context;
  } catch (error) {
    await harness.close();
    throw error;
  }
}

export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/** Writes the result as JSON and prints the same object on one line. */
export async function report(result: BenchResult): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const line = JSON.stringify(result);
  await writeFile(new URL(`./results/${result.name}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log(line);
}

/** Median of a non-empty list. @throws {RangeError} when it is empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: expected at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2; // indices within bounds
}

/** Rounds for display in results (the raw numbers carry no meaning past 3 decimals). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The common fields of a throughput comparison where a higher ratio is better. */
export function throughputComparison(name: string, value: number, baseline: number, targetRatio: number) {
  return {
    name,
    value: round(value),
    baseline: round(baseline),
    ratio: round(value / baseline),
    unit: 'MB/s',
    target: `ratio >= ${targetRatio}`,
    pass: value / baseline >= targetRatio,
  };
}

/** MB/s for `bytes` in `ms`. */
export function rate(bytes: number, ms: number): number {
  return bytes / megabyte / (ms / 1000);
}
