// The toolbar badge: how many people this donor is helping now, or a mark when sharing is on but
// not working (paused or offline), so the state is visible without opening the popup.
import { browser } from 'wxt/browser';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import type { Badge } from './orchestrator.ts';

const helpingColor = '#1a7f37';
const attentionColor = '#9a6700';

/** The badge text for a status: the live count, '!' when paused or offline, empty when off or idle. */
export function badgeText(status: DonorStatus): string {
  if (status.state === 'connected') return status.helpingNow > 0 ? String(status.helpingNow) : '';
  if (status.state === 'paused' || status.state === 'offline') return '!';
  return '';
}

/** The browser's action badge (MV3 `action`, Firefox MV2 `browserAction`). */
export function createActionBadge(): Badge {
  return {
    async show(status) {
      const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
      await action.setBadgeText({ text: badgeText(status) });
      await action.setBadgeBackgroundColor({ color: status.state === 'connected' ? helpingColor : attentionColor });
    },
  };
}
