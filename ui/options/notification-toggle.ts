// Turning the notifications setting on or off: on asks the browser for the optional
// `notifications` permission first (it must be asked inside the click, so this is called straight
// from the change handler), off gives the permission back.
import type { DonorSettings } from '../../settings/donor-settings.ts';
import type { SaveResult } from './settings-editor.ts';

/** The browser's permission prompt for notifications, injected so the page's logic tests without a browser. */
export interface NotificationPermission {
  /** Asks the donor; true when granted. Call it synchronously from the click or change handler. */
  request(): Promise<boolean>;
  /** Gives the permission back; resolves either way. */
  release(): Promise<void>;
}

/** How a change ended: saved, refused by the browser's prompt, or the save itself failed. */
export type NotificationToggleResult = SaveResult | 'denied';

/** Applies the switch: permission first, then the setting. */
export async function setNotifications(
  on: boolean,
  permission: NotificationPermission,
  save: (patch: Partial<DonorSettings>) => Promise<SaveResult>,
): Promise<NotificationToggleResult> {
  if (!on) {
    const result = await save({ notifications: false });
    if (result === 'saved') await permission.release().catch(() => {});
    return result;
  }
  // A manifest without the optional permission, or a dismissed prompt, rejects or answers false.
  const granted = await permission.request().catch(() => false);
  if (!granted) return 'denied';
  return save({ notifications: true });
}
