// receipts-verify: how many receipts the donor verifies per second on one core, against bare
// ECDSA recovery of the same signatures in the same run, and what share of a core verification
// takes at full relay throughput. Node only: the donor's verifier is the same code in the
// offscreen document. Spec of the checks: docs/receipts.md.
import { readFile } from 'node:fs/promises';
import { Wallet, getAddress, recoverAddress } from 'ethers';
import { newChannelId } from '../protocol/channel-open.ts';
import { creditsForBytes, decodeReceiptFrame, encodeReceiptFrame, microCreditsFromDecimal, receiptDigest, recoverReceiptSigner, signReceipt, type SignedReceipt } from '../protocol/receipt.ts';
import { localReceiptDomain } from '../chain/local-domain.ts';
import { receiptIntervalMs, receiptLifetimeSeconds, receiptWindowDivisor } from '../offscreen/payments/client-payments.ts';
import { maxCreditWindowBytes } from '../offscreen/payments/credit-window.ts';
import { makeReceiptVerifier, maxReceiptsPerSecond, type ChannelTerms, type ReceiptVerifier } from '../offscreen/payments/receipt-verifier.ts';
import { megabyte, round, type BenchResult, type StandaloneBenchmark } from './context.ts';

const name = 'receipts-verify';
const fullReceipts = 2000;
const minReceipts = 200;
const rounds = 4;
/** Untimed passes over a few receipts first, so every loop runs optimized code when timed. */
const warmupReceipts = 100;
/** With its window at the cap, a client signs once per W/4 of frame bytes (client-payments.ts). */
const bytesPerReceiptAtCap = maxCreditWindowBytes / receiptWindowDivisor;
/**
 * A stated reference relay throughput, MB/s (800 Mbit/s): above what one link relays on the
 * bench machines, so the share it gives is an upper bound there and comparable across machines.
 */
const referenceThroughputMBps = 100;
/** The receipts-overhead result of the same `npm run bench` run, if it ran first. */
const overheadResultUrl = new URL('./results/receipts-overhead.json', import.meta.url);

interface Loop {
  readonly name: string;
  /** Runs over all receipts once; throws if any receipt is not accepted. */
  run(): void;
}

interface Timing {
  cpuMs: number;
  wallMs: number;
}

