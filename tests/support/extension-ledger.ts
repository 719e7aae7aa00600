// Reading an extension's payment ledger (offscreen/payments/payment-ledger.ts) from one of its pages: the
// offscreen document, the browse page and the options page share the extension's IndexedDB.
import type { Page } from 'puppeteer-core';
import { paymentDatabaseName, type ChannelDay, type ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';

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

/**
 * Writes records straight into the payment ledger's IndexedDB from the page (the same origin as the
 * offscreen document), creating it with the ledger's schema if the page has not yet; `replace`
 * empties both stores first.
 */
export async function writeLedger(page: Page, channels: ChannelRecord[], days: ChannelDay[], replace: boolean): Promise<void> {
  await page.evaluate(
    async (name, channels, days, replace) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name, 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore('channels', { keyPath: 'channelId' }).createIndex('byRole', 'role');
          request.result.createObjectStore('days', { keyPath: ['day', 'channelId'] }).createIndex('byRole', 'role');
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction(['channels', 'days'], 'readwrite');
      if (replace) {
        tx.objectStore('channels').clear();
        tx.objectStore('days').clear();
      }
      for (const record of channels) tx.objectStore('channels').put(record);
      for (const row of days) tx.objectStore('days').put(row);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    paymentDatabaseName,
    channels,
    days,
    replace,
  );
}
