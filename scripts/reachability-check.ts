// Is a donor that nobody touches still reachable, minute after minute? Launches Chromium with the
// donor extension (test build), turns sharing on once, then behaves like an unattended machine:
// every minute a fresh Node client asks signaling for a donor and fetches a small page through it,
// and every few minutes the extension's service worker is stopped (as Chrome does to idle workers)
// to show that a sleeping worker does not take the donor off the network.
//
//   node scripts/netns.mjs -- npx tsx scripts/reachability-check.ts --minutes 30
//
// Prints a line per minute and a summary (also as one JSON line). Exits 1 when an attempt failed
// or the donor ever left signaling. Loopback only: run it through scripts/netns.mjs.
import { parseArgs } from 'node:util';
import type { Target } from 'puppeteer-core';
import { watchdogPeriodMinutes } from '../background/start-background.ts';
import { createSignalingServer } from '../signaling/server.ts';
import type { SignalingLogger } from '../signaling/log.ts';
import { buildExtension, extensionTestOrigin } from '../tests/support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../tests/support/extension-browser.ts';
import { patchDonorSettings, readDonorStatus, waitForDonorStatus } from '../tests/support/extension-donor.ts';
import { startNodeClient } from '../tests/support/node-peers.ts';
import { originPageHtml, startOriginServer } from '../tests/support/origin-server.ts';
import { assertLoopbackOnly } from './loopback-only.mjs';

/** Signaling pings every 5 s, so a donor that stops answering is dropped within ~10 s and we see it. */
const pingIntervalMs = 5_000;
/** One attempt per this interval. */
const attemptIntervalMs = 60_000;
/** A page fetch slower than this counts as a failure. */
const attemptTimeoutMs = 30_000;
/** How often the donor count on signaling is sampled (departures are also seen in its log). */
const presenceSampleMs = 1_000;
/**
 * The watchdog alarm wakes the worker every period. Attempts fall half a period after it (roughly:
 * the alarm starts with the browser, the minutes with 'connected'), so a worker stopped just before
 * an attempt is still asleep when the attempt begins.
 */
const attemptPhaseMs = (watchdogPeriodMinutes * 60_000) / 2;
/** Before the attempt: time to stop the worker and see it gone. */
const stopLeadMs = 2_000;

