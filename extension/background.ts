// Placeholder background entrypoint: the extension proper (offscreen relay, popup, options,
// browse page) is built on this engine in the next milestone.
import { defineBackground } from 'wxt/utils/define-background';

export default defineBackground(() => {});
