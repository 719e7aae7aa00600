import { describe, expect, it, vi } from 'vitest';
import { setNotifications, type NotificationPermission } from './notification-toggle.ts';

function permission(answer: boolean | Error): NotificationPermission & { request: ReturnType<typeof vi.fn>; release: ReturnType<typeof vi.fn> } {
  return {
    request: vi.fn(() => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer))),
    release: vi.fn(async () => {}),
  };
}

describe('setNotifications', () => {
  it('asks for the permission, then saves the setting on', async () => {
    const p = permission(true);
    const save = vi.fn(async () => 'saved' as const);
    expect(await setNotifications(true, p, save)).toBe('saved');
    expect(p.request).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith({ notifications: true });
  });

  it.each([
    ['the donor says no', false],
    ['the browser refuses the request (no optional permission in the manifest)', new Error('Only permissions specified in the manifest may be requested.')],
  ] as const)('saves nothing when %s', async (_name, answer) => {
    const save = vi.fn(async () => 'saved' as const);
    expect(await setNotifications(true, permission(answer), save)).toBe('denied');
    expect(save).not.toHaveBeenCalled();
  });

  it('asks the browser at once, before anything is awaited (the prompt needs the click)', () => {
    const p = permission(true);
    void setNotifications(true, p, async () => 'saved');
    expect(p.request).toHaveBeenCalledTimes(1);
  });

  it('turning off saves the setting and gives the permission back', async () => {
    const p = permission(true);
    const save = vi.fn(async () => 'saved' as const);
    expect(await setNotifications(false, p, save)).toBe('saved');
    expect(save).toHaveBeenCalledWith({ notifications: false });
    expect(p.request).not.toHaveBeenCalled();
    expect(p.release).toHaveBeenCalledTimes(1);
  });

  it('keeps the permission when the setting could not be saved', async () => {
    const p = permission(true);
    expect(await setNotifications(false, p, async () => 'failed')).toBe('failed');
    expect(p.release).not.toHaveBeenCalled();
  });
});
