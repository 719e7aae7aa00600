// Parameters.sol is the one source of the protocol's parameters; economy/parameters.ts mirrors it for
// code without a chain. This test reads every constant out of the Solidity file and checks the mirror.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mirror from './parameters.ts';

const source = readFileSync(new URL('../contracts/Parameters.sol', import.meta.url), 'utf8');
const units: Record<string, bigint> = { seconds: 1n, minutes: 60n, hours: 3_600n, days: 86_400n, weeks: 604_800n };

/** `NAME = expression;` for each constant, evaluated: literals (1_000e18, 1 << 20, 7 days), earlier names, + − × ÷ and parentheses. */
function solidityConstants(): Map<string, bigint> {
  const values = new Map<string, bigint>();
  for (const [, name, expression] of source.matchAll(/constant\s+([A-Z0-9_]+)\s*=\s*([^;]+);/g)) {
    const js = expression!
      .replace(/(\d[\d_]*)(?:e(\d+))?(?:\s+(seconds|minutes|hours|days|weeks))?/g, (_, digits: string, exp?: string, unit?: string) =>
        `(${BigInt(digits.replaceAll('_', '')) * 10n ** BigInt(exp ?? 0) * (unit ? units[unit]! : 1n)}n)`)
      .replace(/[A-Z][A-Z0-9_]+/g, (ref) => {
        const value = values.get(ref);
        if (value === undefined) throw new Error(`${name}: refers to ${ref}, which is not defined before it`);
        return `(${value}n)`;
      });
    if (!/^[\d\sn()+\-*/<]+$/.test(js)) throw new Error(`${name}: cannot evaluate ${expression}`);
    values.set(name!, new Function(`return ${js};`)() as bigint);
  }
  return values;
}

/** BYTES_PER_MIB → bytesPerMiB: the unit keeps its capitals. */
const camelCase = (name: string): string => name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/Mib$/, 'MiB');

describe('economy/parameters.ts', () => {
  const constants = solidityConstants();

  it('reads every constant of Parameters.sol', () => {
    expect(constants.size).toBe([...source.matchAll(/\bconstant\b/g)].length);
    expect(constants.get('THAW_SECONDS')).toBe(8n * 86_400n);
    expect(constants.get('BYTES_PER_MIB')).toBe(1_048_576n);
  });

  it.each([...solidityConstants().keys()])('mirrors %s under its camelCase name', (name) => {
    const value = (mirror as Record<string, unknown>)[camelCase(name)];
    expect(value, `economy/parameters.ts exports no ${camelCase(name)}`).toBeDefined();
    expect(BigInt(value as bigint | number)).toBe(constants.get(name));
  });

  it('keeps the delays in the order the protocol needs: thaw after the settlement lag, unbonding after the challenge window', () => {
    expect(mirror.thawSeconds).toBeGreaterThan(mirror.settlementLagSeconds);
    expect(mirror.unbondingSeconds).toBeGreaterThan(mirror.rewardChallengeWindowSeconds);
  });
});
