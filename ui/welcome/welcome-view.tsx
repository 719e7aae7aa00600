// The first-run page: what sharing does, what the donor's browser will and will not fetch, what the
// signaling server sees, the internet provider's question, and the popup's own share switch.
import { Show, type Accessor, type JSX } from 'solid-js';
import { initialDonorStatus, type DonorStatus } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t, type MessageKey } from '../common/i18n.ts';
import { SettingsLink } from '../common/settings-link.tsx';
import type { PopupActions } from '../popup/popup-actions.ts';
import { ShareStatus } from '../popup/share-status.tsx';
import { ShareSwitch } from '../popup/share-switch.tsx';

/** The page's signals and actions (the popup's, so the switch behaves the same in both). */
export interface WelcomeViewProps {
  settings: Accessor<DonorSettings | undefined>;
  status: Accessor<DonorStatus | undefined>;
  now: Accessor<number>;
  actions: PopupActions;
}

// Before the engine has reported anything.
const noStatus = initialDonorStatus(0);

/** One titled section of short sentences. */
function Points(props: { id: string; heading: MessageKey; points: readonly MessageKey[] }): JSX.Element {
  return (
    <section class="welcome-section" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{t(props.heading)}</h2>
      <ul>
        {props.points.map((key) => (
          <li>{t(key)}</li>
        ))}
      </ul>
    </section>
  );
}

/** The whole first-run page. */
export function WelcomeView(props: WelcomeViewProps): JSX.Element {
  return (
    <main class="welcome">
      <h1>{t('welcome_title')}</h1>
      <p class="welcome-intro">{t('welcome_intro')}</p>
      <Points id="welcome-fetch" heading="welcome_fetch_heading" points={['welcome_fetch_public', 'welcome_fetch_not_local', 'welcome_fetch_not_you', 'welcome_fetch_limits']} />
      <Points id="welcome-server" heading="welcome_server_heading" points={['welcome_server_sees', 'welcome_server_never']} />
      <Points id="welcome-isp" heading="welcome_isp_heading" points={['welcome_isp_address', 'welcome_isp_terms']} />
      <section class="welcome-section welcome-switch" aria-labelledby="welcome-switch-heading">
        <h2 id="welcome-switch-heading">{t('welcome_switch_heading')}</h2>
        <Show when={props.settings()}>
          {(settings) => (
            <>
              <ShareSwitch sharing={settings().sharing} setSharing={props.actions.setSharing} />
              <ShareStatus
                sharing={settings().sharing}
                status={props.status() ?? noStatus}
                signalingUrl={settings().signalingUrl}
                now={props.now()}
                onRetry={() => void props.actions.retryNow()}
              />
            </>
          )}
        </Show>
        <p class="muted">{t('confirm_switch_off')}</p>
        <p>
          <SettingsLink id="welcome-open-settings" open={() => void props.actions.openSettings()}>
            {t('welcome_open_settings')}
          </SettingsLink>
        </p>
      </section>
    </main>
  );
}
