// One oracle of the k-of-n quorum, without its transports: for each ended epoch it closes the
// epoch on chain if nobody has, computes the rewards from chain events and its own uptime record
// (epoch-inputs.ts, economy/epoch-rewards.ts), signs the root, and publishes that attestation.
// It gathers the other oracles' attestations; when k of them (its own included) sign the same
// root and total, it posts them in one transaction. An attestation that does not verify, comes
// from a non-member, or names another root is ignored, so a lying oracle only withholds its vote.
import { SigningKey, getAddress, recoverAddress, type Wallet } from 'ethers';
import { connectHandle, type CoreContracts } from '../../chain/contracts.ts';
import { computeEpochRewards, rewardProof, rewardTree, type RewardTree } from '../../economy/epoch-rewards.ts';
import { readEpochTerms, readRewardRules } from '../../economy/rules-from-chain.ts';
import { epochRecords } from './epoch-inputs.ts';
import type { UptimeRecord } from './uptime-record.ts';

/** What an oracle publishes for an epoch: its signed root, and the leaves so donors can prove theirs. */
export interface EpochAttestation {
  readonly epoch: string;
  readonly root: string;
  /** Sum of the leaves, wei. */
  readonly total: string;
  readonly signer: string;
  /** The signer's signature over the quorum's digest of Rewards.rootStructHash(epoch, root, total). */
  readonly signature: string;
  readonly leaves: readonly { donor: string; amount: string }[];
}

export interface OracleOptions {
  /** The oracle's account: signs roots; pays for closeEpoch and postRoot. */
  readonly wallet: Wallet;
  readonly contracts: Pick<CoreContracts, 'settlement' | 'staking' | 'rewards' | 'quorum'>;
  readonly record: UptimeRecord;
  /** The other oracles' attestations for an epoch (their HTTP endpoints); a failure counts as none. */
  fetchPeerAttestations(epoch: bigint): Promise<unknown[]>;
  /** The first epoch this oracle handles (earlier ones are left to others). */
  readonly firstEpoch: bigint;
  readonly log?: (line: string) => void;
}

export type EpochProgress = 'nothing-to-reward' | 'waiting-for-quorum' | 'posted' | 'already-posted' | 'not-closable';

export interface Oracle {
  readonly address: string;
  /** Handles every ended epoch not yet done; resolves with what happened to each. */
  tick(): Promise<Map<string, EpochProgress>>;
  /** This oracle's attestation for `epoch`, once made. */
  attestation(epoch: bigint): EpochAttestation | undefined;
  /** `donor`'s amount and proof in `epoch`'s tree, once made. */
  proof(epoch: bigint, donor: string): { amount: string; proof: string[] } | undefined;
}

const zeroRoot = `0x${'00'.repeat(32)}`;