/** CPU (user + system, this process) and wall time of `work`, ms. */
function timed(work: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  work();
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

/** The on-throughput and receipt rate receipts-overhead measured in this same process, if it did. */
async function sameRunOverhead(): Promise<{ throughputMBps: number; receiptsPerSecond: number; at: string } | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(overheadResultUrl, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { value, receiptsPerSecond, at } = parsed as Record<string, unknown>;
  if (typeof value !== 'number' || typeof receiptsPerSecond !== 'number' || typeof at !== 'string') return undefined;
  const processStarted = Date.now() - process.uptime() * 1000;
  // An older file is another run's, on another load: not this run's throughput.
  if (!(Date.parse(at) >= processStarted)) return undefined;
  return { throughputMBps: value, receiptsPerSecond, at };
}

export const receiptsVerify: StandaloneBenchmark = {
  name,
  standalone: true,
  async run(scale, emit) {
    const count = Math.max(minReceipts, Math.round(fullReceipts * scale));
    const clientWallet = Wallet.createRandom();
    const terms: ChannelTerms = {
      domain: localReceiptDomain,
      channelId: newChannelId(),
      client: getAddress(clientWallet.address),
      exit: getAddress(Wallet.createRandom().address),
      price: microCreditsFromDecimal('0.001'),
    };
    const expiry = BigInt(Math.floor(Date.now() / 1000) + receiptLifetimeSeconds);
    // One channel's receipts, each for one more W/2 of bytes, as a client at full window signs them.
    const signed: SignedReceipt[] = [];
    // Timed too: the client's cost per receipt, the other half of what receipts cost a link.
    const cpu0 = process.cpuUsage();
    for (let i = 1; i <= count; i++) {
      const cumBytes = BigInt(i * bytesPerReceiptAtCap);
      signed.push(await signReceipt(clientWallet, terms.domain, { channelId: terms.channelId, client: terms.client, exit: terms.exit, cumBytes, cumCredits: creditsForBytes(cumBytes, terms.price), price: terms.price, expiry }));
    }
    const signCpu = process.cpuUsage(cpu0);
    const digests = signed.map((s) => receiptDigest(terms.domain, s.receipt));
    const frames = signed.map(encodeReceiptFrame);
    const sentBytes = signed.at(-1)!.receipt.cumBytes; // count >= minReceipts > 0

    /** A fresh verifier per pass (commits only grow); its clock moves 1 s per call so the flood limit never bites. */
    const freshVerifier = (): ReceiptVerifier => {
      let nowMs = 0;
      return makeReceiptVerifier({ terms, now: () => (nowMs += 1000), wallClock: () => Date.now() });
    };
    /** verify + commit, as donor-payments.ts does once the receipt is stored. @throws {Error} on a refusal. */
    const verifyAndCommit = (verifier: ReceiptVerifier, receipt: SignedReceipt, i: number): void => {
      const verdict = verifier.verify(receipt, sentBytes);
      if (!verdict.ok) throw new Error(`receipt ${i} refused (${verdict.code}): ${verdict.message}`);
      verifier.commit(verdict.receipt);
    };
    const loops = (n: number): Loop[] => [
      {
        // The floor: secp256k1 public key recovery from a precomputed digest, and its address.
        name: 'ecrecover',
        run() {
          for (let i = 0; i < n; i++) if (recoverAddress(digests[i]!, signed[i]!.signature) !== terms.client) throw new Error(`receipt ${i}: wrong signer`);
        },
      },
      {
        // EIP-712 hashing of the struct and domain, then recovery: the verifier's last check alone.
        name: 'recoverReceiptSigner',
        run() {
          for (let i = 0; i < n; i++) if (recoverReceiptSigner(terms.domain, signed[i]!.receipt, signed[i]!.signature) !== terms.client) throw new Error(`receipt ${i}: wrong signer`);
        },
      },
      {
        // What the issue asks for: the donor's verify + commit for increasing cumBytes.
        name: 'verifier',
        run() {
          const verifier = freshVerifier();
          for (let i = 0; i < n; i++) verifyAndCommit(verifier, signed[i]!, i);
        },
      },
      {
        // What donor-payments.ts does per RECEIPT frame, short of storing it: decode, verify, commit.
        name: 'frame',
        run() {
          const verifier = freshVerifier();
          for (let i = 0; i < n; i++) verifyAndCommit(verifier, decodeReceiptFrame(frames[i]!), i);
        },
      },
    ];

    for (const loop of loops(Math.min(warmupReceipts, count))) loop.run();
    const timedLoops = loops(count);
    const totals = new Map<string, Timing>(timedLoops.map((loop) => [loop.name, { cpuMs: 0, wallMs: 0 }]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order, so a burst of load elsewhere on the machine does not land on one loop.
      const order = timedLoops.map((_, i) => timedLoops[(i + r) % timedLoops.length]!);
      for (const loop of order) {
        const t = timed(() => loop.run());
        const total = totals.get(loop.name)!; // one entry per loop, set above
        total.cpuMs += t.cpuMs;
        total.wallMs += t.wallMs;
      }
    }
    const verified = count * rounds;
    const perSecond = (loopName: string, clock: keyof Timing): number => verified / (totals.get(loopName)![clock] / 1000); // every loop name is in totals
    const cpuMsPerReceipt = (loopName: string): number => totals.get(loopName)!.cpuMs / verified;

    const value = perSecond('verifier', 'cpuMs');
    const baseline = perSecond('ecrecover', 'cpuMs');
    // A donor spends this much of a core per receipt frame on verification (decode included).
    const frameCoreSeconds = cpuMsPerReceipt('frame') / 1000;
    const receiptsPerSecondAtReference = (referenceThroughputMBps * megabyte) / bytesPerReceiptAtCap;
    const overhead = await sameRunOverhead();
    const result: BenchResult = {
      name,
      value: round(value, 1),
      baseline: round(baseline, 1),
      ratio: round(value / baseline),
      unit: 'receipts/s',
      receipts: count,
      rounds,
      perSecondCpu: Object.fromEntries(timedLoops.map((loop) => [loop.name, round(perSecond(loop.name, 'cpuMs'), 1)])),
      perSecondWall: Object.fromEntries(timedLoops.map((loop) => [loop.name, round(perSecond(loop.name, 'wallMs'), 1)])),
      microsecondsPerReceipt: Object.fromEntries(timedLoops.map((loop) => [loop.name, round(cpuMsPerReceipt(loop.name) * 1000, 1)])),
      signMicrosecondsPerReceipt: round((signCpu.user + signCpu.system) / count, 1),
      referenceThroughputMBps,
      receiptsPerSecondAtReference: round(receiptsPerSecondAtReference, 1),
      cpuShareAtReference: round(receiptsPerSecondAtReference * frameCoreSeconds, 4),
      // A client that signs as fast as the flood limit lets it, on one channel.
      cpuShareAtFloodLimit: round(maxReceiptsPerSecond * frameCoreSeconds, 4),
      // A trickle: one receipt per receipt interval, however little flows.
      cpuShareAtIntervalOnly: round((1000 / receiptIntervalMs) * frameCoreSeconds, 5),
      measuredThroughputMBps: overhead ? overhead.throughputMBps : null,
      measuredReceiptsPerSecond: overhead ? overhead.receiptsPerSecond : null,
      cpuShareAtMeasured: overhead ? round(overhead.receiptsPerSecond * frameCoreSeconds, 5) : null,
      measuredAt: overhead ? overhead.at : null,
    };
    await emit(result);
    return 0;
  },
};
