// The relayer's core, without HTTP: it pays the gas so donors need none. Each request is checked,
// simulated with eth_call (a batch that would pay nothing, or a claim that would revert, is refused
// without spending gas), queued, simulated again just before it is sent (earlier transactions in
// the queue may have settled it), sent from the relayer's one account, and reported with its
// transaction. It never builds a transaction from anything but the request's own signed contents,
// and those fix the payee: the exit in each receipt, the donor in the Merkle leaf.
//
// Abuse: every request costs its requester (by remote address) one token, so junk is cheap to
// refuse; only a request that passes simulation costs its donor one token, so nobody can use up
// another donor's allowance with batches or claims that would not pay that donor.
import { Interface, type ContractTransactionReceipt, type ContractTransactionResponse, type InterfaceAbi, type Log, type Wallet } from 'ethers';
import { artifact, compileContracts, type Artifacts } from '../../chain/compile.ts';
import { connectHandle, type CoreContracts } from '../../chain/contracts.ts';
import { settlementEvents } from '../../chain/settlement-events.ts';
import {
  parseClaimRequest,
  parseSettleRequest,
  RelayerRequestError,
  relayerErrors,
  relayerRefusal,
  type ClaimConfirmation,
  type RelayerErrorCode,
  type RelayerRefusal,
  type SettleConfirmation,
} from '../../protocol/relayer-api.ts';
import { decodeSettlementBatch } from '../../protocol/settlement-batch.ts';
import { createKeyedRateLimiter, type KeyedRateLimiter } from '../../signaling/rate-limit.ts';
import type { RelayerMetrics } from './metrics.ts';

