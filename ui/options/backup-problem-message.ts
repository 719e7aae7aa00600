// The sentence a donor reads when an identity backup cannot be made or opened.
import { IdentityBackupError, minPassphraseChars, type IdentityBackupProblem } from '../../protocol/identity-backup.ts';
import { t } from '../common/i18n.ts';

/** Which import field a problem points at, for aria-invalid. */
export type BackupField = 'file' | 'passphrase';

/** The message and the field to mark for an import that failed with `error`. */
export function importProblem(error: unknown): { message: string; field?: BackupField } {
  if (!(error instanceof IdentityBackupError)) return { message: t('options_import_failed') };
  const byProblem: Record<IdentityBackupProblem, { message: string; field?: BackupField }> = {
    'passphrase-too-short': { message: t('options_import_wrong_passphrase'), field: 'passphrase' },
    'wrong-passphrase': { message: t('options_import_wrong_passphrase'), field: 'passphrase' },
    damaged: { message: t('options_import_damaged'), field: 'file' },
    'unsupported-version': { message: t('options_import_unsupported'), field: 'file' },
  };
  return byProblem[error.problem];
}

/** "The passphrase needs at least 8 characters." */
export function passphraseTooShortMessage(): string {
  return t('options_passphrase_short', [minPassphraseChars]);
}
