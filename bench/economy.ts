// economy: the reward system run without a chain (economy/simulation.ts) on the scenario of
// economy/scenario.ts, in three worlds. Prints each actor's return on what it staked and burned,
// and the token's supply against the emission schedule; emits whether self-dealing pays back what
// it burned, whether a sybil farm out-earns one donor with the same stake and service, and whether
// minting stays under the schedule. Pure arithmetic: no browser, no chain, the same numbers on every
// machine. docs/economics.md explains what the numbers mean.
import { bpsDenominator, emissionCapWei, genesisSupplyWei, initialEpochEmissionWei, microCreditsPerCredit, protocolTakeBps, tokenCapWei, tokenDecimals } from '../economy/parameters.ts';
import { actorNames, scenario, scenarioEpochs, type ScenarioOptions } from '../economy/scenario.ts';
import { selfDealingMargin, type ActorOutcome, type SelfDealingMargin, type SimulationOutcome } from '../economy/simulation.ts';
import { round, type BenchResult, type StandaloneBenchmark } from './context.ts';

const name = 'economy';
/** A quick run (scale < 1) still spans a few months of daily epochs. */
const minEpochs = 100;
/** About this many rows in each supply table. */
const supplyRows = 15;
const keptBps = bpsDenominator - protocolTakeBps;
/** 1 − τ: the most USD self-dealing can bring back per USD burned. */
const selfDealingBound = Number(keptBps) / Number(bpsDenominator);

interface World {
  /** How results name it. */
  readonly key: string;
  readonly title: string;
  readonly options: ScenarioOptions;
}

const worlds: readonly World[] = [
  { key: 'default', title: 'the usage pool mostly covers usage; the self-dealer burns 500 USD a day', options: {} },
  { key: 'crowded', title: 'the usage pool is always short: every donor\'s usage is paid pro rata', options: { crowded: true } },
  { key: 'over-cap', title: 'the self-dealer burns 2,000 USD a day, twice its service cap', options: { selfDealtUsdPerEpoch: 2_000 } },
];

interface WorldRun {
  readonly world: World;
  readonly margin: SelfDealingMargin;
  /** margin.withSelfDealing: the world as it happened. */
  readonly outcome: SimulationOutcome;
}

const plt = (wei: bigint): number => Number(wei) / 10 ** tokenDecimals;
const usd = (microUsd: bigint): number => Number(microUsd) / Number(microCreditsPerCredit);
/** a / b of two bigints as a number (0 when b is 0); the doubles carry far more digits than any table shows. */
const quotient = (a: bigint, b: bigint): number => (b === 0n ? 0 : Number(a) / Number(b));
const whole = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => n.toFixed(digits);

/** Rows as a plain-text table: the first column left-aligned, the rest right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length))); // every row has header.length cells
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `name`'s outcome. @throws {RangeError} when the scenario has no such actor. */
function actor(outcome: SimulationOutcome, actorName: string): ActorOutcome {
  const found = outcome.actors.find((a) => a.name === actorName);
  if (found === undefined) throw new RangeError(`the scenario has no actor named ${actorName}`);
  return found;
}

function printActors(run: WorldRun): void {
  const { margin, outcome } = run;
  const rows = outcome.actors.map((a) => [
    a.name,
    String(a.identities),
    whole(plt(a.stakeWei)),
    whole(usd(a.stakeMicroUsd)),
    whole(plt(a.availabilityWei)),
    whole(plt(a.usageWei)),
    whole(usd(a.earnedMicroUsd)),
    `${fixed(quotient(a.earnedMicroUsd, a.stakeMicroUsd), 1)}×`,
    whole(usd(a.settledMicroCredits)),
    whole(usd(a.countedMicroCredits)),
    whole(usd(a.burnedMicroUsd)),
    // Only the self-dealer burns for itself; its return is what it earned over the same donor not self-dealing.
    a.name === actorNames.selfDealer ? fixed(margin.usdBackPerUsdBurned, 3) : '—',
  ]);
  console.log(
    table(['actor', 'ids', 'stake PLT', 'stake USD', 'avail. PLT', 'usage PLT', 'earned USD', 'earned/stake', 'settled USD', 'counted USD', 'burned USD', 'USD back/burned'], rows),
  );
  console.log(
    `\nself-dealer: burned ${whole(usd(margin.burnedMicroUsd))} USD (${whole(plt(margin.burnedWei))} PLT) for its own client and earned ` +
      `${whole(usd(margin.extraEarnedMicroUsd))} USD (${whole(plt(margin.extraEarnedWei))} PLT) more than the same donor not self-dealing: ` +
      `${fixed(margin.usdBackPerUsdBurned, 3)} USD back per USD burned (bound 1 − τ = ${selfDealingBound}), ${fixed(margin.tokensBackPerTokenBurned, 3)} PLT per PLT; ` +
      `its best epoch ${fixed(margin.worstEpochTokensBackPerTokenBurned, 3)} PLT per PLT (${margin.epochsTokensBackAboveBurned} epoch(s) above 1). ` +
      `Everyone else's rewards changed by ${whole(usd(margin.othersChangeMicroUsd))} USD.`,
  );
  const farm = actor(outcome, actorNames.sybil);
  const one = actor(outcome, actorNames.reference);
  console.log(
    `sybil farm: ${farm.identities} identities earned ${whole(plt(farm.earnedWei))} PLT; ${one.name}, one identity with the same stake and service, ` +
      `${whole(plt(one.earnedWei))} PLT (${fixed(quotient(farm.earnedWei, one.earnedWei), 4)}×).`,
  );
  console.log(`usage pool short (everyone's usage paid pro rata) in ${outcome.usagePoolBoundEpochs} of ${outcome.supply.length} epochs.`);
}

