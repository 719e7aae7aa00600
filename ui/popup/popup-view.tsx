// The popup: the share switch, what it is doing and why, today's and lifetime figures with the caps, and links.
import { Show, type Accessor, type JSX } from 'solid-js';
import { initialDonorStatus, type DonorStatus } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import type { StoredFigures } from './donor-figures.ts';
import { DonorStats } from './donor-stats.tsx';
import type { PopupActions } from './popup-actions.ts';
import { PopupLinks } from './popup-links.tsx';
import { ShareStatus } from './share-status.tsx';
import { ShareSwitch } from './share-switch.tsx';

/** The popup's signals and actions. */
export interface PopupViewProps {
  settings: Accessor<DonorSettings | undefined>;
  status: Accessor<DonorStatus | undefined>;
  now: Accessor<number>;
  /** What the usage ledger last wrote, for while the engine is not running. */
  stored: Accessor<StoredFigures | undefined>;
  actions: PopupActions;
}

// Before the engine has reported anything: nothing shared, nobody helped.
const noStatus = initialDonorStatus(0);

/** The whole popup. */
export function PopupView(props: PopupViewProps): JSX.Element {
  const status = () => props.status() ?? noStatus;
  return (
    <main class="popup">
      <h1>{t('extName')}</h1>
      <Show when={props.settings()}>
        {(settings) => (
          <>
            <ShareSwitch sharing={settings().sharing} setSharing={props.actions.setSharing} />
            <ShareStatus
              sharing={settings().sharing}
              status={status()}
              signalingUrl={settings().signalingUrl}
              now={props.now()}
              onRetry={() => void props.actions.retryNow()}
            />
          </>
        )}
      </Show>
      <DonorStats status={status()} stored={props.stored()} settings={props.settings()} />
      <PopupLinks openSettings={() => void props.actions.openSettings()} />
    </main>
  );
}
