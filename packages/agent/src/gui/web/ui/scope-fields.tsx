// What a scan covers, as the Scan tab's form and the schedule dialog both ask it: targets,
// exclusions, and the protocols to log in with or discovery only; each with the API's error.
import { PROTOCOLS } from '@nopesight/model';
import { protocolLabel, splitList } from '../format.js';
import { describedBy, Field } from './field.js';

/** The fields as typed: targets and exclusions are the textareas' text. */
export interface Scope {
  targets: string;
  excludes: string;
  protocols: string[];
  discoveryOnly: boolean;
}

/** A scope with every protocol ticked, or the given ones (`none`: discovery only). */
export function initialScope(
  s: { targets?: string[]; excludes?: string[]; protocols?: string[] | 'none' } = {},
): Scope {
  return {
    targets: (s.targets ?? []).join('\n'),
    excludes: (s.excludes ?? []).join('\n'),
    protocols: Array.isArray(s.protocols) ? s.protocols : [...PROTOCOLS],
    discoveryOnly: s.protocols === 'none',
  };
}

/** The scope as POST /scans and the schedule routes take it (excludes only when there are some). */
export function scopeBody(scope: Scope): {
  targets: string[];
  excludes?: string[];
  protocols: string[] | 'none';
} {
  const excludes = splitList(scope.excludes);
  return {
    targets: splitList(scope.targets),
    ...(excludes.length > 0 ? { excludes } : {}),
    protocols: scope.discoveryOnly ? 'none' : scope.protocols,
  };
}

/** Targets, Exclusions and the Protocols fieldset; ids are `${id}-targets`, `${id}-excludes`. */
export function ScopeFields({
  id,
  scope,
  onChange,
  errors,
  text,
  placeholders,
  submitOnCtrlEnter,
}: {
  id: string;
  scope: Scope;
  onChange: (scope: Scope) => void;
  errors: Partial<Record<string, string>>;
  /** Hints under the fields and the discovery-only label. */
  text: { targets: string; excludes: string; protocols?: string; discoveryOnly: string };
  placeholders?: { targets: string; excludes: string };
  /** Ctrl+Enter (⌘+Enter) in the targets submits the form. */
  submitOnCtrlEnter?: boolean;
}) {
  const set = (patch: Partial<Scope>) => onChange({ ...scope, ...patch });
  const protocolsHint = `${id}-protocols-hint`;
  return (
    <>
      <AddressList
        id={`${id}-targets`}
        name="targets"
        label="Targets"
        hint={text.targets}
        error={errors.targets}
        value={scope.targets}
        placeholder={placeholders?.targets}
        onValue={(targets) => set({ targets })}
        onKeyDown={
          submitOnCtrlEnter
            ? (e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey))
                  (e.currentTarget.form as HTMLFormElement).requestSubmit();
              }
            : undefined
        }
      />
      <AddressList
        id={`${id}-excludes`}
        name="excludes"
        label="Exclusions"
        hint={text.excludes}
        error={errors.excludes}
        value={scope.excludes}
        placeholder={placeholders?.excludes}
        onValue={(excludes) => set({ excludes })}
      />
      <fieldset class="wide inline" aria-describedby={text.protocols ? protocolsHint : undefined}>
        <legend>Protocols</legend>
        {PROTOCOLS.map((p) => (
          <label class="check" key={p}>
            <input
              type="checkbox"
              name="protocol"
              value={p}
              checked={!scope.discoveryOnly && scope.protocols.includes(p)}
              disabled={scope.discoveryOnly}
              onChange={(e) =>
                set({
                  protocols: (e.target as HTMLInputElement).checked
                    ? [...scope.protocols, p]
                    : scope.protocols.filter((x) => x !== p),
                })
              }
            />
            {protocolLabel(p)}
          </label>
        ))}
        <label class="check discovery">
          <input
            type="checkbox"
            name="discoveryOnly"
            checked={scope.discoveryOnly}
            onChange={(e) => set({ discoveryOnly: (e.target as HTMLInputElement).checked })}
          />
          {text.discoveryOnly}
        </label>
        {text.protocols && (
          <small class="hint" id={protocolsHint}>
            {text.protocols}
          </small>
        )}
        {errors.protocols && (
          <small class="field-error" role="alert">
            {errors.protocols}
          </small>
        )}
      </fieldset>
    </>
  );
}

/** A textarea of addresses, ranges and names (monospace, no spellcheck). */
function AddressList({
  id,
  name,
  label,
  hint,
  error,
  value,
  placeholder,
  onValue,
  onKeyDown,
}: {
  id: string;
  name: string;
  label: string;
  hint: string;
  error: string | undefined;
  value: string;
  placeholder: string | undefined;
  onValue: (value: string) => void;
  onKeyDown?: ((e: KeyboardEvent & { currentTarget: HTMLTextAreaElement }) => void) | undefined;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={name}
        rows={3}
        class="mono"
        value={value}
        spellcheck={false}
        placeholder={placeholder}
        onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)}
        onKeyDown={onKeyDown}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, true, error)}
      />
    </Field>
  );
}
