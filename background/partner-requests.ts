// A partner page's "Donate bandwidth" button: the request is held in session storage and the donor
// answers it in the extension's own confirmation window — a page can never turn sharing on itself.
import { browser } from 'wxt/browser';
import { partnerRequestSchema, type PartnerRequest } from '../protocol/runtime-messages.ts';
import { randomId } from '../protocol/bytes.ts';
import { sessionArea } from '../settings/session-area.ts';
import { storageKeys, type SettingsStore } from '../settings/settings-store.ts';

/** A request left unanswered this long is dropped. */
export const partnerRequestTtlMs = 10 * 60_000;
/** A page cannot open the confirmation window more often than this. */
export const partnerRequestCooldownMs = 10_000;
const confirmWindowSize = { width: 460, height: 560 };

/** What the content script hears back. */
export type PartnerReply = { status: 'asked' } | { status: 'refused'; message: string };

/** Stores the request and opens the confirmation window. */
export async function askDonor(sponsorCode: string, origin: string | undefined): Promise<PartnerReply> {
  // Test builds also accept their one loopback test origin (empty in production).
  const allowed = origin !== undefined && (/^https:\/\//.test(origin) || (__PORCHLIGHT_TEST_ORIGIN__ !== '' && origin === __PORCHLIGHT_TEST_ORIGIN__));
  if (!allowed) {
    return { status: 'refused', message: 'Only https pages may ask Porchlight to share.' };
  }
  const { area } = sessionArea();
  const pending = partnerRequestSchema.safeParse((await area.get(storageKeys.partnerRequest))[storageKeys.partnerRequest]);
  if (pending.success && Date.now() - pending.data.at < partnerRequestCooldownMs) {
    return { status: 'refused', message: 'Porchlight is already asking; answer in its window.' };
  }
  const request: PartnerRequest = { requestId: randomId(), origin, sponsorCode, at: Date.now() };
  await area.set({ [storageKeys.partnerRequest]: request });
  await browser.windows.create({ url: browser.runtime.getURL('/confirm.html'), type: 'popup', ...confirmWindowSize });
  return { status: 'asked' };
}

/** Applies the donor's answer to the pending request with `requestId`; anything else is ignored. */
export async function answerDonorRequest(settings: SettingsStore, requestId: string, accept: boolean): Promise<void> {
  const { area } = sessionArea();
  const stored = (await area.get(storageKeys.partnerRequest))[storageKeys.partnerRequest];
  const parsed = partnerRequestSchema.safeParse(stored);
  if (!parsed.success || parsed.data.requestId !== requestId) return;
  await area.remove(storageKeys.partnerRequest);
  if (!accept || Date.now() - parsed.data.at > partnerRequestTtlMs) return;
  await settings.update({ sharing: true, sponsorCode: parsed.data.sponsorCode });
}
