// The toolbar: the Porchlight mark lit, dimmed or grey for sharing on, paused or off, and the badge
// with how many people this donor is helping now, or a mark when sharing is on but not working
// (paused or offline), so the state is visible without opening the popup.
import { browser } from 'wxt/browser';
import type { DonorStatus } from '../protocol/runtime-messages.ts';
import { iconPathMap, toolbarIconSizes, type IconVariant } from './icon-files.ts';
import type { Badge } from './orchestrator.ts';

const helpingColor = '#1a7f37';
const attentionColor = '#9a6700';

/** The badge text for a status: the live count, '!' when paused or offline, empty when off or idle. */
export function badgeText(status: DonorStatus): string {
  if (status.state === 'connected') return status.helpingNow > 0 ? String(status.helpingNow) : '';
  if (status.state === 'paused' || status.state === 'offline') return '!';
  return '';
}

/**
 * The toolbar icon for a status: lit while sharing is on (connecting or connected), dimmed while it
 * is on but not sharing (paused by a cap, the hours or the battery; or the server cannot be
 * reached), grey when sharing is off.
 */
export function toolbarIconVariant(status: DonorStatus): IconVariant {
  switch (status.state) {
    case 'connected':
    case 'starting':
      return 'on';
    case 'paused':
    case 'offline':
      return 'paused';
    case 'off':
      return 'off';
  }
}

/** `action.setIcon`'s paths for a variant, from the extension's root. */
export function toolbarIconPaths(variant: IconVariant): Record<string, string> {
  const paths = iconPathMap(variant, toolbarIconSizes);
  return Object.fromEntries(Object.entries(paths).map(([size, path]) => [size, `/${path}`]));
}

/** The browser's action badge and icon (MV3 `action`, Firefox MV2 `browserAction`). */
export function createActionBadge(): Badge {
  // Only to skip redundant setIcon calls (status reports are frequent); a fresh worker sets it again.
  let shownVariant: IconVariant | undefined;
  return {
    async show(status) {
      const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
      await action.setBadgeText({ text: badgeText(status) });
      await action.setBadgeBackgroundColor({ color: status.state === 'connected' ? helpingColor : attentionColor });
      const variant = toolbarIconVariant(status);
      if (variant !== shownVariant) {
        await action.setIcon({ path: toolbarIconPaths(variant) });
        shownVariant = variant;
      }
    },
  };
}
