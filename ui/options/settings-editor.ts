// Saving from the options page: every valid change is written at once (the engine watches storage
// and applies it live); an invalid one is refused by the settings schema and nothing is written.
import { createSignal, type Accessor } from 'solid-js';
import { DonorSettingsError, type DonorSettings } from '../../settings/donor-settings.ts';
import type { SettingsStore } from '../../settings/settings-store.ts';

/** How a save ended: written, refused by the schema, or storage failed. */
export type SaveResult = 'saved' | 'invalid' | 'failed';

/** Saves one change at a time; `lastResult` drives the page's "Saved." line. */
export interface SettingsEditor {
  save(patch: Partial<DonorSettings>): Promise<SaveResult>;
  lastResult: Accessor<SaveResult | undefined>;
}

/** An editor over `store`; reactive, so create it inside a Solid root. */
export function createSettingsEditor(store: SettingsStore): SettingsEditor {
  const [lastResult, setLastResult] = createSignal<SaveResult>();
  return {
    lastResult,
    async save(patch) {
      let result: SaveResult;
      try {
        await store.update(patch);
        result = 'saved';
      } catch (error) {
        result = error instanceof DonorSettingsError ? 'invalid' : 'failed';
        if (result === 'failed') console.error('porchlight: could not save settings', error);
      }
      // An invalid value is reported beside its field; the page-wide line is for saved or failed.
      if (result !== 'invalid') setLastResult(result);
      return result;
    },
  };
}
