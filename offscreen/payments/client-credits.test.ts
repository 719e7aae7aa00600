import { Wallet } from 'ethers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { creditsForBytes } from '../../protocol/receipt.ts';
import { creditsReadTimeoutMs, defaultCreditsTtlMs, makeClientCreditCheck, minCreditsRereadMs, offCreditCheck, type ClientCredits, type CreditCheckStatus } from './client-credits.ts';

const client = Wallet.createRandom().address;
const price = 1_000n; // micro-credits per MiB: 0.001 credits
const W = 256 * 1024;
const windowCredits = creditsForBytes(BigInt(W), price);
/** Unix seconds of the fake clock. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const week = 7 * 24 * 3600;
const thaw = 8 * 24 * 3600;
const ask = (bytes = W) => ({ bytes, price, until: nowSeconds() + week });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-01T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A chain whose answer a test sets; counts reads. */
function fakeChain(initial: ClientCredits | Error) {
  const chain = {
    answer: initial as ClientCredits | Error | 'hang',
    reads: 0,
    read: async (address: string, signal: AbortSignal): Promise<ClientCredits> => {
      chain.reads++;
      expect(address).toBe(client);
      const answer = chain.answer;
      if (answer === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return chain;
}

function setup(initial: ClientCredits | Error) {
  const chain = fakeChain(initial);
  const statuses: CreditCheckStatus[] = [];
  const check = makeClientCreditCheck({ readCredits: chain.read, now: () => Date.now(), onStatus: (status) => statuses.push(status) });
  return { chain, check, statuses };
}

const funded = (credits: bigint): ClientCredits => ({ balance: credits, lockedUntil: nowSeconds() + thaw });

describe('client credit check', () => {
  it('covers a client whose credits pay for the window, and reads the chain once per ttl', async () => {
    const { chain, check } = setup(funded(1_000_000n));
    expect(await check.covers(client, ask())).toEqual({ ok: true, available: 1_000_000n });
    expect(await check.covers(client.toLowerCase(), ask())).toMatchObject({ ok: true });
    expect(chain.reads).toBe(1);
    await vi.advanceTimersByTimeAsync(defaultCreditsTtlMs);
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    expect(chain.reads).toBe(2);
  });

  it('refuses a client with fewer credits than the window costs', async () => {
    const { check } = setup(funded(windowCredits - 1n));
    expect(await check.covers(client, ask())).toEqual({ ok: false, code: 'short', available: windowCredits - 1n, needed: windowCredits });
    expect(await check.covers(client, ask(W / 2))).toMatchObject({ ok: true });
  });

  it('takes what the donor’s receipts already owe from the balance, channel by channel, and forgets what settled', async () => {
    const { check } = setup(funded(windowCredits * 3n));
    check.owes(client, 'a', windowCredits);
    check.owes(client, 'b', windowCredits);
    expect(await check.covers(client, ask())).toEqual({ ok: true, available: windowCredits });
    // A newer receipt on channel a replaces its figure; it does not add to it.
    check.owes(client, 'a', windowCredits + 1n);
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'short', available: windowCredits - 1n });
    check.owes(client, 'b', 0n); // b settled
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
  });

  it('reads again once the receipts used up what was read: a client that bought more is served', async () => {
    const { chain, check } = setup(funded(windowCredits * 2n));
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    chain.answer = funded(windowCredits * 10n);
    check.owes(client, 'a', windowCredits * 2n);
    expect(await check.covers(client, ask())).toMatchObject({ ok: true, available: windowCredits * 8n });
    expect(chain.reads).toBe(2);
  });

  it('reads once more before refusing on a cached figure, but not more often than once a second', async () => {
    const { chain, check } = setup(funded(windowCredits));
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    await vi.advanceTimersByTimeAsync(minCreditsRereadMs);
    check.owes(client, 'a', 1n);
    // Not used up (W − 1 left), but short of W: read again, still short.
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'short' });
    expect(chain.reads).toBe(2);
    // A client cannot make the donor hammer the chain: asking again at once uses the read just made.
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'short' });
    expect(chain.reads).toBe(2);
  });

  it('hostile client: credits withdrawn mid-channel are noticed at the next read, and the window is refused', async () => {
    const { chain, check } = setup(funded(1_000_000n));
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    // The client asks to withdraw everything: the credits can leave in 8 days, and show as still there until then.
    chain.answer = { balance: 1_000_000n, lockedUntil: nowSeconds() + 60 };
    // Within the ttl the donor trusts its read…
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    await vi.advanceTimersByTimeAsync(defaultCreditsTtlMs);
    // …then sees the credits could leave before it can settle (its lag is a week).
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'thawing', until: nowSeconds() + week });
    // Once withdrawn, the balance itself is gone.
    chain.answer = funded(0n);
    await vi.advanceTimersByTimeAsync(minCreditsRereadMs);
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'short', available: 0n });
  });

  it('a reader that fails answers unknown, says so in the status, and recovers when the chain answers', async () => {
    const { chain, check, statuses } = setup(new Error('connect ECONNREFUSED 127.0.0.1:8545'));
    expect(check.status()).toEqual({ state: 'on' });
    expect(await check.covers(client, ask())).toEqual({ ok: false, code: 'unknown', detail: 'connect ECONNREFUSED 127.0.0.1:8545' });
    expect(check.status()).toEqual({ state: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:8545', since: Date.now() });
    chain.answer = funded(1_000_000n);
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    expect(statuses.map((status) => status.state)).toEqual(['unreachable', 'on']);
  });

  it('does not trust an old read it cannot refresh: the balance may have left since', async () => {
    const { chain, check } = setup(funded(1_000_000n));
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
    chain.answer = new Error('chain down');
    await vi.advanceTimersByTimeAsync(defaultCreditsTtlMs);
    expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'unknown' });
  });

  it('a chain that never answers times out as unknown', async () => {
    const { chain, check } = setup(funded(0n));
    chain.answer = 'hang';
    const answer = check.covers(client, ask());
    await vi.advanceTimersByTimeAsync(creditsReadTimeoutMs);
    expect(await answer).toMatchObject({ ok: false, code: 'unknown', detail: expect.stringContaining('5 s') });
  });

  it('hostile reader answers: a negative balance or a missing time are failures, not figures', async () => {
    for (const bad of [{ balance: -1n, lockedUntil: nowSeconds() + thaw }, { balance: 5n }, { balance: 5, lockedUntil: 1 }]) {
      const { check } = setup(bad as ClientCredits);
      expect(await check.covers(client, ask())).toMatchObject({ ok: false, code: 'unknown' });
    }
  });

  it('shares one read among asks that arrive together', async () => {
    const { chain, check } = setup(funded(1_000_000n));
    const answers = await Promise.all([check.covers(client, ask()), check.covers(client, ask()), check.covers(client, ask())]);
    expect(answers.every((answer) => answer.ok)).toBe(true);
    expect(chain.reads).toBe(1);
  });

  it('the check of a build with no chain covers everything and says it is off', async () => {
    const check = offCreditCheck();
    expect(check.status()).toEqual({ state: 'off' });
    expect(await check.covers(client, ask())).toMatchObject({ ok: true });
  });
});
