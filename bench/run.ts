// `npm run bench` (inside the loopback-only namespace): every benchmark, in one run, between the
// same two Chromium processes. Optional arguments pick benchmarks by name; BENCH_SCALE shrinks sizes.
import { benchScale, openBenchContext, report, type Benchmark } from './context.ts';
import { relayConcurrency } from './relay-concurrency.ts';
import { relayMemory } from './relay-memory.ts';
import { relayThroughput } from './relay-throughput.ts';
import { relayTtfb } from './relay-ttfb.ts';

const all: readonly Benchmark[] = [relayThroughput, relayTtfb, relayConcurrency, relayMemory];

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${all.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const chosen = names.length === 0 ? all : all.filter((b) => names.includes(b.name));
  const scale = benchScale();
  const started = Date.now();
  const context = await openBenchContext(scale);
  let failures = 0;
  try {
    for (const benchmark of chosen) {
      const t0 = Date.now();
      try {
        const result = await benchmark.run(context);
        await report({ ...result, scale, seconds: Math.round((Date.now() - t0) / 100) / 10, at: new Date().toISOString() });
      } catch (error) {
        failures++;
        console.error(`${benchmark.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    await context.harness.close();
  }
  console.error(`bench: ${chosen.length - failures}/${chosen.length} ran in ${Math.round((Date.now() - started) / 1000)} s (BENCH_SCALE=${scale})`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
