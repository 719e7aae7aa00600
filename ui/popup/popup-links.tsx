// Links out of the popup: the browse page, how sharing works (the first-run page) and the settings.
import type { JSX } from 'solid-js';
import { t } from '../common/i18n.ts';
import { SettingsLink } from '../common/settings-link.tsx';

/** "Open the browse page", "How sharing works" and "Settings". */
export function PopupLinks(props: { openSettings: () => void }): JSX.Element {
  return (
    <nav class="popup-links" aria-label={t('popup_links_label')}>
      <ul>
        <li>
          <a id="open-browse" href="/browse.html" target="_blank">
            {t('popup_open_browse')}
          </a>
        </li>
        <li>
          <a id="open-welcome" href="/welcome.html" target="_blank">
            {t('popup_how_sharing_works')}
          </a>
        </li>
        <li>
          <SettingsLink id="open-settings" open={props.openSettings}>
            {t('popup_open_settings')}
          </SettingsLink>
        </li>
      </ul>
    </nav>
  );
}
