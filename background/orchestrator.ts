// The service worker's part of sharing: reads the donor's settings and the idle state, makes sure
// the engine exists while sharing is on (and comes back if it dies), hands it its configuration,
// and keeps the engine's status in session storage and on the toolbar badge. It holds no state of
// its own between wake-ups: everything it needs is read again from storage each time.
import type { DonorStatus, EngineConfig } from '../protocol/runtime-messages.ts';
import { initialDonorStatus } from '../protocol/runtime-messages.ts';
import type { IdleState } from '../settings/share-gate.ts';
import { storageKeys, type SettingsStore, type StorageAreaLike } from '../settings/settings-store.ts';

/** Where the engine runs: the offscreen document (Chrome) or this same page (Firefox). */
export interface EngineLink {
  /** Makes sure the engine exists; true when it had to be (re)started. */
  ensure(): Promise<boolean>;
  /** Hands the engine its configuration. */
  configure(config: EngineConfig): Promise<void>;
  /** Stops the engine to free its resources (sharing is off). */
  shutdown(): Promise<void>;
}

/** The toolbar badge: the live count of people helped. */
export interface Badge {
  show(status: DonorStatus): Promise<void>;
}

export interface OrchestratorOptions {
  settings: SettingsStore;
  /** storage.session: the engine's last status. */
  statusArea: StorageAreaLike;
  engine: EngineLink;
  queryIdle(): Promise<IdleState>;
  badge: Badge;
}

export interface Orchestrator {
  /** Brings the engine in line with the settings (on every wake-up, change and watchdog alarm). */
  sync(): Promise<void>;
  /** Stores and shows a status the engine reported. */
  onStatus(status: DonorStatus): Promise<void>;
}

/** Creates the orchestrator; nothing happens until `sync`. */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  const { engine } = options;
  // Wake-ups come in bursts (install + alarm + storage change); one sync at a time, the last one wins.
  let running: Promise<void> = Promise.resolve();

  async function saveStatus(status: DonorStatus): Promise<void> {
    await options.statusArea.set({ [storageKeys.status]: status });
    await options.badge.show(status);
  }

  async function syncOnce(): Promise<void> {
    const settings = await options.settings.load();
    const idleState = await options.queryIdle();
    if (settings.sharing) {
      if (await engine.ensure()) await saveStatus({ ...initialDonorStatus(Date.now()), state: 'starting' });
      await engine.configure({ settings, idleState });
    } else {
      await engine.configure({ settings, idleState }).catch(() => {});
      await engine.shutdown();
      await saveStatus(initialDonorStatus(Date.now()));
    }
  }

  return {
    sync() {
      running = running.catch(() => {}).then(syncOnce);
      return running;
    },
    onStatus: saveStatus,
  };
}
