// The partner-site bridge: a partner's page (an NGO's campaign page, say) can offer a "Donate
// bandwidth" button. The page posts a request; this content script passes it to the extension,
// which asks the donor in its own confirmation window — the page itself can never turn sharing on.
//
// Page API (window.postMessage, same window):
//   extension -> page  { tag: 'porchlight-partner', kind: 'ready' }      (the extension is installed)
//   page -> extension  { tag: 'porchlight-partner', kind: 'donate', sponsorCode: 'NGO-1' }
//   extension -> page  { tag: 'porchlight-partner', kind: 'reply', status: 'asked' | 'refused', message? }
// Parsed by hand rather than with zod: this script runs in partner pages (content/partner-origins.ts),
// so it stays tiny.
import { isSponsorCode } from '../protocol/sponsor-code.ts';

/** Marks the bridge's messages among whatever else a page posts. */
export const partnerMessageTag = 'porchlight-partner';


/** What the page hears back. */
export type PartnerPageReply = { status: 'asked' } | { status: 'refused'; message: string };

/** Longest refusal text passed to a page. */
const maxReplyMessageChars = 300;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasExactly(record: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(record);
  return own.length === keys.length && keys.every((key) => own.includes(key));
}

/** The sponsor code of a page's donate request, or undefined for any other message. */
export function parseDonateRequest(data: unknown): string | undefined {
  if (!isRecord(data) || !hasExactly(data, ['tag', 'kind', 'sponsorCode'])) return undefined;
  if (data.tag !== partnerMessageTag || data.kind !== 'donate' || !isSponsorCode(data.sponsorCode)) return undefined;
  return data.sponsorCode;
}

/** Parses the extension's answer; anything unexpected becomes a refusal the page can show. */
export function parsePartnerReply(value: unknown): PartnerPageReply {
  if (isRecord(value) && value.status === 'asked' && hasExactly(value, ['status'])) return { status: 'asked' };
  if (isRecord(value) && value.status === 'refused' && hasExactly(value, ['status', 'message']) && typeof value.message === 'string' && value.message.length <= maxReplyMessageChars) {
    return { status: 'refused', message: value.message };
  }
  return { status: 'refused', message: 'Porchlight could not take the request.' };
}

export interface PartnerBridgeOptions {
  window: Window;
  /** Sends the request to the extension (runtime message) and resolves with its answer. */
  ask(sponsorCode: string): Promise<unknown>;
  signal: AbortSignal;
}

/** Listens for the page's requests until `signal` aborts, and tells the page the extension is here. */
export function startPartnerBridge(options: PartnerBridgeOptions): void {
  const { window: win } = options;
  const post = (message: object): void => win.postMessage({ tag: partnerMessageTag, ...message }, win.location.origin);
  let asking = false;
  win.addEventListener(
    'message',
    (event: MessageEvent) => {
      // Only the page itself, never a frame or another window.
      if (event.source !== win || event.origin !== win.location.origin) return;
      const sponsorCode = parseDonateRequest(event.data);
      if (sponsorCode === undefined || asking) return;
      asking = true;
      options
        .ask(sponsorCode)
        .then(parsePartnerReply, () => parsePartnerReply(undefined))
        .then((reply) => post({ kind: 'reply', ...reply }))
        .finally(() => {
          asking = false;
        });
    },
    { signal: options.signal },
  );
  post({ kind: 'ready' });
}