function printSupply(outcome: SimulationOutcome): void {
  const points = outcome.supply;
  const step = Math.max(10, Math.round(points.length / supplyRows / 10) * 10);
  // A point is the token after an epoch's close: its row says how many epochs have closed.
  const shown = points.flatMap((p, i) => ((i + 1) % step === 0 || i === points.length - 1 ? [{ p, closed: i + 1 }] : []));
  const rows = shown.map(({ p, closed }) => [
    String(closed),
    whole(plt(p.scheduleWei)),
    whole(plt(p.mintedWei)),
    fixed(quotient(p.mintedWei, p.scheduleWei), 3),
    whole(plt(p.burnedWei)),
    whole(plt(p.supplyWei)),
  ]);
  console.log(
    `\nsupply (genesis ${whole(plt(genesisSupplyWei))} PLT; emission cap ${whole(plt(emissionCapWei))}; token cap ${whole(plt(tokenCapWei))}; ` +
      `epoch 0 emits ${whole(plt(initialEpochEmissionWei))}):`,
  );
  console.log(table(['epochs', 'schedule PLT', 'minted PLT', 'minted/schedule', 'burned PLT', 'supply PLT'], rows));
  console.log(`highest supply: ${whole(plt(outcome.maxSupplyWei))} PLT`);
}

/** The run whose `score` is highest (the first of equals). @throws {RangeError} when none ran. */
function worst(runs: readonly WorldRun[], score: (run: WorldRun) => number): WorldRun {
  if (runs.length === 0) throw new RangeError('no world ran: nothing to report');
  return runs.reduce((best, run) => (score(run) > score(best) ? run : best));
}

function selfDealingResult(runs: readonly WorldRun[]): BenchResult {
  const headline = worst(runs, (r) => r.margin.usdBackPerUsdBurned);
  const value = headline.margin.usdBackPerUsdBurned;
  return {
    name: `${name}-self-dealing`,
    value: round(value, 4),
    baseline: 1,
    ratio: round(value, 4),
    unit: 'USD back per USD burned',
    world: headline.world.key,
    target: `ratio <= ${selfDealingBound} (1 − τ) in every world`,
    // In integers, as the bound is stated: extra earned × 10^4 ≤ burned × (10^4 − τ).
    pass: runs.every((r) => r.margin.extraEarnedMicroUsd * bpsDenominator <= r.margin.burnedMicroUsd * keptBps),
    byWorld: Object.fromEntries(
      runs.map(({ world, margin: m }) => [
        world.key,
        {
          usdBackPerUsdBurned: round(m.usdBackPerUsdBurned, 4),
          tokensBackPerTokenBurned: round(m.tokensBackPerTokenBurned, 4),
          worstEpochTokensBackPerTokenBurned: round(m.worstEpochTokensBackPerTokenBurned, 4),
          epochsTokensBackAboveBurned: m.epochsTokensBackAboveBurned,
          burnedUsd: round(usd(m.burnedMicroUsd), 2),
          extraEarnedUsd: round(usd(m.extraEarnedMicroUsd), 2),
          othersChangeUsd: round(usd(m.othersChangeMicroUsd), 2),
        },
      ]),
    ),
  };
}

