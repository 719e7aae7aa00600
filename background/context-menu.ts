// "Open through Porchlight" on links and pages: opens the browse page on that address.
import { browser } from 'wxt/browser';

const menuItemId = 'open-through-porchlight';

/** Registers the menu item (on install and update; menus persist across worker restarts). */
export function registerContextMenu(): void {
  browser.contextMenus.removeAll(() => {
    browser.contextMenus.create({
      id: menuItemId,
      // Message keys come from locales/ (merged at build), which WXT's generated key type does not see.
      title: (browser.i18n.getMessage as (key: string) => string)('contextMenuOpenThrough'),
      contexts: ['link', 'page'],
      // Only addresses a donor could fetch; the exit policy checks the rest.
      documentUrlPatterns: ['http://*/*', 'https://*/*'],
      targetUrlPatterns: ['http://*/*', 'https://*/*'],
    });
  });
}

/** The browse page address that opens `target`. */
export function browseUrlFor(target: string): string {
  return `${browser.runtime.getURL('/browse.html')}?url=${encodeURIComponent(target)}`;
}

/** Opens clicked links and pages in the browse page. */
export function handleContextMenuClicks(signal: AbortSignal): void {
  const onClicked = (info: { menuItemId: string | number; linkUrl?: string; pageUrl?: string }): void => {
    if (info.menuItemId !== menuItemId) return;
    const target = info.linkUrl ?? info.pageUrl;
    if (target) void browser.tabs.create({ url: browseUrlFor(target) });
  };
  browser.contextMenus.onClicked.addListener(onClicked);
  signal.addEventListener('abort', () => browser.contextMenus.onClicked.removeListener(onClicked), { once: true });
}
