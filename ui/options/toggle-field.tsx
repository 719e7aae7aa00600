// A yes/no setting as a labelled checkbox, saved on change.
import type { JSX } from 'solid-js';
import { describedBy, FieldHint } from './field-parts.tsx';
import type { SaveResult } from './settings-editor.ts';

/** A checkbox field: its label, hint, stored value and how to save it. */
export interface ToggleFieldProps {
  id: string;
  label: string;
  hint?: string;
  /** Show the hint as a warning (e.g. what allowing plain http means). */
  warning?: boolean;
  value: boolean;
  save: (value: boolean) => Promise<SaveResult>;
}

/** A checkbox with its label and hint. */
export function ToggleField(props: ToggleFieldProps): JSX.Element {
  const onChange = async (input: HTMLInputElement): Promise<void> => {
    const result = await props.save(input.checked);
    // Storage still holds the old value; show it again (the page says why).
    if (result !== 'saved') input.checked = props.value;
  };
  return (
    <div class="field toggle-field">
      <div class="toggle-control">
        <input
          id={props.id}
          type="checkbox"
          checked={props.value}
          aria-describedby={describedBy(props.id, Boolean(props.hint), undefined)}
          onChange={(event) => void onChange(event.currentTarget)}
        />
        <label for={props.id}>{props.label}</label>
      </div>
      <FieldHint id={props.id} text={props.hint} class={props.warning ? 'hint warning' : 'hint'} />
    </div>
  );
}
