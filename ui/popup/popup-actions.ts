// What the popup can do. Built from injected parts so the popup view never touches browser APIs.
import type { RuntimeMessage } from '../../protocol/runtime-messages.ts';
import type { SettingsStore } from '../../settings/settings-store.ts';

/** The popup's actions. */
export interface PopupActions {
  /** Flips the share switch; rejects when the setting could not be saved. */
  setSharing(on: boolean): Promise<void>;
  /** Asks the engine to reconnect now. */
  retryNow(): Promise<void>;
  /** Opens the options page and closes the popup. */
  openSettings(): Promise<void>;
}

/** What the popup actions need: the settings store, runtime messages, the options page, closing. */
export interface PopupActionDeps {
  settings: SettingsStore;
  send: (message: RuntimeMessage) => Promise<unknown>;
  openOptionsPage: () => Promise<void>;
  closePopup: () => void;
}

/** The popup's actions over the settings store and runtime messages. */
export function makePopupActions(deps: PopupActionDeps): PopupActions {
  return {
    async setSharing(on) {
      await deps.settings.update({ sharing: on });
    },
    async retryNow() {
      try {
        await deps.send({ type: 'retry-now' });
      } catch (error) {
        // The status line keeps saying what is wrong; nothing more useful to show here.
        console.warn('porchlight: retry request not delivered', error);
      }
    },
    async openSettings() {
      await deps.openOptionsPage();
      deps.closePopup();
    },
  };
}
