// Where a receipts-overhead round spends its time: the same rounds as the benchmark (receipts off
// and on, alternating, each on a freshly restarted donor and client), with V8's CPU profiler
// running in both pages (CDP Profiler) and each Chromium process tree metered from /proc during
// the timed download. Prints self time by function and by file, per page and mode, and writes the
// profiles to bench/results/profiles/ (open them in Chrome DevTools' Performance panel).
//
//   node scripts/netns.mjs -- npx tsx bench/receipts-profile.ts [rounds]     (BENCH_SCALE as the bench)
//   PROFILE=alloc: sampled allocations instead; PROFILE=threads: no V8 profiler, CPU time by thread only
import { mkdir, writeFile } from 'node:fs/promises';
import type { CDPSession, Page } from 'puppeteer-core';
import { donorStatsIn, fetchDiscardIn } from '../tests/support/browser-harness.ts';
import { benchScale, mib, openBenchContext, rate, resultsDir, round, type BenchContext } from './context.ts';
import { meterTreeCpu, readThreadCpu } from './process-cpu.ts';
import { restart, whenPaid, type Mode } from './receipts-overhead.ts';

const rounds = Number(process.argv[2] ?? 4);
/** Microseconds between samples: fine enough for 1–5 ms functions. */
const samplingIntervalUs = 100;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time (ms) by function and by file. */
function selfTimes(profile: Profile): { byFunction: Map<string, number>; byFile: Map<string, number>; totalMs: number } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]!)!; // samples name profile nodes
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^.*\//, '') : '(native)';
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  return { byFunction, byFile, totalMs: (profile.endTime - profile.startTime) / 1000 };
}

interface AllocationNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: AllocationNode[];
}

/** PROFILE=alloc: sampled allocations (garbage included) instead of CPU time, in KiB by function. */
const allocations = process.env.PROFILE === 'alloc';
/** PROFILE=threads: no V8 profiler (its own thread costs seconds), only CPU time by thread. */
const threadsOnly = process.env.PROFILE === 'threads';

async function startProfiler(page: Page): Promise<CDPSession> {
  const cdp = await page.createCDPSession();
  if (threadsOnly) return cdp;
  if (allocations) {
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return cdp;
  }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await cdp.send('Profiler.start');
  return cdp;
}

/** Turns a sampled heap profile into the CPU profile's shape: one sample per node, its KiB as the "time". */
function allocationProfile(head: AllocationNode): Profile {
  const nodes: ProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [0];
  const walk = (node: AllocationNode): void => {
    const id = nodes.length + 1;
    nodes.push({ id, callFrame: node.callFrame });
    samples.push(id);
    timeDeltas.push((node.selfSize / 1024) * 1000); // selfTimes divides by 1000
    node.children.forEach(walk);
  };
  walk(head);
  return { nodes, samples, timeDeltas, startTime: 0, endTime: 0 };
}

async function stopProfiler(cdp: CDPSession): Promise<Profile> {
  if (threadsOnly) {
    await cdp.detach();
    return { nodes: [], samples: [], timeDeltas: [], startTime: 0, endTime: 0 };
  }
  if (allocations) {
    const { profile } = await cdp.send('HeapProfiler.stopSampling');
    await cdp.detach();
    return allocationProfile(profile.head as unknown as AllocationNode);
  }
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  return profile as unknown as Profile;
}

function top(map: Map<string, number>, n: number): Array<[string, number]> {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, round(v, 1)]);
}

