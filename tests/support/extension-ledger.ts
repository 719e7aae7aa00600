// Reading an extension's payment ledger (offscreen/payments/payment-ledger.ts) from one of its pages: the
// offscreen document, the browse page and the options page share the extension's IndexedDB.
import type { Page } from 'puppeteer-core';
import type { ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';

/** Every channel in the payment ledger of the extension page `page` ([] before the ledger exists). */
export function readChannels(page: Page): Promise<ChannelRecord[]> {
  return page.evaluate(async () => {
    // Opening a database that does not exist would create it without its stores; look first.
    if (!(await indexedDB.databases()).some((d) => d.name === 'porchlight-payments')) return [];
    return new Promise<ChannelRecord[]>((resolve, reject) => {
      const request = indexedDB.open('porchlight-payments');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const all = db.transaction('channels').objectStore('channels').getAll();
        all.onsuccess = () => {
          resolve(all.result as ChannelRecord[]);
          db.close();
        };
        all.onerror = () => reject(all.error);
      };
    });
  });
}
