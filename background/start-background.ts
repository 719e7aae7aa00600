// Wires the background context: the settings store, the engine link (offscreen document on
// Chrome, the engine in this page on Firefox), the watchdog alarm, idle state, the context menu,
// partner requests, the first-run page and the opt-in notifications. Listeners are registered
// synchronously so a waking worker hears its event.
import { browser } from 'wxt/browser';
import { parseRuntimeMessage, type RuntimeMessage } from '../protocol/runtime-messages.ts';
import type { IdleState } from '../settings/share-gate.ts';
import { sessionArea } from '../settings/session-area.ts';
import { createSettingsStore } from '../settings/settings-store.ts';
import { createActionBadge } from './badge.ts';
import { watchExitAddresses, type AddressReporter } from './exit-guards.ts';
import { handleContextMenuClicks, registerContextMenu } from './context-menu.ts';
import { watchForNotices } from './notifications.ts';
import { createOrchestrator, type EngineLink } from './orchestrator.ts';
import { answerDonorRequest, askDonor } from './partner-requests.ts';

/** The watchdog: while sharing is on, the engine is checked (and recreated) this often. Chrome's minimum is 30 s. */
export const watchdogPeriodMinutes = 0.5;
const watchdogAlarm = 'porchlight-watchdog';
/** Seconds without input before the browser calls the computer idle. */
export const idleDetectionSeconds = 60;

export interface BackgroundOptions {
  engine: EngineLink;
  /** Where the addresses (and redirect targets) of the exit's requests go (the engine's address gate). */
  reportAddress: AddressReporter;
  /** Messages the engine answers itself when it lives in this context (Firefox); undefined otherwise. */
  localEngineMessage?: (message: RuntimeMessage) => Promise<unknown> | undefined;
}

/** Starts the background context; returns the orchestrator's status sink for a local engine. */
export function startBackground(options: BackgroundOptions): ReturnType<typeof createOrchestrator> {
  const settings = createSettingsStore(browser.storage.local, browser.storage.onChanged, __PORCHLIGHT_SIGNALING_URL__);
  const orchestrator = createOrchestrator({
    settings,
    statusArea: sessionArea().area,
    engine: options.engine,
    queryIdle: () => browser.idle.queryState(idleDetectionSeconds) as Promise<IdleState>,
    badge: createActionBadge(),
  });
  const sync = (): void => void orchestrator.sync().catch((error: unknown) => console.error('porchlight: sync failed', error));
  const lifetime = new AbortController();

  browser.idle.setDetectionInterval(idleDetectionSeconds);
  browser.idle.onStateChanged.addListener(sync);
  settings.watch(sync, lifetime.signal);
  watchForNotices(settings, lifetime.signal);
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === watchdogAlarm) sync();
  });
  browser.runtime.onInstalled.addListener((details) => {
    registerContextMenu();
    // A fresh install explains what sharing does before anything is shared; an update says nothing.
    if (details.reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html') }).catch((error: unknown) => console.error('porchlight: could not open the first-run page', error));
    sync();
  });
  browser.runtime.onStartup.addListener(sync);
  handleContextMenuClicks(lifetime.signal);
  watchExitAddresses(options.reportAddress, lifetime.signal);

  browser.runtime.onMessage.addListener((raw: unknown, sender: { origin?: string; url?: string; tab?: unknown; id?: string }) => {
    if (sender.id !== browser.runtime.id) return undefined;
    const message = parseRuntimeMessage(raw);
    if (!message) return undefined;
    // Content scripts live in web pages: the only thing they may ask is a partner's request.
    const fromWebPage = sender.url !== undefined && !sender.url.startsWith(browser.runtime.getURL('/'));
    if (fromWebPage && message.type !== 'partner-donate') return undefined;
    switch (message.type) {
      case 'exit-fetch-starting':
        // Answering is the point: the worker is up, its webRequest listener with it.
        return Promise.resolve({ ok: true });
      case 'engine-status':
        return orchestrator.onStatus(message.status).then(() => undefined);
      case 'engine-ready':
      case 'retry-now':
        sync();
        return options.localEngineMessage?.(message);
      case 'partner-donate':
        // The origin comes from the browser, never from the page.
        return askDonor(message.sponsorCode, sender.origin ?? (sender.url ? new URL(sender.url).origin : undefined));
      case 'partner-answer':
        return answerDonorRequest(settings, message.requestId, message.accept);
      default:
        return options.localEngineMessage?.(message);
    }
  });

  void browser.alarms.create(watchdogAlarm, { periodInMinutes: watchdogPeriodMinutes });
  sync();
  return orchestrator;
}
