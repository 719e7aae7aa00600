import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poolsOf, scheduleTotalWei } from './emission-schedule.ts';
import { availabilityHorizonEpochs, bpsDenominator, emissionCapWei, emissionHalvingEpochs, protocolTakeBps, tokenCapWei } from './parameters.ts';
import { actorNames, scenario } from './scenario.ts';
import { creditPurchaseTokenWei, selfDealingMargin, simulate, tokenWeiToMicroUsd, type ActorSpec, type SimulationConfig } from './simulation.ts';

const token = 10n ** 18n;
const usd = (n: number): bigint => BigInt(Math.round(n * 1e6));
/** 0.10 USD per token, 8 decimals. */
const tenCents = 10_000_000n;
const keptBps = bpsDenominator - protocolTakeBps;

const outcomeOf = (o: ReturnType<typeof simulate>, name: string) => o.actors.find((a) => a.name === name)!; // names come from the scenario

describe('creditPurchaseTokenWei', () => {
  it.each([
    ['10 USD at 0.10 USD/PLT burns 100 PLT', usd(10), tenCents, 100n * token],
    ['rounds up: the burn covers at least the USD value', 1n, 3n, 33_333_333_333_333_333_334n],
  ])('%s', (_, micro, price, expected) => {
    expect(creditPurchaseTokenWei(micro, price)).toBe(expected);
    expect(tokenWeiToMicroUsd(expected, price)).toBeGreaterThanOrEqual(micro);
  });

  it('refuses a price that is not positive', () => {
    expect(() => creditPurchaseTokenWei(usd(1), 0n)).toThrow(RangeError);
  });
});

describe('the scenario over 1,500 epochs (both halvings and the availability horizon)', () => {
  const worlds = [
    ['the usage pool mostly covers usage', scenario()],
    ['the usage pool is always short (everyone paid pro rata)', scenario({ crowded: true })],
    ['the self-dealer burns twice its service cap a day', scenario({ selfDealtUsdPerEpoch: 2_000 })],
  ] as const;

  it.each(worlds)('%s: self-dealing gets back at most (1 − τ) of the USD it burned, so it loses money', (_, config) => {
    const m = selfDealingMargin(config, actorNames.selfDealer);
    expect(m.burnedMicroUsd).toBeGreaterThan(0n);
    expect(m.extraEarnedMicroUsd * bpsDenominator).toBeLessThanOrEqual(m.burnedMicroUsd * keptBps);
    expect(m.extraEarnedMicroUsd).toBeLessThan(m.burnedMicroUsd);
    // It never raises anyone else's reward; when the pool binds it dilutes theirs.
    expect(m.othersChangeMicroUsd).toBeLessThanOrEqual(0n);
  });

  it('self-dealing beyond the service cap or into a short pool returns less than (1 − τ)', () => {
    const overCap = selfDealingMargin(scenario({ selfDealtUsdPerEpoch: 2_000 }), actorNames.selfDealer);
    const crowded = selfDealingMargin(scenario({ crowded: true }), actorNames.selfDealer);
    expect(overCap.usdBackPerUsdBurned).toBeLessThan(0.5);
    // The network's demand is 1.25 × the pool: everyone's usage is paid at 1/1.25 = 80% of (1 − τ).
    expect(crowded.usdBackPerUsdBurned).toBeLessThan(0.8);
    expect(crowded.othersChangeMicroUsd).toBeLessThan(0n);
  });

  it.each(worlds)('%s: the sybil farm earns no more than one honest donor with its stake and service', (_, config) => {
    const out = simulate(config);
    const farm = outcomeOf(out, actorNames.sybil);
    const one = outcomeOf(out, actorNames.reference);
    expect(farm.identities).toBeGreaterThan(1);
    expect(farm.earnedWei).toBeLessThanOrEqual(one.earnedWei);
    farm.earnedWeiByEpoch.forEach((wei, e) => expect(wei).toBeLessThanOrEqual(one.earnedWeiByEpoch[e]!));
  });

  it('the idle donor earns availability that falls to nothing at the horizon, and never any usage', () => {
    const idle = outcomeOf(simulate(scenario()), actorNames.idle);
    const byEpoch = idle.earnedWeiByEpoch;
    expect(idle.usageWei).toBe(0n);
    expect(byEpoch[0]!).toBeGreaterThan(byEpoch[365]!);
    expect(byEpoch[365]!).toBeGreaterThan(byEpoch[availabilityHorizonEpochs - 1]!);
    expect(byEpoch[availabilityHorizonEpochs - 1]!).toBeGreaterThan(0n);
    expect(byEpoch.slice(availabilityHorizonEpochs).every((wei) => wei === 0n)).toBe(true);
  });

  it('never mints past the schedule, the emission cap or the token cap', () => {
    for (const [, config] of worlds) {
      const out = simulate(config);
      for (const point of out.supply) {
        expect(point.mintedWei).toBeLessThanOrEqual(point.scheduleWei);
        expect(point.supplyWei).toBeLessThanOrEqual(tokenCapWei);
      }
      expect(out.maxSupplyWei).toBeLessThanOrEqual(tokenCapWei);
    }
    expect(scheduleTotalWei()).toBeLessThan(emissionCapWei);
  });
});

