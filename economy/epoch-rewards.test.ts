import fc from 'fast-check';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { computeEpochRewards, rewardProof, rewardTree, usageTokensWei, type DonorEpochRecord, type EpochTerms, type RewardRules } from './epoch-rewards.ts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const token = 10n ** 18n;
// Parameters.sol's defaults (the contract tests read them from the chain; here they are inputs).
const rules: RewardRules = { minStakeWei: 1_000n * token, protocolTakeBps: 1000n, serviceCapMicroCreditsPerStakedToken: 100_000n, minUptimeBps: 5000n };
// 0.10 USD per token, 8 decimals.
const terms: EpochTerms = { epoch: 3n, price: 10_000_000n, priceDecimals: 8, availabilityPoolWei: 1_000n * token, usagePoolWei: 500n * token };
const addresses = Array.from({ length: 40 }, (_, i) => new Wallet(`0x${(i + 1).toString(16).padStart(64, '0')}`).address);
const usd = (n: number): bigint => BigInt(Math.round(n * 1e6));

function donor(i: number, stake: bigint, usage: bigint, sent = 10, answered = 10): DonorEpochRecord {
  return { donor: addresses[i]!, stakeWei: stake, usageMicroCredits: usage, challengesSent: sent, challengesAnswered: answered };
}