async function main(): Promise<void> {
  const scale = benchScale();
  const context: BenchContext = await openBenchContext(scale);
  const perRound = context.scaled(64 * mib);
  const outDir = new URL(`file://${resultsDir}`);
  await mkdir(outDir, { recursive: true });
  // Summed over the rounds of each mode: self ms by page and function/file, and CPU seconds by process tree.
  // CPU seconds by thread (process kind and thread name), summed over the rounds of each page and mode.
  const threadTotals = new Map<string, Map<string, number>>();
  const totals = new Map<string, { byFunction: Map<string, number>; byFile: Map<string, number>; ms: number; cpu: Record<string, number> }>();
  try {
    for (let i = 0; i < rounds; i++) {
      const mode: Mode = i % 2 === 0 ? 'off' : 'on';
      await restart(context, mode);
      if (mode === 'on') await whenPaid(context);
      else await new Promise((resolve) => setTimeout(resolve, 2_000));
      await fetchDiscardIn(context.client.page, context.bytesUrl(mib, `profile-rewarm-${i}`));
      const framesBefore = (await donorStatsIn(context.donor.page)).tunnels.at(-1)?.framesSent ?? 0;
      const [donorCdp, clientCdp] = await Promise.all([startProfiler(context.donor.page), startProfiler(context.client.page)]);
      const donorCpu = meterTreeCpu(context.donor.browser.process()!.pid!, 200); // launched by puppeteer: it has a process
      const clientCpu = meterTreeCpu(context.client.browser.process()!.pid!, 200);
      const pids = { donor: context.donor.browser.process()!.pid!, client: context.client.browser.process()!.pid! };
      const threadsBefore = { donor: readThreadCpu(pids.donor), client: readThreadCpu(pids.client) };
      const timing = await fetchDiscardIn(context.client.page, context.bytesUrl(perRound, `profile-${i}`));
      const cpu = { donor: donorCpu.stop(), client: clientCpu.stop() };
      const framesSent = ((await donorStatsIn(context.donor.page)).tunnels.at(-1)?.framesSent ?? 0) - framesBefore;
      for (const page of ['donor', 'client'] as const) {
        const after = readThreadCpu(pids[page]);
        const t = threadTotals.get(`${page} ${mode}`) ?? new Map<string, number>();
        for (const [thread, seconds] of after) t.set(thread, (t.get(thread) ?? 0) + seconds - (threadsBefore[page].get(thread) ?? 0));
        threadTotals.set(`${page} ${mode}`, t);
      }
      const [donorProfile, clientProfile] = await Promise.all([stopProfiler(donorCdp), stopProfiler(clientCdp)]);
      await writeFile(new URL(`receipts-profile-${i}-${mode}-donor.cpuprofile.json`, outDir), JSON.stringify(donorProfile));
      await writeFile(new URL(`receipts-profile-${i}-${mode}-client.cpuprofile.json`, outDir), JSON.stringify(clientProfile));
      console.log(`round ${i} ${mode}: ${round(rate(perRound, timing.ms), 2)} MB/s, ${round(timing.ms, 0)} ms, ${framesSent} frames from the donor; CPU s donor ${JSON.stringify(roundKinds(cpu.donor.cpuSecondsByKind))}, client ${JSON.stringify(roundKinds(cpu.client.cpuSecondsByKind))}`);
      for (const [page, profile, tree] of [['donor', donorProfile, cpu.donor], ['client', clientProfile, cpu.client]] as const) {
        const key = `${page} ${mode}`;
        const t = totals.get(key) ?? { byFunction: new Map(), byFile: new Map(), ms: 0, cpu: {} as Record<string, number> };
        const s = selfTimes(profile);
        for (const [k, v] of s.byFunction) t.byFunction.set(k, (t.byFunction.get(k) ?? 0) + v);
        for (const [k, v] of s.byFile) t.byFile.set(k, (t.byFile.get(k) ?? 0) + v);
        t.ms += timing.ms;
        for (const [k, v] of Object.entries(tree.cpuSecondsByKind)) t.cpu[k] = (t.cpu[k] ?? 0) + v;
        totals.set(key, t);
      }
    }
  } finally {
    await context.harness.close();
  }
  for (const [key, t] of [...totals.entries()].sort()) {
    console.log(`\n== ${key}: ${round(t.ms, 0)} ms of downloads; CPU s by process ${JSON.stringify(roundKinds(t.cpu))}`);
    console.log('  by file:', JSON.stringify(top(t.byFile, 12)));
    for (const [name, ms] of top(t.byFunction, 25)) console.log(`  ${String(ms).padStart(8)} ms  ${name}`);
  }
  console.log('\n== CPU seconds by thread, summed over the rounds (off → on, difference)');
  for (const page of ['donor', 'client']) {
    const off = threadTotals.get(`${page} off`) ?? new Map<string, number>();
    const on = threadTotals.get(`${page} on`) ?? new Map<string, number>();
    const threads = [...new Set([...off.keys(), ...on.keys()])].filter((k) => (off.get(k) ?? 0) + (on.get(k) ?? 0) >= 0.05);
    threads.sort((a, b) => (on.get(b) ?? 0) - (off.get(b) ?? 0) - ((on.get(a) ?? 0) - (off.get(a) ?? 0)));
    for (const k of threads) console.log(`  ${page} ${k.padEnd(40)} ${round(off.get(k) ?? 0, 2)} → ${round(on.get(k) ?? 0, 2)}  (${round((on.get(k) ?? 0) - (off.get(k) ?? 0), 2)})`);
  }
}

function roundKinds(kinds: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(kinds).filter(([, v]) => v > 0).map(([k, v]) => [k, round(v, 2)]));
}

await main();
