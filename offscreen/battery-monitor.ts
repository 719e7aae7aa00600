// "Pause on battery" where the browser tells: Chrome documents have navigator.getBattery();
// Firefox removed it, so there the setting has no effect and the options page says so.
import type { BatteryMonitor } from './peers/donor-engine.ts';

interface BatteryManagerLike extends EventTarget {
  readonly charging: boolean;
}

/** A monitor over navigator.getBattery(), or one that never knows when the browser has none. */
export async function createBatteryMonitor(nav: { getBattery?: () => Promise<BatteryManagerLike> } = navigator as never): Promise<BatteryMonitor> {
  const listeners: Array<() => void> = [];
  let battery: BatteryManagerLike | undefined;
  try {
    battery = await nav.getBattery?.();
  } catch {
    battery = undefined;
  }
  battery?.addEventListener('chargingchange', () => {
    for (const listener of listeners) listener();
  });
  return {
    onBattery: () => (battery === undefined ? undefined : !battery.charging),
    onChange: (listener) => void listeners.push(listener),
  };
}
