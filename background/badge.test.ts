import { beforeEach, describe, expect, it, vi } from 'vitest';
import { initialDonorStatus, type DonorStatus } from '../protocol/runtime-messages.ts';

// badge.ts imports `browser` from 'wxt/browser' (chrome/browser globals in an extension); here a fake
// action stands in, as MV3's `action` or Firefox MV2's `browserAction`.
const fake = vi.hoisted(() => {
  const action = { setBadgeText: vi.fn(async () => {}), setBadgeBackgroundColor: vi.fn(async () => {}), setIcon: vi.fn(async () => {}) };
  return { action, browser: { action } as Record<string, unknown> };
});
vi.mock('wxt/browser', () => ({ browser: fake.browser }));

const { badgeText, createActionBadge, toolbarIconVariant } = await import('./badge.ts');
const { iconSizes, toolbarIconSizes } = await import('./icon-files.ts');

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

describe('toolbarIconVariant', () => {
  // Lit while sharing is on, dimmed while on but not sharing, grey when off.
  const cases: ReadonlyArray<readonly [string, DonorStatus, string]> = [
    ['off', status({ state: 'off' }), 'off'],
    ['starting', status({ state: 'starting' }), 'on'],
    ['connected, nobody helped yet', status({ state: 'connected', helpingNow: 0 }), 'on'],
    ['connected, helping', status({ state: 'connected', helpingNow: 3 }), 'on'],
    ['paused at the daily cap', status({ state: 'paused', reason: 'daily-cap' }), 'paused'],
    ['paused on battery', status({ state: 'paused', reason: 'on-battery' }), 'paused'],
    ['offline', status({ state: 'offline', reason: 'signaling-unreachable', retryAt: 5 }), 'paused'],
  ];
  it.each(cases)('%s → %s', (_name, s, variant) => {
    expect(toolbarIconVariant(s)).toBe(variant);
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

  it('shows the lit, dimmed and grey mark for on, paused and off, from the rendered toolbar sizes', async () => {
    const badge = createActionBadge();
    await badge.show(status({ state: 'connected', helpingNow: 1 }));
    await badge.show(status({ state: 'paused', reason: 'monthly-cap' }));
    await badge.show(status({ state: 'off' }));
    expect(fake.action.setIcon.mock.calls).toEqual([
      [{ path: { 16: '/icons/on-16.png', 32: '/icons/on-32.png', 48: '/icons/on-48.png' } }],
      [{ path: { 16: '/icons/paused-16.png', 32: '/icons/paused-32.png', 48: '/icons/paused-48.png' } }],
      [{ path: { 16: '/icons/off-16.png', 32: '/icons/off-32.png', 48: '/icons/off-48.png' } }],
    ]);
    // The toolbar only asks for sizes the build renders.
    for (const size of toolbarIconSizes) expect(iconSizes).toContain(size);
  });

  it('does not set the same icon again while the state stays the same', async () => {
    const badge = createActionBadge();
    await badge.show(status({ state: 'connected', helpingNow: 1 }));
    await badge.show(status({ state: 'connected', helpingNow: 2 }));
    await badge.show(status({ state: 'starting' }));
    expect(fake.action.setIcon).toHaveBeenCalledTimes(1);
    expect(fake.action.setBadgeText).toHaveBeenLastCalledWith({ text: '' });
  });

  it("uses Firefox MV2's browserAction where there is no action", async () => {
    delete fake.browser.action;
    fake.browser.browserAction = fake.action;
    await createActionBadge().show(status({ state: 'connected', helpingNow: 5 }));
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ text: '5' });
  });
});
