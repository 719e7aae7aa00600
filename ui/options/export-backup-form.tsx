// "Back up your identity": a passphrase asked twice, then a download.
import { createSignal, Show, type JSX } from 'solid-js';
import { isPassphraseLongEnough, minPassphraseChars } from '../../protocol/identity-backup.ts';
import { t } from '../common/i18n.ts';
import { passphraseTooShortMessage } from './backup-problem-message.ts';
import { describedBy, FieldError } from './field-parts.tsx';
import type { IdentityActions } from './identity-actions.ts';

/** The export form; checks the passphrase, then encrypts and downloads. */
export function ExportBackupForm(props: { exportBackup: IdentityActions['exportBackup'] }): JSX.Element {
  const [passphrase, setPassphrase] = createSignal('');
  const [repeat, setRepeat] = createSignal('');
  const [shortError, setShortError] = createSignal<string>();
  const [mismatchError, setMismatchError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<{ ok: boolean; text: string }>();

  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    setResult(undefined);
    setShortError(isPassphraseLongEnough(passphrase()) ? undefined : passphraseTooShortMessage());
    setMismatchError(passphrase() === repeat() ? undefined : t('options_passphrase_mismatch'));
    if (shortError() || mismatchError()) return;
    setBusy(true);
    try {
      const fileName = await props.exportBackup(passphrase());
      setPassphrase('');
      setRepeat('');
      setResult({ ok: true, text: t('options_export_done', [fileName]) });
    } catch (error) {
      console.error('porchlight: export failed', error);
      setResult({ ok: false, text: t('options_export_failed') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="backup-form" id="export-form" aria-labelledby="export-heading" onSubmit={(event) => void submit(event)}>
      <h3 id="export-heading">{t('options_export_heading')}</h3>
      <p class="hint">{t('options_export_intro')}</p>
      <div class="field">
        <label for="export-passphrase">{t('options_passphrase_label')}</label>
        <input
          id="export-passphrase"
          type="password"
          autocomplete="new-password"
          value={passphrase()}
          aria-invalid={shortError() ? 'true' : undefined}
          aria-describedby={describedBy('export-passphrase', true, shortError())}
          onInput={(event) => setPassphrase(event.currentTarget.value)}
        />
        <p id="export-passphrase-hint" class="hint">
          {t('options_passphrase_hint', [minPassphraseChars])}
        </p>
        <FieldError id="export-passphrase" text={shortError()} />
      </div>
      <div class="field">
        <label for="export-passphrase-repeat">{t('options_passphrase_repeat_label')}</label>
        <input
          id="export-passphrase-repeat"
          type="password"
          autocomplete="new-password"
          value={repeat()}
          aria-invalid={mismatchError() ? 'true' : undefined}
          aria-describedby={describedBy('export-passphrase-repeat', false, mismatchError())}
          onInput={(event) => setRepeat(event.currentTarget.value)}
        />
        <FieldError id="export-passphrase-repeat" text={mismatchError()} />
      </div>
      <button type="submit" id="export-button" disabled={busy()}>
        {busy() ? t('options_export_working') : t('options_export_button')}
      </button>
      <p id="export-result" role="status" class={result()?.ok === false ? 'error-text' : 'success-text'}>
        <Show when={result()}>{(shown) => shown().text}</Show>
      </p>
    </form>
  );
}
