// Catching what a browser saves: downloads go to a fresh temporary folder (CDP
// Browser.setDownloadBehavior), and `completed` settles with the browser's own verdict.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';

export interface DownloadCatcher {
  /** The folder downloads are saved in. */
  readonly dir: string;
  /** Resolves when the browser reports a download completed; rejects if it cancels one. */
  readonly completed: Promise<void>;
  /** Stops catching and removes the folder. */
  close(): Promise<void>;
}

/** Sends `browser`'s downloads to a new temporary folder. */
export async function catchDownloads(browser: Browser): Promise<DownloadCatcher> {
  const dir = await mkdtemp(join(tmpdir(), 'porchlight-downloads-'));
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true });
  const completed = new Promise<void>((resolve, reject) => {
    cdp.on('Browser.downloadProgress', (event) => {
      if (event.state === 'completed') resolve();
      if (event.state === 'canceled') reject(new Error('the browser cancelled the download'));
    });
  });
  completed.catch(() => {}); // observed by whoever awaits it
  return {
    dir,
    completed,
    async close() {
      await cdp.detach().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
