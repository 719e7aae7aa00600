// Browser notifications when sharing stops by itself (background/notification-rules.ts says when):
// opted into on the options page, which asks for the optional `notifications` permission. Every
// engine status the background stores is looked at, and an alarm wakes the worker when only time
// would bring a notice; the memory lives in session storage, never in worker globals.
import { browser } from 'wxt/browser';
import { loadDonorStatus, watchDonorStatus, type SettingsStore } from '../settings/settings-store.ts';
import { sessionArea } from '../settings/session-area.ts';
import { formatDataSize } from '../ui/common/format-data-size.ts';
import { t } from '../ui/common/i18n.ts';
import { createNoticeWatch, type NoticeWatch } from './notice-watch.ts';
import { offlineNoticeAfterMs, parseNoticeMemory, type NoticeKind } from './notification-rules.ts';

const memoryKey = 'noticeMemory';
const noticeAlarm = 'porchlight-notice-check';
/** Whether the browser currently lets this extension show notifications (the options page asks for it). */
async function permitted(): Promise<boolean> {
  return browser.permissions.contains({ permissions: ['notifications'] }).catch(() => false);
}

/** The largest icon the manifest names, for the notification. */
function iconUrl(): string {
  const icons = (browser.runtime.getManifest().icons ?? {}) as Record<string, string>;
  const largest = Object.keys(icons)
    .map(Number)
    .filter(Number.isFinite)
    .sort((a, b) => b - a)[0];
  // Manifest icon paths are the build's own; WXT types getURL for its entrypoints only.
  return largest === undefined ? '' : (browser.runtime.getURL as (path: string) => string)(`/${icons[String(largest)]!.replace(/^\//, '')}`);
}

async function show(kind: NoticeKind, settings: SettingsStore): Promise<void> {
  // Permission can be taken back in the browser's own settings at any time.
  if (!(await permitted()) || !browser.notifications) return;
  const current = await settings.load();
  const minutes = Math.round(offlineNoticeAfterMs / 60_000);
  const content =
    kind === 'offline'
      ? { title: t('notification_offline_title'), message: t('notification_offline', [minutes]) }
      : {
          title: t('notification_paused_title'),
          message:
            kind === 'daily-cap'
              ? t('notification_daily_cap', [formatDataSize(current.dailyCapBytes ?? 0)])
              : t('notification_monthly_cap', [formatDataSize(current.monthlyCapBytes ?? 0)]),
        };
  // One notification per kind: a newer one replaces an older one still on screen.
  await browser.notifications.create(`porchlight-${kind}`, { type: 'basic', iconUrl: iconUrl(), ...content });
}

/**
 * Starts looking at every stored engine status and at its own alarm. Register synchronously at
 * startup (listeners must exist when a waking worker's event arrives).
 */
export function watchForNotices(settings: SettingsStore, signal: AbortSignal): NoticeWatch {
  const { area, name } = sessionArea();
  const watch = createNoticeWatch({
    now: Date.now,
    loadMemory: async () => parseNoticeMemory((await area.get(memoryKey))[memoryKey]),
    saveMemory: (memory) => area.set({ [memoryKey]: memory }),
    enabled: async () => (await settings.load()).notifications && (await permitted()),
    show: (kind) => show(kind, settings).catch((error: unknown) => console.warn('porchlight: could not show a notification', error)),
    wakeAt: async (at) => {
      if (at === undefined) await browser.alarms.clear(noticeAlarm);
      else await browser.alarms.create(noticeAlarm, { when: at });
    },
  });
  const check = (status: Parameters<NoticeWatch['check']>[0]): void => void watch.check(status).catch((error: unknown) => console.error('porchlight: notification check failed', error));
  watchDonorStatus(browser.storage.onChanged, name, check, signal);
  const onAlarm = (alarm: { name: string }): void => {
    if (alarm.name === noticeAlarm) void loadDonorStatus(area).then(check);
  };
  browser.alarms.onAlarm.addListener(onAlarm);
  signal.addEventListener('abort', () => browser.alarms.onAlarm.removeListener(onAlarm), { once: true });
  return watch;
}