/** A token bucket's settings: a burst, then a steady rate. */
export interface RateSettings {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export interface RelayerOptions {
  /** The relayer's account, connected to the chain: it signs and pays for every transaction. */
  readonly wallet: Wallet;
  readonly contracts: Pick<CoreContracts, 'settlement' | 'rewards'>;
  readonly metrics: RelayerMetrics;
  /** Submissions per donor (default: a burst of 6, then one a minute). */
  readonly perDonor?: RateSettings;
  /** Requests per remote address, refused or not (default: a burst of 60, then one a second). */
  readonly perRequester?: RateSettings;
  /** Most requests waiting to be sent (default 100). */
  readonly maxQueue?: number;
  /** How long to wait for a sent transaction to confirm, ms (default 120,000). */
  readonly confirmTimeoutMs?: number;
  readonly now?: () => number;
  readonly artifacts?: Artifacts;
}

export type RelayerResponse<T> = { readonly status: 200; readonly body: T } | { readonly status: number; readonly body: RelayerRefusal };

export interface Relayer {
  /** Settles a donor's batch ({ batch }: protocol/settlement-batch.ts) for `requester` (its remote address). */
  settle(request: unknown, requester: string): Promise<RelayerResponse<SettleConfirmation>>;
  /** Submits a donor's reward claim. */
  claim(request: unknown, requester: string): Promise<RelayerResponse<ClaimConfirmation>>;
  /** Requests accepted and not yet answered. */
  queued(): number;
  readonly address: string;
}

const defaultPerDonor: RateSettings = { capacity: 6, refillPerSecond: 1 / 60 };
const defaultPerRequester: RateSettings = { capacity: 60, refillPerSecond: 1 };

/** A request refused before or instead of being sent. */
class Refusal extends Error {
  constructor(
    readonly code: RelayerErrorCode,
    readonly extra: Omit<RelayerRefusal, 'error' | 'message'> = {},
  ) {
    super(code);
  }
}

export function createRelayer(options: RelayerOptions): Relayer {
  const { wallet, contracts, metrics } = options;
  const maxQueue = options.maxQueue ?? 100;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 120_000;
  const perDonor = options.perDonor ?? defaultPerDonor;
  const perRequester = options.perRequester ?? defaultPerRequester;
  const donorLimit = createKeyedRateLimiter({ ...perDonor, now: options.now });
  const requesterLimit = createKeyedRateLimiter({ ...perRequester, now: options.now });
  const errors = errorInterfaces(options.artifacts ?? compileContracts());
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;

  /** Runs `job` after every job queued before it; refuses when the queue is full. */
  function enqueue<T>(job: () => Promise<T>): Promise<T> {
    if (waiting >= maxQueue) throw new Refusal('queue-full');
    waiting++;
    metrics.queueDepth.set(waiting);
    const run = tail.then(job, job);
    tail = run.catch(() => undefined).finally(() => {
      waiting--;
      metrics.queueDepth.set(waiting);
    });
    return run;
  }

  function takeOrRefuse(limit: KeyedRateLimiter, key: string, rate: RateSettings): void {
    if (!limit.take(key)) throw new Refusal('rate-limited', { retryAfterSeconds: Math.ceil(1 / rate.refillPerSecond) });
  }

  /** Simulates `call`; a revert becomes would-revert with its custom error, anything else chain-unavailable. */
  async function simulate<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw chainRefusal(error, errors);
    }
  }

  async function confirm(send: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
    let hash: string | undefined;
    try {
      const tx = await send();
      hash = tx.hash;
      const mined = await tx.wait(1, confirmTimeoutMs);
      if (!mined) throw new Error('no receipt');
      return mined;
    } catch (error) {
      if (hash === undefined) throw chainRefusal(error, errors);
      throw new Refusal('submission-failed', { txHash: hash, reason: shortReason(error) });
    }
  }

  async function respond<T>(kind: 'settle' | 'claim', requester: string, work: () => Promise<T>): Promise<RelayerResponse<T>> {
    try {
      takeOrRefuse(requesterLimit, requester, perRequester);
      const body = await work();
      metrics.requests.inc({ kind, outcome: 'confirmed' });
      return { status: 200, body };
    } catch (error) {
      const refusal = error instanceof Refusal ? error : error instanceof RelayerRequestError ? new Refusal('malformed-request', { reason: error.message }) : undefined;
      if (!refusal) throw error;
      metrics.requests.inc({ kind, outcome: refusal.code });
      return { status: relayerErrors[refusal.code].status, body: relayerRefusal(refusal.code, refusal.extra) };
    }
  }

  const settle = contracts.settlement.getFunction('settle');
  const claim = contracts.rewards.getFunction('claim');

  return {
    address: wallet.address,
    queued: () => waiting,

    settle: (request, requester) =>
      respond('settle', requester, async () => {
        const { batch } = parseSettleRequest(request);
        let exit: string;
        try {
          exit = decodeSettlementBatch(batch).exit;
        } catch (error) {
          throw new RelayerRequestError((error as Error).message);
        }
        const wouldPay = async (): Promise<void> => {
          const paid = (await simulate(() => settle.staticCall(batch, { from: wallet.address }))) as bigint;
          if (paid === 0n) throw new Refusal('nothing-to-settle');
        };
        await wouldPay();
        takeOrRefuse(donorLimit, exit.toLowerCase(), perDonor);
        return enqueue(async () => {
          await wouldPay();
          const mined = await confirm(() => connectHandle(contracts.settlement, wallet).settle(batch));
          const events = settlementEvents(contracts, mined.logs as Log[]);
          const paid = events.settled.reduce((sum, s) => sum + s.paid, 0n);
          metrics.gasUsed.inc({ kind: 'settle' }, Number(mined.gasUsed));
          metrics.settledMicroCredits.inc(Number(paid));
          return {
            status: 'confirmed',
            txHash: mined.hash,
            blockNumber: mined.blockNumber,
            exit,
            paid: paid.toString(),
            settled: events.settled.map((s) => ({ channel: s.channel, client: s.client, paid: s.paid.toString() })),
            rejected: events.rejected,
            gasUsed: mined.gasUsed.toString(),
          } satisfies SettleConfirmation;
        });
      }),

    claim: (request, requester) =>
      respond('claim', requester, async () => {
        const { epoch, donor, amount, proof } = parseClaimRequest(request);
        const args = [BigInt(epoch), donor, BigInt(amount), proof] as const;
        await simulate(() => claim.staticCall(...args, { from: wallet.address }));
        takeOrRefuse(donorLimit, donor.toLowerCase(), perDonor);
        return enqueue(async () => {
          await simulate(() => claim.staticCall(...args, { from: wallet.address }));
          const mined = await confirm(() => connectHandle(contracts.rewards, wallet).claim(...args));
          metrics.gasUsed.inc({ kind: 'claim' }, Number(mined.gasUsed));
          metrics.claimedTokens.inc(Number(BigInt(amount) / 10n ** 9n) / 1e9);
          return {
            status: 'confirmed',
            txHash: mined.hash,
            blockNumber: mined.blockNumber,
            epoch,
            donor,
            amount,
            gasUsed: mined.gasUsed.toString(),
          } satisfies ClaimConfirmation;
        });
      }),
  };
}


/** Every contract's ABI the relayer's calls can revert through, for naming custom errors. */
function errorInterfaces(artifacts: Artifacts): Interface[] {
  return ['Settlement', 'Credits', 'Rewards', 'Staking', 'OracleQuorum', 'PorchlightToken'].map((name) => new Interface(artifact(artifacts, name).abi as InterfaceAbi));
}

/** A failed call: would-revert with the custom error's name when the chain answered with revert data, else chain-unavailable. */
function chainRefusal(error: unknown, errors: readonly Interface[]): Refusal {
  const e = error as { code?: string; data?: string; info?: { error?: { data?: string } }; revert?: { name?: string } };
  const data = e.data ?? e.info?.error?.data;
  if (e.revert?.name) return new Refusal('would-revert', { reason: e.revert.name });
  if (typeof data === 'string' && data.length >= 10) {
    for (const iface of errors) {
      const parsed = iface.parseError(data);
      if (parsed) return new Refusal('would-revert', { reason: parsed.name });
    }
    return new Refusal('would-revert', { reason: `unknown error ${data.slice(0, 10)}` });
  }
  if (e.code === 'CALL_EXCEPTION') return new Refusal('would-revert', { reason: 'reverted without a reason' });
  return new Refusal('chain-unavailable', { reason: shortReason(error) });
}

function shortReason(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e.shortMessage ?? e.message ?? String(error)).slice(0, 200);
}