describe('small random worlds around the horizon and the first halving', () => {
  const actor = (i: number) =>
    fc.record({
      identities: fc.integer({ min: 1, max: 4 }),
      stakeTokens: fc.integer({ min: 0, max: 20_000 }),
      servedUsd: fc.integer({ min: 0, max: 3_000 }),
      answered: fc.integer({ min: 0, max: 4 }),
    }).map(({ identities, stakeTokens, servedUsd, answered }): ActorSpec => ({
      name: `donor-${i}`, identities, stakeWei: BigInt(stakeTokens) * token, challengesAnswered: answered, servedMicroCredits: () => usd(servedUsd),
    }));
  const world = fc.record({
    others: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => actor(i)))),
    firstEpoch: fc.integer({ min: emissionHalvingEpochs - 4, max: emissionHalvingEpochs }),
    // Between 0.001 and 10 USD per token, moving each epoch by up to ±30%.
    prices: fc.array(fc.integer({ min: 100_000, max: 1_000_000_000 }), { minLength: 6, maxLength: 6 }),
    stakeTokens: fc.integer({ min: 1_000, max: 50_000 }),
    servedUsd: fc.integer({ min: 0, max: 10_000 }),
    selfDealtUsd: fc.integer({ min: 1, max: 20_000 }),
    parts: fc.integer({ min: 2, max: 8 }),
  });
  const configOf = (w: { firstEpoch: number; prices: readonly number[] }, actors: ActorSpec[]): SimulationConfig => ({
    firstEpoch: w.firstEpoch,
    epochs: 5,
    actors,
    challengesPerEpoch: 4,
    priceAt: (e) => BigInt(w.prices[e - w.firstEpoch]!), // e within the 6 prices
  });

  it('self-dealing never pays; a sybil split never earns more; nothing passes the budget or the cap', () => {
    fc.assert(
      fc.property(world, (w) => {
        const stakeWei = BigInt(w.stakeTokens) * token;
        const me: ActorSpec = { name: 'me', identities: 1, stakeWei, challengesAnswered: 4, servedMicroCredits: () => usd(w.servedUsd) };
        const m = selfDealingMargin(configOf(w, [{ ...me, selfDealtMicroCredits: () => usd(w.selfDealtUsd) }, ...w.others]), 'me');
        expect(m.extraEarnedMicroUsd * bpsDenominator).toBeLessThanOrEqual(m.burnedMicroUsd * keptBps);
        const farm: ActorSpec = { ...me, name: 'farm', identities: w.parts };
        const one = simulate(configOf(w, [me, ...w.others]));
        const split = simulate(configOf(w, [farm, ...w.others]));
        expect(outcomeOf(split, 'farm').earnedWei).toBeLessThanOrEqual(outcomeOf(one, 'me').earnedWei);
      }),
      { numRuns: 60 },
    );
  });
});

describe('simulate refuses a world it cannot run', () => {
  const ok: ActorSpec = { name: 'a', identities: 1, stakeWei: 1_000n * token, challengesAnswered: 1, servedMicroCredits: () => 0n };
  const base: SimulationConfig = { epochs: 2, actors: [ok], challengesPerEpoch: 1, priceAt: () => tenCents };
  it.each([
    ['no epochs', { ...base, epochs: 0 }],
    ['an actor listed twice', { ...base, actors: [ok, ok] }],
    ['no identities', { ...base, actors: [{ ...ok, identities: 0 }] }],
    ['negative stake', { ...base, actors: [{ ...ok, stakeWei: -1n }] }],
    ['more challenges answered than sent', { ...base, actors: [{ ...ok, challengesAnswered: 2 }] }],
    ['negative usage', { ...base, actors: [{ ...ok, servedMicroCredits: () => -1n }] }],
    ['a zero price', { ...base, priceAt: () => 0n }],
  ])('%s', (_, config) => {
    expect(() => simulate(config)).toThrow(RangeError);
  });

  it('refuses to measure self-dealing for an actor that does not self-deal', () => {
    expect(() => selfDealingMargin(base, 'a')).toThrow(RangeError);
  });

  it('mints an epoch’s availability pool to its one eligible donor, usage at (1 − τ)', () => {
    const out = simulate({ ...base, epochs: 1, actors: [{ ...ok, servedMicroCredits: () => usd(10) }] });
    expect(out.actors[0]!.availabilityWei).toBe(poolsOf(0).availabilityPoolWei);
    expect(out.actors[0]!.usageWei).toBe(90n * token);
  });
});
