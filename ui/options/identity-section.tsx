// "Your identity": the peer id, a backup, a restore.
import { createResource, Match, Switch, type JSX } from 'solid-js';
import { t } from '../common/i18n.ts';
import { shortPeerId } from '../common/short-peer-id.ts';
import { ExportBackupForm } from './export-backup-form.tsx';
import type { IdentityActions } from './identity-actions.ts';
import { ImportBackupForm } from './import-backup-form.tsx';

/** The identity section of the options page. */
export function IdentitySection(props: { actions: IdentityActions }): JSX.Element {
  const [peerId, { mutate }] = createResource(() => props.actions.peerId());
  return (
    <section class="options-section" aria-labelledby="identity-heading">
      <h2 id="identity-heading">{t('options_identity_heading')}</h2>
      <p>{t('options_identity_intro')}</p>
      <p class="peer-id-line">
        <span>{t('options_identity_id_label')}</span>{' '}
        <Switch>
          <Match when={peerId.error}>
            <span class="error-text">{t('options_identity_unavailable')}</span>
          </Match>
          <Match when={peerId()}>
            {(id) => (
              <code id="peer-id" class="ltr-token" title={id()}>
                {shortPeerId(id())}
              </code>
            )}
          </Match>
          <Match when={peerId.loading}>
            <span class="muted">{t('options_identity_loading')}</span>
          </Match>
        </Switch>
      </p>
      <div class="backup-forms">
        <ExportBackupForm exportBackup={props.actions.exportBackup} />
        <ImportBackupForm importBackup={props.actions.importBackup} onImported={(id) => mutate(id)} />
      </div>
    </section>
  );
}
