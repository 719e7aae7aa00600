// `npm run bench` (inside the loopback-only namespace): every benchmark, in one run. The relay
// benchmarks share the same two Chromium processes; standalone ones (the extension's costs) launch
// their own, after the relay pair is closed so its browsers add no load. Optional arguments pick
// benchmarks by name; BENCH_SCALE shrinks sizes.
import { browseLoad } from './browse-load.ts';
import { claimGas } from './claim-gas.ts';
import { benchScale, openBenchContext, report, type BenchContext, type Benchmark, type StandaloneBenchmark } from './context.ts';
import { economy } from './economy.ts';
import { extensionCosts } from './extension-costs.ts';
import { receiptsOverhead } from './receipts-overhead.ts';
import { receiptsVerify } from './receipts-verify.ts';
import { relayConcurrency } from './relay-concurrency.ts';
import { relayMemory } from './relay-memory.ts';
import { relayThroughput } from './relay-throughput.ts';
import { relayTtfb } from './relay-ttfb.ts';
import { relayerThroughput } from './relayer-throughput.ts';
import { settlementGas } from './settlement-gas.ts';

const relay: readonly Benchmark[] = [relayThroughput, relayTtfb, relayConcurrency, relayMemory, receiptsOverhead];
const standalone: readonly StandaloneBenchmark[] = [extensionCosts, receiptsVerify, browseLoad, settlementGas, claimGas, relayerThroughput, economy];
const all: readonly (Benchmark | StandaloneBenchmark)[] = [...relay, ...standalone];

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${all.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const chosen = names.length === 0 ? all : all.filter((b) => names.includes(b.name));
  const chosenRelay = relay.filter((b) => chosen.includes(b));
  const chosenStandalone = standalone.filter((b) => chosen.includes(b));
  const scale = benchScale();
  const started = Date.now();
  const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;
  let failures = 0;
  const failed = (name: string, error: unknown): void => {
    failures++;
    console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };
  if (chosenRelay.length > 0) {
    const context: BenchContext = await openBenchContext(scale);
    try {
      for (const benchmark of chosenRelay) {
        const t0 = Date.now();
        try {
          const result = await benchmark.run(context);
          await report({ ...result, scale, seconds: seconds(t0), at: new Date().toISOString() });
        } catch (error) {
          failed(benchmark.name, error);
        }
      }
    } finally {
      await context.harness.close();
    }
  }
  for (const benchmark of chosenStandalone) {
    const t0 = Date.now();
    try {
      // A part states its own seconds; otherwise the time since the benchmark began.
      const failedParts = await benchmark.run(scale, (result) => report({ scale, seconds: seconds(t0), ...result, at: new Date().toISOString() }));
      if (failedParts > 0) failures++;
    } catch (error) {
      failed(benchmark.name, error);
    }
  }
  console.error(`bench: ${chosen.length - failures}/${chosen.length} ran in ${Math.round((Date.now() - started) / 1000)} s (BENCH_SCALE=${scale})`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
