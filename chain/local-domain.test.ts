import { describe, expect, it } from 'vitest';
import { localChainId as anvilChainId } from './anvil.ts';
import { compileContracts } from './compile.ts';
import { localDeployParameters, makeDeployPlan, plannedAddress } from './deploy-plan.ts';
import { localChainId, localSettlementAddress } from './local-domain.ts';

describe('the local receipt domain', () => {
  it('is the deploy plan’s Settlement on anvil: rewrite local-domain.ts when a contract or the plan changes', () => {
    expect(localSettlementAddress).toBe(plannedAddress(makeDeployPlan(compileContracts(), localDeployParameters()), 'Settlement'));
    expect(localChainId).toBe(anvilChainId);
  });
});
