// An amount with a unit beside it (data caps in MiB/GiB, speed in KiB/s or MiB/s); empty means no limit.
import { createEffect, createSignal, For, on, untrack, type JSX } from 'solid-js';
import { describedBy, FieldError, FieldHint } from './field-parts.tsx';
import type { SaveResult } from './settings-editor.ts';
import { amountText, parseAmount, preferredUnit, type AmountUnit, type AmountUnits } from './setting-inputs.ts';

/** An amount field: its label, units, stored value and how to save it. */
export interface AmountFieldProps<Key extends string> {
  id: string;
  label: string;
  /** Accessible name of the unit picker. */
  unitLabel: string;
  hint?: string;
  /** Shown beside the field when the amount is refused. */
  errorText: string;
  units: AmountUnits<Key>;
  unitNames: Record<Key, string>;
  /** Stored value in bytes (or bytes per second), null for no limit. */
  value: number | null;
  save: (value: number | null) => Promise<SaveResult>;
}

/** A number input and a unit picker, saved on change. */
export function AmountField<Key extends string>(props: AmountFieldProps<Key>): JSX.Element {
  const [unit, setUnit] = createSignal<AmountUnit<Key>>(untrack(() => preferredUnit(props.value, props.units)));
  const [draft, setDraft] = createSignal(untrack(() => amountText(props.value, unit())));
  // <input type="number"> reports letters as an empty value; empty would mean "no limit".
  const [badInput, setBadInput] = createSignal(false);
  const [error, setError] = createSignal<string>();

  // A change saved here or in another tab: show it in the unit the donor is using.
  createEffect(
    on(
      () => props.value,
      (value) => {
        setDraft(amountText(value, untrack(unit)));
        setBadInput(false);
        setError(undefined);
      },
      { defer: true },
    ),
  );

  const commit = async (): Promise<void> => {
    const parsed = parseAmount(draft(), unit());
    if (badInput() || !parsed.ok) {
      setError(props.errorText);
      return;
    }
    const result = await props.save(parsed.value);
    setError(result === 'invalid' ? props.errorText : undefined);
  };

  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <div class="amount-control">
        <input
          id={props.id}
          type="number"
          inputmode="decimal"
          min="0"
          step="any"
          value={draft()}
          aria-invalid={error() ? 'true' : undefined}
          aria-describedby={describedBy(props.id, Boolean(props.hint), error())}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            setBadInput(event.currentTarget.validity.badInput);
          }}
          onChange={() => void commit()}
        />
        <select
          id={`${props.id}-unit`}
          aria-label={props.unitLabel}
          onChange={(event) => {
            const next = props.units.find((u) => u.key === event.currentTarget.value);
            if (!next) return;
            setUnit(() => next);
            // "10" MiB switched to GiB means 10 GiB: save what the donor now reads.
            if (draft().trim() !== '') void commit();
          }}
        >
          <For each={props.units}>
            {(u) => (
              <option value={u.key} selected={u.key === unit().key}>
                {props.unitNames[u.key]}
              </option>
            )}
          </For>
        </select>
      </div>
      <FieldHint id={props.id} text={props.hint} />
      <FieldError id={props.id} text={error()} />
    </div>
  );
}
