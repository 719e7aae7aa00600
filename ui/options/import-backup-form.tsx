// "Restore from a backup": a file and its passphrase; says plainly what happened.
import { createSignal, Show, type JSX } from 'solid-js';
import { shortPeerId } from '../common/short-peer-id.ts';
import { t } from '../common/i18n.ts';
import { importProblem, type BackupField } from './backup-problem-message.ts';
import type { IdentityActions, IdentitySummary } from './identity-actions.ts';

/** The import form; on success reports the keys now in use through `onImported`. */
export function ImportBackupForm(props: { importBackup: IdentityActions['importBackup']; onImported: (now: IdentitySummary) => void }): JSX.Element {
  const [passphrase, setPassphrase] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [invalidField, setInvalidField] = createSignal<BackupField>();
  const [result, setResult] = createSignal<{ ok: boolean; text: string }>();
  let fileInput: HTMLInputElement | undefined;

  const invalid = (field: BackupField) => (invalidField() === field ? 'true' : undefined);
  const describe = (field: BackupField) => (invalidField() === field ? 'import-result' : undefined);

  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    setResult(undefined);
    setInvalidField(undefined);
    const file = fileInput?.files?.[0];
    if (!file) {
      setInvalidField('file');
      setResult({ ok: false, text: t('options_import_no_file') });
      return;
    }
    setBusy(true);
    try {
      const now = await props.importBackup(file, passphrase());
      setPassphrase('');
      setResult({ ok: true, text: t('options_import_done', [shortPeerId(now.peerId)]) });
      props.onImported(now);
    } catch (error) {
      const problem = importProblem(error);
      if (!problem.field) console.error('porchlight: import failed', error);
      setInvalidField(problem.field);
      setResult({ ok: false, text: problem.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="backup-form" id="import-form" aria-labelledby="import-heading" onSubmit={(event) => void submit(event)}>
      <h3 id="import-heading">{t('options_import_heading')}</h3>
      <p class="hint">{t('options_import_intro')}</p>
      <div class="field">
        <label for="import-file">{t('options_import_file_label')}</label>
        <input
          id="import-file"
          type="file"
          accept=".json,application/json"
          ref={fileInput}
          aria-invalid={invalid('file')}
          aria-describedby={describe('file')}
        />
      </div>
      <div class="field">
        <label for="import-passphrase">{t('options_import_passphrase_label')}</label>
        <input
          id="import-passphrase"
          type="password"
          autocomplete="current-password"
          value={passphrase()}
          aria-invalid={invalid('passphrase')}
          aria-describedby={describe('passphrase')}
          onInput={(event) => setPassphrase(event.currentTarget.value)}
        />
      </div>
      <button type="submit" id="import-button" disabled={busy()}>
        {busy() ? t('options_import_working') : t('options_import_button')}
      </button>
      <p id="import-result" role="status" class={result()?.ok === false ? 'error-text' : 'success-text'}>
        <Show when={result()}>{(shown) => shown().text}</Show>
      </p>
    </form>
  );
}
