// Chrome: the offscreen document that runs the donor engine (WebRTC needs a document; the
// service worker has none). Created only after checking that it does not exist, so a worker that
// wakes many times never makes a second one.
import { browser, type Browser } from 'wxt/browser';

/** The offscreen entrypoint (extension/offscreen/index.html). */
export const offscreenDocumentPath = '/offscreen.html' as const;

let creating: Promise<void> | undefined;

/** Whether the offscreen document exists now. */
export async function offscreenDocumentExists(): Promise<boolean> {
  const url = browser.runtime.getURL(offscreenDocumentPath);
  const contexts = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as Browser.runtime.ContextType], documentUrls: [url] });
  return contexts.length > 0;
}

/** Creates the offscreen document unless it exists; resolves true when it had to be created. */
export async function ensureOffscreenDocument(): Promise<boolean> {
  if (creating) {
    await creating;
    return false;
  }
  if (await offscreenDocumentExists()) return false;
  creating = browser.offscreen
    .createDocument({
      url: offscreenDocumentPath,
      reasons: ['WEB_RTC' as Browser.offscreen.Reason],
      justification: 'Porchlight relays web requests for other people over WebRTC data channels while sharing is on.',
    })
    .catch(async (error: unknown) => {
      // Another wake-up of this worker may have created it between our check and our call.
      if (!(await offscreenDocumentExists())) throw error;
    });
  try {
    await creating;
    return true;
  } finally {
    creating = undefined;
  }
}

/** Closes the offscreen document if it exists. */
export async function closeOffscreenDocument(): Promise<void> {
  if (await offscreenDocumentExists()) await browser.offscreen.closeDocument().catch(() => {});
}