export function createOracle(options: OracleOptions): Oracle {
  const { wallet, contracts, record } = options;
  const log = options.log ?? (() => undefined);
  const made = new Map<string, { attestation: EpochAttestation; tree?: RewardTree }>();
  const done = new Set<string>();

  async function digestFor(epoch: bigint, root: string, total: bigint): Promise<string> {
    const structHash = await contracts.rewards.rootStructHash(epoch, root, total);
    return contracts.quorum.digestOf(structHash);
  }

  /** Closes the epoch if nobody has; false when it cannot be closed yet (stale price). */
  async function ensureClosed(epoch: bigint): Promise<boolean> {
    if ((await contracts.rewards.epochState(epoch)).closed) return true;
    try {
      await (await connectHandle(contracts.rewards, wallet).closeEpoch(epoch)).wait();
      log(`closed epoch ${epoch}`);
      return true;
    } catch (error) {
      if ((await contracts.rewards.epochState(epoch)).closed) return true; // another oracle was first
      log(`cannot close epoch ${epoch} yet: ${(error as { shortMessage?: string }).shortMessage ?? String(error)}`);
      return false;
    }
  }

  async function attest(epoch: bigint): Promise<{ attestation: EpochAttestation; tree?: RewardTree }> {
    const key = epoch.toString();
    const existing = made.get(key);
    if (existing) return existing;
    const rules = await readRewardRules(contracts.rewards);
    const terms = await readEpochTerms(contracts.rewards, epoch);
    const records = await epochRecords(contracts, epoch, rules, record.epoch(Number(epoch)));
    const rewards = computeEpochRewards(rules, terms, records);
    const tree = rewards.leaves.length > 0 ? rewardTree(rewards) : undefined;
    const root = tree?.root ?? zeroRoot;
    const signature = new SigningKey(wallet.privateKey).sign(await digestFor(epoch, root, rewards.total)).serialized;
    const attestation: EpochAttestation = {
      epoch: key,
      root,
      total: rewards.total.toString(),
      signer: wallet.address,
      signature,
      leaves: rewards.leaves.map((l) => ({ donor: l.donor, amount: l.amount.toString() })),
    };
    const entry = tree ? { attestation, tree } : { attestation };
    made.set(key, entry);
    log(`epoch ${epoch}: ${rewards.leaves.length} leaves, total ${rewards.total} wei, root ${root}`);
    return entry;
  }

  /** The peers' signatures that verify, come from members, and sign exactly `mine`'s root and total. */
  async function agreeing(mine: EpochAttestation, epoch: bigint): Promise<Map<string, string>> {
    const digest = await digestFor(epoch, mine.root, BigInt(mine.total));
    const signatures = new Map([[wallet.address, mine.signature]]);
    for (const candidate of await options.fetchPeerAttestations(epoch).catch(() => [])) {
      const a = candidate as Partial<EpochAttestation> | null;
      if (!a || a.epoch !== mine.epoch || a.root !== mine.root || a.total !== mine.total || typeof a.signature !== 'string') continue;
      let signer: string;
      try {
        signer = recoverAddress(digest, a.signature);
      } catch {
        continue;
      }
      if (signer !== getAddress(String(a.signer)) || signatures.has(signer) || !(await contracts.quorum.isMember(signer))) continue;
      signatures.set(signer, a.signature);
    }
    return signatures;
  }

  async function handle(epoch: bigint): Promise<EpochProgress> {
    if (!(await ensureClosed(epoch))) return 'not-closable';
    // Attested even when others have posted, so this oracle can serve donors their proofs.
    const { attestation, tree } = await attest(epoch);
    const posted = (await contracts.rewards.epochState(epoch)).root;
    if (posted !== zeroRoot) {
      if (posted !== attestation.root) log(`epoch ${epoch}: the quorum posted ${posted}, not this oracle's ${attestation.root}`);
      return 'already-posted';
    }
    if (!tree) return 'nothing-to-reward';
    const signatures = await agreeing(attestation, epoch);
    const threshold = Number(await contracts.quorum.threshold());
    if (signatures.size < threshold) return 'waiting-for-quorum';
    const sorted = [...signatures].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1)).map(([, s]) => s);
    try {
      await (await connectHandle(contracts.rewards, wallet).postRoot(epoch, attestation.root, BigInt(attestation.total), sorted)).wait();
      log(`posted epoch ${epoch}'s root with ${sorted.length} signatures`);
      return 'posted';
    } catch (error) {
      if ((await contracts.rewards.epochState(epoch)).root !== zeroRoot) return 'already-posted';
      throw error;
    }
  }

  return {
    address: wallet.address,
    attestation: (epoch) => made.get(epoch.toString())?.attestation,
    proof(epoch, donor) {
      const tree = made.get(epoch.toString())?.tree;
      if (!tree) return undefined;
      try {
        const { amount, proof } = rewardProof(tree, donor);
        return { amount: amount.toString(), proof };
      } catch {
        return undefined;
      }
    },
    async tick() {
      const current = await contracts.rewards.currentEpoch();
      const progress = new Map<string, EpochProgress>();
      for (let epoch = options.firstEpoch; epoch < current; epoch++) {
        const key = epoch.toString();
        if (done.has(key)) continue;
        const outcome = await handle(epoch);
        progress.set(key, outcome);
        if (outcome === 'posted' || outcome === 'already-posted' || outcome === 'nothing-to-reward') done.add(key);
      }
      return progress;
    },
  };
}