function sybilResult(runs: readonly WorldRun[]): BenchResult {
  const pair = (r: WorldRun) => ({ farm: actor(r.outcome, actorNames.sybil), one: actor(r.outcome, actorNames.reference) });
  const headline = worst(runs, (r) => quotient(pair(r).farm.earnedWei, pair(r).one.earnedWei));
  const { farm, one } = pair(headline);
  return {
    name: `${name}-sybil`,
    value: round(plt(farm.earnedWei)),
    baseline: round(plt(one.earnedWei)),
    ratio: round(quotient(farm.earnedWei, one.earnedWei), 6),
    unit: 'PLT',
    world: headline.world.key,
    identities: farm.identities,
    target: `ratio <= 1 in every world and epoch (${actorNames.sybil} vs ${actorNames.reference})`,
    pass: runs.every((r) => {
      const { farm: f, one: o } = pair(r);
      return f.earnedWeiByEpoch.every((wei, e) => wei <= o.earnedWeiByEpoch[e]!); // both series span the run's epochs
    }),
    byWorld: Object.fromEntries(runs.map((r) => [r.world.key, round(quotient(pair(r).farm.earnedWei, pair(r).one.earnedWei), 6)])),
  };
}

function supplyResult(runs: readonly WorldRun[]): BenchResult {
  const last = (r: WorldRun) => r.outcome.supply.at(-1)!; // every run has at least minEpochs points
  const headline = worst(runs, (r) => plt(last(r).mintedWei));
  const end = last(headline);
  const peak = Math.max(...runs.flatMap((r) => r.outcome.supply.map((p) => quotient(p.mintedWei, p.scheduleWei))));
  const maxSupplyWei = runs.reduce((m, r) => (r.outcome.maxSupplyWei > m ? r.outcome.maxSupplyWei : m), 0n);
  return {
    name: `${name}-supply`,
    value: round(plt(end.mintedWei)),
    baseline: round(plt(end.scheduleWei)),
    ratio: round(quotient(end.mintedWei, end.scheduleWei), 4),
    unit: 'PLT',
    world: headline.world.key,
    peakMintedToSchedule: round(peak, 4),
    maxSupplyPlt: round(plt(maxSupplyWei)),
    tokenCapPlt: plt(tokenCapWei),
    target: 'minted <= schedule after every epoch, and supply <= the token cap',
    pass: maxSupplyWei <= tokenCapWei && runs.every((r) => r.outcome.supply.every((p) => p.mintedWei <= p.scheduleWei)),
    byWorld: Object.fromEntries(
      runs.map((r) => [
        r.world.key,
        {
          mintedPlt: round(plt(last(r).mintedWei)),
          burnedPlt: round(plt(last(r).burnedWei)),
          supplyPlt: round(plt(last(r).supplyWei)),
          usagePoolBoundEpochs: r.outcome.usagePoolBoundEpochs,
          // Burns beyond all the PLT that exists: the scenario's price path, not the protocol, allows it.
        },
      ]),
    ),
  };
}

export const economy: StandaloneBenchmark = {
  name,
  standalone: true,
  async run(scale, emit) {
    // The scenario's length is its design (past the first halving and the availability horizon); scale only shortens it.
    const epochs = Math.min(scenarioEpochs, Math.max(minEpochs, Math.round(scenarioEpochs * scale)));
    let failed = 0;
    const fail = (part: string, error: unknown): void => {
      failed++;
      console.error(`${part} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    };
    const runs: WorldRun[] = [];
    for (const world of worlds) {
      try {
        const margin = selfDealingMargin({ ...scenario(world.options), epochs }, actorNames.selfDealer);
        const run: WorldRun = { world, margin, outcome: margin.withSelfDealing };
        console.log(`\n=== economy, ${world.key}: ${world.title} (${epochs} daily epochs) ===\n`);
        printActors(run);
        printSupply(run.outcome);
        runs.push(run);
      } catch (error) {
        fail(`${name} (${world.key})`, error);
      }
    }
    console.log('');
    const parts: Array<[string, () => BenchResult]> = [
      [`${name}-self-dealing`, () => selfDealingResult(runs)],
      [`${name}-sybil`, () => sybilResult(runs)],
      [`${name}-supply`, () => supplyResult(runs)],
    ];
    for (const [part, result] of parts) {
      try {
        await emit({ ...result(), epochs, worlds: runs.map((r) => r.world.key) });
      } catch (error) {
        fail(part, error);
      }
    }
    return failed;
  },
};
