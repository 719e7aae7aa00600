// A short text setting (sponsor code, signaling server), saved on change.
import { createEffect, createSignal, on, untrack, type JSX } from 'solid-js';
import { describedBy, FieldError, FieldHint } from './field-parts.tsx';
import type { SaveResult } from './settings-editor.ts';

/** A text field: its label, hint, error, stored value and how to save it. */
export interface TextFieldProps {
  id: string;
  label: string;
  hint?: string;
  errorText: string;
  type?: 'text' | 'url';
  /** Text direction of the value itself: codes and addresses are left-to-right in every language. */
  dir?: 'ltr' | 'auto';
  value: string;
  save: (value: string) => Promise<SaveResult>;
  /** Extra controls after the input, e.g. "Use the default server". */
  children?: JSX.Element;
}

/** A text input with its hint and error. */
export function TextField(props: TextFieldProps): JSX.Element {
  const [draft, setDraft] = createSignal(untrack(() => props.value));
  const [error, setError] = createSignal<string>();
  createEffect(
    on(
      () => props.value,
      (value) => {
        setDraft(value);
        setError(undefined);
      },
      { defer: true },
    ),
  );
  const commit = async (): Promise<void> => {
    const result = await props.save(draft().trim());
    setError(result === 'invalid' ? props.errorText : undefined);
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <div class="text-control">
        <input
          id={props.id}
          type={props.type ?? 'text'}
          dir={props.dir ?? 'auto'}
          spellcheck={false}
          autocomplete="off"
          value={draft()}
          aria-invalid={error() ? 'true' : undefined}
          aria-describedby={describedBy(props.id, Boolean(props.hint), error())}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onChange={() => void commit()}
        />
        {props.children}
      </div>
      <FieldHint id={props.id} text={props.hint} />
      <FieldError id={props.id} text={error()} />
    </div>
  );
}
