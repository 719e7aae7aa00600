// The options page: limits, schedule, sites, sponsor, notifications, advanced, earnings, identity; every change saved at once.
import { Show, type Accessor, type JSX } from 'solid-js';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import { AdvancedSection } from './advanced-section.tsx';
import { EarningsSection, type LedgerSnapshot } from './earnings-section.tsx';
import type { IdentityActions } from './identity-actions.ts';
import { IdentitySection } from './identity-section.tsx';
import { LimitsSection } from './limits-section.tsx';
import type { NotificationPermission } from './notification-toggle.ts';
import { NotificationsSection } from './notifications-section.tsx';
import { ScheduleSection } from './schedule-section.tsx';
import type { SettingsEditor } from './settings-editor.ts';
import { SitesSection } from './sites-section.tsx';
import { SponsorSection } from './sponsor-section.tsx';

/** The options page's signals and actions. */
export interface OptionsViewProps {
  settings: Accessor<DonorSettings | undefined>;
  editor: SettingsEditor;
  defaultSignalingUrl: string;
  identity: IdentityActions;
  /** Reads the donor's side of the payment ledger. */
  loadEarnings: () => Promise<LedgerSnapshot>;
  /** Saves the earnings CSV. */
  saveCsv: (fileName: string, text: string) => void;
  /** The browser's prompt for the notifications permission. */
  notificationPermission: NotificationPermission;
}

/** The whole options page. */
export function OptionsView(props: OptionsViewProps): JSX.Element {
  return (
    <main class="options">
      <h1>{t('options_title')}</h1>
      <Show when={props.settings()}>
        {(settings) => (
          <>
            <LimitsSection settings={settings()} save={props.editor.save} />
            <ScheduleSection settings={settings()} save={props.editor.save} />
            <SitesSection settings={settings()} save={props.editor.save} />
            <SponsorSection settings={settings()} save={props.editor.save} />
            <NotificationsSection settings={settings()} save={props.editor.save} permission={props.notificationPermission} />
            <AdvancedSection settings={settings()} defaultSignalingUrl={props.defaultSignalingUrl} save={props.editor.save} />
          </>
        )}
      </Show>
      <EarningsSection load={props.loadEarnings} saveCsv={props.saveCsv} />
      <IdentitySection actions={props.identity} />
      <p id="options-save-status" role="status" class={props.editor.lastResult() === 'failed' ? 'save-status error-text' : 'save-status'}>
        {props.editor.lastResult() === 'saved' ? t('options_saved') : props.editor.lastResult() === 'failed' ? t('options_save_failed') : ''}
      </p>
    </main>
  );
}
