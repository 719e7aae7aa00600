// "Your identity": the peer id, the payment address bound to it, a backup, a restore.
import { createResource, Match, Show, Switch, type JSX } from 'solid-js';
import { t } from '../common/i18n.ts';
import { shortPeerId } from '../common/short-peer-id.ts';
import { ExportBackupForm } from './export-backup-form.tsx';
import type { IdentityActions } from './identity-actions.ts';
import { ImportBackupForm } from './import-backup-form.tsx';

/** The identity section of the options page. */
export function IdentitySection(props: { actions: IdentityActions }): JSX.Element {
  const [keys, { mutate }] = createResource(() => props.actions.current());
  return (
    <section class="options-section" aria-labelledby="identity-heading">
      <h2 id="identity-heading">{t('options_identity_heading')}</h2>
      <p>{t('options_identity_intro')}</p>
      <p class="peer-id-line">
        <span>{t('options_identity_id_label')}</span>{' '}
        <Switch>
          <Match when={keys.error}>
            <span class="error-text">{t('options_identity_unavailable')}</span>
          </Match>
          <Match when={keys()}>
            {(shown) => (
              <code id="peer-id" class="ltr-token" title={shown().peerId}>
                {shortPeerId(shown().peerId)}
              </code>
            )}
          </Match>
          <Match when={keys.loading}>
            <span class="muted">{t('options_identity_loading')}</span>
          </Match>
        </Switch>
      </p>
      <Show when={keys()}>
        {(shown) => (
          <>
            <p class="peer-id-line">
              <span>{t('options_identity_payment_label')}</span>{' '}
              <code id="payment-address" class="ltr-token" aria-describedby="payment-address-hint">
                {shown().paymentAddress}
              </code>
            </p>
            <p id="payment-address-hint" class="hint">
              {t('options_identity_payment_hint')}
            </p>
          </>
        )}
      </Show>
      <div class="backup-forms">
        <ExportBackupForm exportBackup={props.actions.exportBackup} />
        <ImportBackupForm importBackup={props.actions.importBackup} onImported={(now) => mutate(now)} />
      </div>
    </section>
  );
}