describe('computeEpochRewards', () => {
  it('mints usage 1:1 in USD value less the take, at the price: 10 USD at 0.10 USD/PLT is 90 PLT', () => {
    expect(usageTokensWei(usd(10), 1000n, terms.price, 8)).toBe(90n * token);
    const out = computeEpochRewards(rules, { ...terms, availabilityPoolWei: 0n }, [donor(0, 1_000n * token, usd(10))]);
    expect(out.leaves).toEqual([expect.objectContaining({ amount: 90n * token, usageWei: 90n * token, availabilityWei: 0n })]);
  });

  it.each([
    ['below minimum stake: nothing', donor(0, 999n * token, usd(10)), 0n],
    ['uptime under half: usage only', donor(0, 1_000n * token, usd(1), 10, 4), 9n * token],
    ['service above stake × cap counts only up to the cap (1,000 PLT → 100 USD → 900 PLT, pro rata in a 500 PLT pool)', donor(0, 1_000n * token, usd(250), 0, 0), 500n * token],
  ])('%s', (_, record, expected) => {
    const out = computeEpochRewards(rules, { ...terms, availabilityPoolWei: 0n }, [record]);
    expect(out.total).toBe(expected);
  });

  it('splits availability by stake × uptime, and an idle donor still earns it', () => {
    const out = computeEpochRewards(rules, terms, [donor(0, 3_000n * token, 0n), donor(1, 1_000n * token, 0n), donor(2, 2_000n * token, 0n, 10, 5)]);
    const byDonor = Object.fromEntries(out.leaves.map((l) => [l.donor, l.availabilityWei]));
    expect(byDonor[addresses[0]!]).toBe(600n * token);
    expect(byDonor[addresses[1]!]).toBe(200n * token);
    expect(byDonor[addresses[2]!]).toBe(200n * token);
  });

  it('refuses a donor listed twice and a malformed record', () => {
    expect(() => computeEpochRewards(rules, terms, [donor(0, token, 1n), donor(0, token, 2n)])).toThrow(RangeError);
    expect(() => computeEpochRewards(rules, terms, [donor(0, token, 1n, 3, 4)])).toThrow(RangeError);
    expect(() => computeEpochRewards(rules, terms, [{ ...donor(0, token, 1n), donor: '0x1234' }])).toThrow();
  });

  const record = (i: number) =>
    fc.record({
      stake: fc.bigInt({ min: 0n, max: 50_000n * token }),
      usage: fc.bigInt({ min: 0n, max: usd(10_000) }),
      sent: fc.integer({ min: 0, max: 50 }),
    }).chain(({ stake, usage, sent }) => fc.integer({ min: 0, max: sent }).map((answered) => donor(i, stake, usage, sent, answered)));
  const records = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => record(i))));
  const epochTerms = fc.record({
    availabilityPoolWei: fc.bigInt({ min: 0n, max: 10n ** 6n * token }),
    usagePoolWei: fc.bigInt({ min: 0n, max: 10n ** 6n * token }),
    price: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  }).map((t) => ({ ...terms, ...t }));

  it('never pays more than the on-chain budget: availability pool + min(usage pool, settled × (1 − τ) at the price)', () => {
    fc.assert(
      fc.property(records, epochTerms, (rs, t) => {
        const out = computeEpochRewards(rules, t, rs);
        const settled = rs.reduce((sum, r) => sum + r.usageMicroCredits, 0n);
        const usageBudget = usageTokensWei(settled, rules.protocolTakeBps, t.price, t.priceDecimals);
        expect(out.total).toBeLessThanOrEqual(t.availabilityPoolWei + (usageBudget < t.usagePoolWei ? usageBudget : t.usagePoolWei));
        for (const leaf of out.leaves) expect(leaf.usageWei).toBeLessThanOrEqual(usageTokensWei(leaf.countedUsageMicroCredits, rules.protocolTakeBps, t.price, t.priceDecimals));
      }),
    );
  });

  it('gives the same root whatever order the records come in', () => {
    fc.assert(
      fc.property(records, epochTerms, fc.integer(), (rs, t, seed) => {
        const out = computeEpochRewards(rules, t, rs);
        fc.pre(out.leaves.length > 0);
        const shuffled = [...rs].sort((a, b) => ((a.donor.charCodeAt(5 + (seed & 7)) ^ seed) & 0xff) - ((b.donor.charCodeAt(5 + (seed & 7)) ^ seed) & 0xff));
        expect(rewardTree(computeEpochRewards(rules, t, shuffled)).root).toBe(rewardTree(out).root);
      }),
      { numRuns: 50 },
    );
  });

  it('a sybil farm (one donor split into identities, same stake, service and uptime in total) earns no more than the one donor', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2_000n * token, max: 20_000n * token }),
        fc.bigInt({ min: 0n, max: usd(5_000) }),
        fc.integer({ min: 2, max: 10 }),
        fc.array(record(30), { maxLength: 4 }),
        epochTerms,
        (stake, usage, parts, others, t) => {
          const rest = others.map((r, i) => ({ ...r, donor: addresses[30 + i]! }));
          const one = computeEpochRewards(rules, t, [donor(0, stake, usage), ...rest]);
          const split = Array.from({ length: parts }, (_, i) => donor(1 + i, stake / BigInt(parts), usage / BigInt(parts)));
          const farm = computeEpochRewards(rules, t, [...split, ...rest]);
          const mine = (out: typeof one, ids: string[]) => out.leaves.filter((l) => ids.includes(l.donor)).reduce((sum, l) => sum + l.amount, 0n);
          expect(mine(farm, split.map((s) => s.donor))).toBeLessThanOrEqual(mine(one, [addresses[0]!]));
        },
      ),
    );
  });

  it('proves every leaf against the root in the format Rewards.claim checks', () => {
    const out = computeEpochRewards(rules, terms, [donor(0, 2_000n * token, usd(3)), donor(1, 1_000n * token, 0n), donor(2, 5_000n * token, usd(40))]);
    const tree = rewardTree(out);
    for (const leaf of out.leaves) {
      const { amount, proof } = rewardProof(tree, leaf.donor.toLowerCase());
      expect(amount).toBe(leaf.amount);
      expect(StandardMerkleTree.verify(tree.root, ['address', 'uint256'], [leaf.donor, amount], proof)).toBe(true);
      expect(StandardMerkleTree.verify(tree.root, ['address', 'uint256'], [leaf.donor, amount + 1n], proof)).toBe(false);
    }
    expect(() => rewardProof(tree, addresses[9]!)).toThrow(RangeError);
  });
});
