// A labelled form field with its hint and the API's error for it (aria-describedby wires both).
import type { ComponentChildren } from 'preact';

let counter = 0;
/** A stable-enough unique id for label/input pairs. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function Field({
  id,
  label,
  hint,
  error,
  children,
  wide,
}: {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
  wide?: boolean;
}) {
  return (
    <div class={`field${wide ? ' wide' : ''}${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      {error && (
        <small class="field-error" id={`${id}-error`} role="alert" data-field-error>
          {error}
        </small>
      )}
    </div>
  );
}

/** aria-describedby for an input inside Field. */
export function describedBy(
  id: string,
  hint: boolean,
  error: string | undefined,
): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter((s) => s !== '');
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** What a TextField passes to its input as given. */
export interface TextInputAttributes {
  name: string;
  class?: string;
  type?: 'text' | 'number';
  placeholder?: string;
  required?: boolean;
  readOnly?: boolean;
  min?: number;
  max?: number;
  inputMode?: 'numeric' | 'text';
  pattern?: string;
  /** A datalist's id (TextField's children). */
  list?: string;
  autoFocus?: boolean;
}

/**
 * A Field holding one text input: `onValue` gets what is typed, the hint and the error are
 * wired to it; the input attributes in `TextInputAttributes` pass through.
 *
 * @example
 *   <TextField id="sch-cron" name="cron" label="Cron" hint="Five fields." value={cron} onValue={setCron} />
 */
export function TextField({
  id,
  label,
  hint,
  error,
  value,
  onValue,
  children,
  ...input
}: {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  /** After the input, inside the field (a datalist). */
  children?: ComponentChildren;
} & TextInputAttributes) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input
        {...input}
        id={id}
        value={value}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint !== undefined, error)}
      />
      {children}
    </Field>
  );
}
