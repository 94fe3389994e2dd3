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
