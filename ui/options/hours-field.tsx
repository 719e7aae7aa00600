// "Share only between certain hours": a checkbox and the two times of the window.
import { createSignal, type JSX } from 'solid-js';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { t } from '../common/i18n.ts';
import { describedBy, FieldError, FieldHint } from './field-parts.tsx';
import type { SaveResult } from './settings-editor.ts';
import { minuteToTime, timeToMinute } from './setting-inputs.ts';

type Hours = DonorSettings['hours'];

/** The sharing window: on/off, from, until (local time; may run past midnight). */
export function HoursField(props: { value: Hours; save: (hours: Hours) => Promise<SaveResult> }): JSX.Element {
  const [error, setError] = createSignal<string>();
  const saveTime = async (which: 'startMinute' | 'endMinute', text: string): Promise<void> => {
    const parsed = timeToMinute(text);
    if (!parsed.ok) {
      setError(t('options_hours_error'));
      return;
    }
    const result = await props.save({ ...props.value, [which]: parsed.value });
    setError(result === 'invalid' ? t('options_hours_error') : undefined);
  };
  const timeInput = (id: string, which: 'startMinute' | 'endMinute', label: string) => (
    <span class="time-control">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="time"
        value={minuteToTime(props.value[which])}
        aria-invalid={error() ? 'true' : undefined}
        aria-describedby={describedBy('hours', true, error())}
        onChange={(event) => void saveTime(which, event.currentTarget.value)}
      />
    </span>
  );
  return (
    <div class="field hours-field">
      <div class="toggle-control">
        <input
          id="hours-enabled"
          type="checkbox"
          checked={props.value.enabled}
          aria-describedby="hours-hint"
          onChange={async (event) => {
            const input = event.currentTarget;
            if ((await props.save({ ...props.value, enabled: input.checked })) !== 'saved') input.checked = props.value.enabled;
          }}
        />
        <label for="hours-enabled" id="hours-label">
          {t('options_hours_label')}
        </label>
      </div>
      <div class="hours-times" role="group" aria-labelledby="hours-label">
        {timeInput('hours-start', 'startMinute', t('options_hours_start'))}
        {timeInput('hours-end', 'endMinute', t('options_hours_end'))}
      </div>
      <FieldHint id="hours" text={t('options_hours_hint')} />
      <FieldError id="hours" text={error()} />
    </div>
  );
}
