// Credits on anvil, deployed as npm start deploys them: a sponsor buys for someone else, both ways
// of buying end in burned token, a withdrawal waits out the thaw, and only Settlement can spend.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilKeys, startAnvil, type Anvil } from '../chain/anvil.ts';
import { coreContracts, type CoreContracts } from '../chain/contracts.ts';
import { deployLocal } from '../chain/deploy.ts';
import { advance, revertName } from './rewards-fixture.ts';

let anvil: Anvil;
let provider: JsonRpcProvider;
let dir: string;
let c: CoreContracts;
const errors = () => [c.credits.interface, c.stablecoin.interface, c.token.interface];
const sponsor = () => new Wallet(anvilKeys[5], provider);
const journalist = () => new Wallet(anvilKeys[6], provider);
const thawSeconds = 8 * 86_400;

beforeAll(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  dir = await mkdtemp(join(tmpdir(), 'porchlight-deploy-'));
  c = coreContracts((await deployLocal(anvil.url, { outDir: dir })).deployment, provider);
  const s = sponsor();
  await (await c.stablecoin.connect(s).getFunction('faucet')(s.address, 1_000_000_000n)).wait();
  await (await c.stablecoin.connect(s).getFunction('approve')(await c.credits.getAddress(), 1_000_000_000n)).wait();
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Credits', () => {
  it('lets a sponsor pay dollars for a journalist: the journalist holds the credits and the same USD of token burns from the reserve', async () => {
    const supply = await c.token.totalSupply();
    const quote = await c.credits.quoteTokenWei(25_000_000n);
    expect(quote).toBe(250n * 10n ** 18n); // $25 at $0.10 per token
    await (await c.credits.connect(sponsor()).getFunction('buyWithStable')(journalist().address, 25_000_000n)).wait();
    expect(await c.credits.balanceOf(journalist().address)).toBe(25_000_000n);
    expect(await c.credits.balanceOf(sponsor().address)).toBe(0n);
    expect(supply - (await c.token.totalSupply())).toBe(quote);
  });

  it('refuses zero, and a purchase the token holder has not approved', async () => {
    expect(await revertName({ errors: errors() }, c.credits.connect(sponsor()).getFunction('buyWithStable')(journalist().address, 0n))).toBe('ZeroAmount');
    expect(await revertName({ errors: errors() }, c.credits.connect(journalist()).getFunction('buyWithToken')(journalist().address, 1_000_000n, 10n ** 30n))).toMatch(
      /ERC20InsufficientAllowance|ERC20InsufficientBalance/,
    );
  });

  it('holds a withdrawal until the thaw is over, longer than any settlement lag', async () => {
    const j = journalist().address;
    const credits = c.credits.connect(journalist());
    expect(await revertName({ errors: errors() }, credits.getFunction('requestWithdrawal')(10n ** 12n))).toBe('InsufficientCredits');
    await (await credits.getFunction('requestWithdrawal')(5_000_000n)).wait();
    const [, lockedUntil] = await c.credits.clientStatus(j);
    const now = (await provider.getBlock('latest'))!.timestamp;
    expect(Number(lockedUntil) - now).toBeGreaterThanOrEqual(thawSeconds - 5);
    expect(await revertName({ errors: errors() }, credits.getFunction('withdraw')())).toBe('StillThawing');
    await advance(provider, thawSeconds + 60);
    const dollars = await c.stablecoin.balanceOf(j);
    await (await credits.getFunction('withdraw')()).wait();
    expect((await c.stablecoin.balanceOf(j)) - dollars).toBe(5_000_000n);
    expect(await c.credits.balanceOf(j)).toBe(20_000_000n);
    expect(await revertName({ errors: errors() }, credits.getFunction('withdraw')())).toBe('NoWithdrawalPending');
  });

  it('lets nobody but Settlement spend a client’s credits', async () => {
    const attempt = c.credits.connect(sponsor()).getFunction('spend')([journalist().address], [1_000_000n]);
    expect(await revertName({ errors: errors() }, attempt)).toBe('NotSettlement');
    expect(await c.credits.balanceOf(journalist().address)).toBe(20_000_000n);
  });
});
