// The extension's icon files, one list for the build (wxt.config.ts renders them from
// assets/icons/porchlight-<variant>.svg) and for the toolbar (badge.ts switches between them).
// Plain data: imported by the build config in Node as well as by the service worker.

/** The three looks of the mark: sharing on (lit), paused or not connected (dimmed), off (grey). */
export const iconVariants = ['on', 'paused', 'off'] as const;
export type IconVariant = (typeof iconVariants)[number];

/** Pixel sizes rendered for every variant (the stores want 128; toolbars use 16 and 32, 2x screens 32 and 64). */
export const iconSizes = [16, 32, 48, 96, 128] as const;
export type IconSize = (typeof iconSizes)[number];

/** Sizes handed to the toolbar: browsers pick by screen density. */
export const toolbarIconSizes = [16, 32, 48] as const satisfies readonly IconSize[];

/** The variant the store listing and the browser's extension pages show. */
export const storeIconVariant: IconVariant = 'on';
/** The toolbar's look before the service worker first reports a status: a fresh install is off. */
export const defaultToolbarVariant: IconVariant = 'off';

/** The path of one rendered icon inside the built extension, e.g. `icons/on-16.png`. */
export function iconPath(variant: IconVariant, size: IconSize): string {
  return `icons/${variant}-${size}.png`;
}

/** A manifest-style map from size to path, for `icons`, `default_icon` and `action.setIcon`. */
export function iconPathMap(variant: IconVariant, sizes: readonly IconSize[]): Record<string, string> {
  return Object.fromEntries(sizes.map((size) => [String(size), iconPath(variant, size)]));
}