interface Options {
  minutes: number;
  stopWorkerEveryMinutes: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '30' },
      'stop-worker-every': { type: 'string', default: '5' },
    },
  });
  const positive = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name}: expected a whole number of minutes ≥ 1, got ${raw}`);
    return n;
  };
  return { minutes: positive('minutes', values.minutes), stopWorkerEveryMinutes: positive('stop-worker-every', values['stop-worker-every']) };
}

interface Attempt {
  minute: number;
  ok: boolean;
  ms: number;
  error?: string;
  /** Whether the extension's service worker was running when the attempt began. */
  workerAwake: boolean;
  /** Whether this minute's attempt followed a deliberate stop of the worker. */
  workerStopped: boolean;
  /** Whether the worker was started while the attempt ran (the exit wakes it on purpose). */
  workerWoke: boolean;
}

/** What the signaling server said about our donor: every announcement and every departure. */
interface PresenceLog {
  donorPeerId: string | undefined;
  announcements: number;
  departures: string[];
  minDonorsSeen: number;
  secondsWithoutDonor: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function workerTarget(ext: ExtensionBrowser): Target | undefined {
  return ext.browser.targets().find((t) => t.type() === 'service_worker' && t.url().startsWith(ext.url('')));
}

/**
 * Stops the worker if it is running and waits until the browser reports it gone; never wakes a
 * sleeping one (that would be a user-like event). Resolves with whether there was one to stop.
 */
async function stopWorkerIfAwake(ext: ExtensionBrowser): Promise<boolean> {
  const target = workerTarget(ext);
  if (!target) return false;
  const worker = await target.worker();
  await worker?.close();
  for (let waited = 0; workerTarget(ext) === target && waited < stopLeadMs; waited += 100) await sleep(100);
  return true;
}

async function attempt(signalingUrl: string, url: string): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  const client = await startNodeClient(signalingUrl);
  try {
    const result = await Promise.race([
      (async () => {
        const response = await client.fetch(url);
        const body = await response.text();
        if (response.status !== 200 || body !== originPageHtml) throw new Error(`unexpected answer: ${response.status}, ${body.length} bytes`);
      })(),
      sleep(attemptTimeoutMs).then(() => {
        throw new Error(`no page within ${attemptTimeoutMs / 1000} s`);
      }),
    ]).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }),
    );
    return { ...result, ms: Math.round(performance.now() - started) };
  } finally {
    client.close();
  }
}

async function main(): Promise<number> {
  assertLoopbackOnly('the reachability check');
  const options = parseOptions(process.argv.slice(2));
  const presence: PresenceLog = { donorPeerId: undefined, announcements: 0, departures: [], minDonorsSeen: Infinity, secondsWithoutDonor: 0 };
  // Once the minutes are over, closing the browser is not a departure.
  let watching = true;
  const startedAt = Date.now();
  const stamp = (): string => `${((Date.now() - startedAt) / 60_000).toFixed(2).padStart(6)} min`;
  // The server's own log is how a short departure (gone and back between two samples) is seen.
  const logger: SignalingLogger = {
    debug(fields, message) {
      const peerId = (fields as { peerId?: string }).peerId;
      if (watching && message === 'connection closed' && peerId !== undefined && peerId === presence.donorPeerId) {
        presence.departures.push(`${stamp()}: connection closed`);
        console.log(`[${stamp()}] signaling: the donor's connection closed`);
      }
    },
    info(fields, message) {
      const peerId = (fields as { peerId?: string }).peerId;
      if (message === 'donor announced') {
        presence.announcements++;
        presence.donorPeerId ??= peerId;
        if (presence.announcements > 1) console.log(`[${stamp()}] signaling: the donor announced again (#${presence.announcements})`);
      } else if (watching && message.startsWith('dropping peer') && peerId !== undefined && peerId === presence.donorPeerId) {
        presence.departures.push(`${stamp()}: ${message}`);
        console.log(`[${stamp()}] signaling: ${message}`);
      }
    },
    warn() {},
    error(fields, message) {
      console.error(`[${stamp()}] signaling error: ${message} ${JSON.stringify(fields)}`);
    },
  };

  const signaling = await createSignalingServer({ host: '127.0.0.1', port: 0, logger, lookupCountry: () => 'DE', pingIntervalMs });
  const origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  let ext: ExtensionBrowser | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  const attempts: Attempt[] = [];
  try {
    const path = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
    const donorBrowser = await launchWithExtension('reachability', path);
    ext = donorBrowser;
    await patchDonorSettings(ext, { sharing: true, signalingUrl: signaling.url });
    await waitForDonorStatus(ext, (s) => s.state === 'connected', 60_000);
    console.log(`[${stamp()}] sharing on, donor connected to ${signaling.url}; ${options.minutes} min of nobody at the keyboard`);

    sampler = setInterval(() => {
      const donors = signaling.stats().donors;
      presence.minDonorsSeen = Math.min(presence.minDonorsSeen, donors);
      if (donors === 0) presence.secondsWithoutDonor += presenceSampleMs / 1000;
    }, presenceSampleMs);

    const url = origin.url('/page.html');
    const t0 = Date.now();
    for (let minute = 1; minute <= options.minutes; minute++) {
      const stopNow = minute % options.stopWorkerEveryMinutes === 0;
      await sleep(Math.max(0, t0 + minute * attemptIntervalMs + attemptPhaseMs - Date.now() - (stopNow ? stopLeadMs : 0)));
      const workerStopped = stopNow ? await stopWorkerIfAwake(ext) : false;
      if (stopNow) await sleep(Math.max(0, t0 + minute * attemptIntervalMs + attemptPhaseMs - Date.now()));
      const workerAwake = workerTarget(ext) !== undefined;
      let workerWoke = false;
      const onTarget = (t: Target): void => {
        if (t.type() === 'service_worker' && t.url().startsWith(donorBrowser.url(''))) workerWoke = true;
      };
      donorBrowser.browser.on('targetcreated', onTarget);
      const result = await attempt(signaling.url, url).finally(() => donorBrowser.browser.off('targetcreated', onTarget));
      attempts.push({ minute, ...result, workerAwake, workerStopped, workerWoke });
      const state = workerAwake ? 'worker awake' : workerStopped ? 'worker stopped' : 'worker asleep';
      const worker = `${state}${workerWoke ? ', woken during the fetch' : ''}`;
      console.log(
        `[${stamp()}] minute ${String(minute).padStart(2)}/${options.minutes}  ${result.ok ? 'ok  ' : 'FAIL'} ${String(result.ms).padStart(5)} ms  ` +
          `donors on signaling: ${signaling.stats().donors}  ${worker}${result.error ? `  (${result.error})` : ''}`,
      );
    }
  } finally {
    watching = false;
    if (sampler) clearInterval(sampler);
  }

  const finalStatus = ext ? await readDonorStatus(ext).catch(() => undefined) : undefined;
  await ext?.close();
  await Promise.allSettled([origin.close(), signaling.close()]);

  const successes = attempts.filter((a) => a.ok);
  const latencies = successes.map((a) => a.ms).sort((a, b) => a - b);
  const leftSignaling = presence.departures.length > 0 || presence.announcements > 1 || presence.minDonorsSeen === 0;
  const summary = {
    name: 'reachability',
    minutes: options.minutes,
    attempts: attempts.length,
    successes: successes.length,
    failures: attempts.filter((a) => !a.ok).map((a) => ({ minute: a.minute, error: a.error })),
    medianMs: latencies.length ? (latencies[Math.floor((latencies.length - 1) / 2)]! + latencies[Math.ceil((latencies.length - 1) / 2)]!) / 2 : null, // indices within the list
    maxMs: latencies.length ? latencies[latencies.length - 1] : null,
    workerStops: attempts.filter((a) => a.workerStopped).length,
    attemptsWithWorkerAsleep: attempts.filter((a) => !a.workerAwake).length,
    attemptsThatWokeWorker: attempts.filter((a) => a.workerWoke).length,
    donorLeftSignaling: leftSignaling,
    donorAnnouncements: presence.announcements,
    departures: presence.departures,
    minDonorsSeen: Number.isFinite(presence.minDonorsSeen) ? presence.minDonorsSeen : null,
    secondsWithoutDonor: presence.secondsWithoutDonor,
    finalDonorState: finalStatus?.state ?? null,
    pingIntervalMs,
    at: new Date().toISOString(),
  };
  console.log(
    `\nreachability: ${summary.successes}/${summary.attempts} fetches through the donor succeeded over ${options.minutes} min; ` +
      `median ${summary.medianMs ?? '–'} ms, max ${summary.maxMs ?? '–'} ms; worker stopped ${summary.workerStops}×, ` +
      `asleep when ${summary.attemptsWithWorkerAsleep} attempts began; donor ${leftSignaling ? 'LEFT' : 'never left'} signaling ` +
      `(announcements ${summary.donorAnnouncements}, fewest donors seen ${summary.minDonorsSeen})`,
  );
  console.log(JSON.stringify(summary));
  return summary.successes === summary.attempts && !leftSignaling ? 0 : 1;
}

process.exitCode = await main();
