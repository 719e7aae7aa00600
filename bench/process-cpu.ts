// CPU time used by a Chromium process tree, read from /proc (Linux): which process is which comes
// from its command line (`--type=renderer --extension-process` hosts the extension's service
// worker and offscreen document), and each process's user + system time from /proc/<pid>/stat.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** What a Chromium process does, from its command line. */
export type ChromiumProcessKind = 'browser' | 'extension' | 'renderer' | 'gpu' | 'utility' | 'zygote' | 'other';
export const chromiumProcessKinds: readonly ChromiumProcessKind[] = ['browser', 'extension', 'renderer', 'gpu', 'utility', 'zygote', 'other'];

/** Kernel clock ticks per second (the unit of /proc/<pid>/stat times); 100 on every common Linux. */
const clockTicksPerSecond = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(3) ppid(4) … utime(14) stime(15), so index = field number - 3.
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** Classifies a Chromium process by its command line; `isRoot` marks the browser process itself. */
export function classifyChromiumProcess(argv: readonly string[], isRoot: boolean): ChromiumProcessKind {
  if (isRoot) return 'browser';
  const type = argv.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (type === 'renderer') return argv.includes('--extension-process') ? 'extension' : 'renderer';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'utility') return 'utility';
  if (type === 'zygote') return 'zygote';
  return 'other';
}

interface TreeProcess {
  readonly pid: number;
  readonly kind: ChromiumProcessKind;
  readonly cpuSeconds: number;
}

/** Every live process under `rootPid` (itself included), with its kind and CPU time so far. */
function readTree(rootPid: number, kinds: Map<number, ChromiumProcessKind>): TreeProcess[] {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const inTree = new Set<number>([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const tree: TreeProcess[] = [];
  for (const pid of inTree) {
    const stat = stats.get(pid);
    if (!stat) continue;
    let kind = kinds.get(pid);
    if (kind === undefined) {
      let argv: string[] = [];
      try {
        // Chromium rewrites its child processes' titles into one space-separated string.
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      } catch {
        continue; // gone already
      }
      kind = classifyChromiumProcess(argv, pid === rootPid);
      kinds.set(pid, kind); // a process's command line never changes
    }
    tree.push({ pid, kind, cpuSeconds: stat.cpuSeconds });
  }
  return tree;
}

/** CPU used by a process tree over a window. */
export interface TreeCpuUsage {
  /** Wall-clock length of the window, seconds. */
  readonly wallSeconds: number;
  /** CPU seconds used in the window, by process kind. */
  readonly cpuSecondsByKind: Readonly<Record<ChromiumProcessKind, number>>;
  readonly cpuSecondsTotal: number;
  /** Processes of each kind seen during the window. */
  readonly processesByKind: Readonly<Record<ChromiumProcessKind, number>>;
  /** Pids of the extension processes seen. */
  readonly extensionPids: readonly number[];
}

export interface TreeCpuMeter {
  /** Takes the last sample and returns the usage since the meter started. */
  stop(): TreeCpuUsage;
}

/**
 * Starts metering the CPU time of `rootPid`'s process tree. The tree is sampled every `intervalMs`
 * (so processes born in the window are counted from birth); a process that ends in the window
 * loses at most its last interval's time. Reading /proc costs this process, not the browser.
 */
export function meterTreeCpu(rootPid: number, intervalMs = 1_000): TreeCpuMeter {
  const kinds = new Map<number, ChromiumProcessKind>();
  // Per pid: its kind, CPU seconds at the start of the window (0 if born in it), and the latest reading.
  const seen = new Map<number, { kind: ChromiumProcessKind; first: number; last: number }>();
  const sample = (atStart: boolean): void => {
    for (const p of readTree(rootPid, kinds)) {
      const known = seen.get(p.pid);
      if (known) known.last = p.cpuSeconds;
      else seen.set(p.pid, { kind: p.kind, first: atStart ? p.cpuSeconds : 0, last: p.cpuSeconds });
    }
  };
  const started = performance.now();
  sample(true);
  const timer = setInterval(() => sample(false), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const wallSeconds = (performance.now() - started) / 1000;
      const cpuSecondsByKind = Object.fromEntries(chromiumProcessKinds.map((k) => [k, 0])) as Record<ChromiumProcessKind, number>;
      const processesByKind = Object.fromEntries(chromiumProcessKinds.map((k) => [k, 0])) as Record<ChromiumProcessKind, number>;
      const extensionPids: number[] = [];
      for (const [pid, p] of seen) {
        cpuSecondsByKind[p.kind] += p.last - p.first;
        processesByKind[p.kind]++;
        if (p.kind === 'extension') extensionPids.push(pid);
      }
      const cpuSecondsTotal = chromiumProcessKinds.reduce((sum, k) => sum + cpuSecondsByKind[k], 0);
      return { wallSeconds, cpuSecondsByKind, cpuSecondsTotal, processesByKind, extensionPids };
    },
  };
}

/**
 * CPU seconds so far of every thread in `rootPid`'s tree, by process kind and thread name
 * ('renderer CrRendererMain', 'renderer WebRTC_Network', …; digits in names are dropped so a
 * pool's threads add up). Two readings subtracted show where a window's time went, thread by thread.
 */
export function readThreadCpu(rootPid: number): Map<string, number> {
  const byThread = new Map<string, number>();
  for (const p of readTree(rootPid, new Map())) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue; // the process ended
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+/g, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${p.kind} ${name}`;
        byThread.set(key, (byThread.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond);
      } catch {
        // the thread ended between listing and reading
      }
    }
  }
  return byThread;
}
