// A whole number in a range, e.g. the most people served at once.
import { createEffect, createSignal, on, untrack, type JSX } from 'solid-js';
import { describedBy, FieldError, FieldHint } from './field-parts.tsx';
import type { SaveResult } from './settings-editor.ts';
import { parseWholeNumber } from './setting-inputs.ts';

/** A whole-number field: its label, range, stored value and how to save it. */
export interface WholeNumberFieldProps {
  id: string;
  label: string;
  hint?: string;
  errorText: string;
  min: number;
  max: number;
  value: number;
  save: (value: number) => Promise<SaveResult>;
}

/** A number input saved on change; out-of-range values are refused by the settings schema. */
export function WholeNumberField(props: WholeNumberFieldProps): JSX.Element {
  const [draft, setDraft] = createSignal(untrack(() => String(props.value)));
  const [error, setError] = createSignal<string>();
  createEffect(
    on(
      () => props.value,
      (value) => {
        setDraft(String(value));
        setError(undefined);
      },
      { defer: true },
    ),
  );

  const commit = async (input: HTMLInputElement): Promise<void> => {
    const parsed = parseWholeNumber(draft());
    if (input.validity.badInput || !parsed.ok) {
      setError(props.errorText);
      return;
    }
    const result = await props.save(parsed.value);
    setError(result === 'invalid' ? props.errorText : undefined);
  };

  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        inputmode="numeric"
        min={props.min}
        max={props.max}
        step="1"
        value={draft()}
        aria-invalid={error() ? 'true' : undefined}
        aria-describedby={describedBy(props.id, Boolean(props.hint), error())}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onChange={(event) => void commit(event.currentTarget)}
      />
      <FieldHint id={props.id} text={props.hint} />
      <FieldError id={props.id} text={error()} />
    </div>
  );
}
