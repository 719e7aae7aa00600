// Pieces every options field shares: its hint and its error, tied to the control by ids.
import { Show, type JSX } from 'solid-js';

/** The ids a control lists in aria-describedby: its hint, and its error while there is one. */
export function describedBy(id: string, hasHint: boolean, error: string | undefined): string | undefined {
  const ids = [hasHint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** The hint under a control (id `<id>-hint`), if any. */
export function FieldHint(props: { id: string; text?: string | undefined; class?: string }): JSX.Element {
  return (
    <Show when={props.text}>
      <p id={`${props.id}-hint`} class={props.class ?? 'hint'}>
        {props.text}
      </p>
    </Show>
  );
}

/** The error beside a control (id `<id>-error`), present only while there is one. */
export function FieldError(props: { id: string; text: string | undefined }): JSX.Element {
  return (
    <Show when={props.text}>
      <p id={`${props.id}-error`} class="error-text field-error">
        {props.text}
      </p>
    </Show>
  );
}
