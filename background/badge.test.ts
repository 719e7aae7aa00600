import { beforeEach, describe, expect, it, vi } from 'vitest';
import { initialDonorStatus, type DonorStatus } from '../protocol/runtime-messages.ts';

// badge.ts imports `browser` from 'wxt/browser' (chrome/browser globals in an extension); here a fake
// action stands in, as MV3's `action` or Firefox MV2's `browserAction`.
const fake = vi.hoisted(() => {
  const action = { setBadgeText: vi.fn(async () => {}), setBadgeBackgroundColor: vi.fn(async () => {}) };
  return { action, browser: { action } as Record<string, unknown> };
});
vi.mock('wxt/browser', () => ({ browser: fake.browser }));

const { badgeText, createActionBadge } = await import('./badge.ts');

const status = (patch: Partial<DonorStatus>): DonorStatus => ({ ...initialDonorStatus(0), ...patch });

describe('badgeText', () => {
  const cases: ReadonlyArray<readonly [string, DonorStatus, string]> = [
    ['off', status({ state: 'off' }), ''],
    ['starting', status({ state: 'starting' }), ''],
    ['connected, nobody helped yet', status({ state: 'connected', helpingNow: 0 }), ''],
    ['connected, helping one person', status({ state: 'connected', helpingNow: 1 }), '1'],
    ['connected, helping twelve people', status({ state: 'connected', helpingNow: 12 }), '12'],
    ['paused at the cap', status({ state: 'paused', reason: 'daily-cap' }), '!'],
    ['paused outside hours', status({ state: 'paused', reason: 'outside-hours' }), '!'],
    ['offline', status({ state: 'offline', reason: 'signaling-unreachable', retryAt: 5 }), '!'],
  ];
  it.each(cases)('%s → %j', (_name, s, text) => {
    expect(badgeText(s)).toBe(text);
  });
});

describe('createActionBadge', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    fake.browser.action = fake.action;
    delete fake.browser.browserAction;
  });

  it('shows the count in green while helping', async () => {
    await createActionBadge().show(status({ state: 'connected', helpingNow: 2 }));
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ text: '2' });
    expect(fake.action.setBadgeBackgroundColor).toHaveBeenCalledWith({ color: '#1a7f37' });
  });

  it('shows "!" in the attention colour when paused or offline', async () => {
    await createActionBadge().show(status({ state: 'offline', reason: 'signaling-refused' }));
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ text: '!' });
    expect(fake.action.setBadgeBackgroundColor).toHaveBeenCalledWith({ color: '#9a6700' });
  });

  it('clears the badge when sharing is off', async () => {
    await createActionBadge().show(status({ state: 'off' }));
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ text: '' });
  });

  it("uses Firefox MV2's browserAction where there is no action", async () => {
    delete fake.browser.action;
    fake.browser.browserAction = fake.action;
    await createActionBadge().show(status({ state: 'connected', helpingNow: 5 }));
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ text: '5' });
  });
});
