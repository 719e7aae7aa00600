// "Notifications": the opt-in for being told when sharing stops by itself (off by default; the
// browser asks for permission when it is turned on).
import { createSignal, Show, type JSX } from 'solid-js';
import { offlineNoticeAfterMs } from '../../background/notification-rules.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import { setNotifications, type NotificationPermission } from './notification-toggle.ts';
import type { SettingsEditor } from './settings-editor.ts';
import { ToggleField } from './toggle-field.tsx';

/** The notifications switch, with what it tells and a line when the browser said no. */
export function NotificationsSection(props: { settings: DonorSettings; save: SettingsEditor['save']; permission: NotificationPermission }): JSX.Element {
  const [denied, setDenied] = createSignal(false);
  const save = async (on: boolean) => {
    setDenied(false);
    // Called synchronously from the change event: the permission prompt needs the click.
    const result = await setNotifications(on, props.permission, props.save);
    if (result === 'denied') {
      setDenied(true);
      return 'invalid' as const;
    }
    return result;
  };
  return (
    <section class="options-section" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">{t('notifications_heading')}</h2>
      <ToggleField
        id="notifications"
        label={t('notifications_toggle_label')}
        hint={t('notifications_toggle_hint', [Math.round(offlineNoticeAfterMs / 60_000)])}
        value={props.settings.notifications}
        save={save}
      />
      <Show when={denied()}>
        <p id="notifications-denied" class="error-text" role="alert">
          {t('notifications_denied')}
        </p>
      </Show>
    </section>
  );
}
