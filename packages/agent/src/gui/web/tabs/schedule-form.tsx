// The add/edit schedule dialog: timing (daily, weekly, every N hours or cron), time zone, targets,
// protocols, blackout windows and stagger, in the shape schedules.put and the CLI validate.
import { PROTOCOLS } from '@nopesight/model';
import { useMemo, useState } from 'preact/hooks';
import { request } from '../api.js';
import { useSubmit } from '../hooks.js';
import { splitList } from '../format.js';
import type { ScheduleView } from '../types.js';
import { Dialog } from '../ui/dialog.js';
import { describedBy, Field } from '../ui/field.js';
import { PROTOCOL_LABEL } from './scan.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Kind = 'daily' | 'weekly' | 'everyHours' | 'cron';
const FIELDS = [
  'name',
  'daily',
  'weekly',
  'everyHours',
  'cron',
  'timezone',
  'blackouts',
  'staggerSeconds',
  'targets',
  'excludes',
  'protocols',
  'ports',
  'timing',
];

function kindOf(s: ScheduleView | null): Kind {
  if (!s) return 'daily';
  if (s.weekly) return 'weekly';
  if (s.everyHours !== undefined) return 'everyHours';
  if (s.cron) return 'cron';
  return 'daily';
}

export function ScheduleDialog({
  schedule,
  onClose,
  onSaved,
}: {
  schedule: ScheduleView | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const s = schedule;
  const [name, setName] = useState(s?.name ?? '');
  const [kind, setKind] = useState<Kind>(kindOf(s));
  const [at, setAt] = useState(s?.daily ?? s?.weekly?.at ?? '02:00');
  const [days, setDays] = useState<string[]>(s?.weekly?.days ?? ['mon']);
  const [hours, setHours] = useState(String(s?.everyHours ?? 6));
  const [cron, setCron] = useState(s?.cron ?? '0 2 * * *');
  const [timezone, setTimezone] = useState(s?.timezone ?? '');
  const [targets, setTargets] = useState((s?.targets ?? []).join('\n'));
  const [excludes, setExcludes] = useState((s?.excludes ?? []).join('\n'));
  const [protocols, setProtocols] = useState<string[]>(
    Array.isArray(s?.protocols) ? s.protocols : [...PROTOCOLS],
  );
  const [discoveryOnly, setDiscoveryOnly] = useState(s?.protocols === 'none');
  const [blackouts, setBlackouts] = useState((s?.blackouts ?? []).join(', '));
  const [stagger, setStagger] = useState(s?.staggerSeconds ? String(s.staggerSeconds) : '');
  const [enabled, setEnabled] = useState(s?.enabled ?? true);
  const { errors, busy, run } = useSubmit();
  const zones = useMemo(() => {
    try {
      return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf(
        'timeZone',
      );
    } catch {
      return [];
    }
  }, []);
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      name: name.trim(),
      targets: splitList(targets),
      enabled,
    };
    if (s?.id) body.id = s.id;
    if (kind === 'daily') body.daily = at.trim();
    if (kind === 'weekly') body.weekly = { days, at: at.trim() };
    if (kind === 'everyHours')
      body.everyHours = /^\d+$/.test(hours.trim()) ? Number(hours.trim()) : hours.trim();
    if (kind === 'cron') body.cron = cron.trim();
    if (timezone.trim() !== '') body.timezone = timezone.trim();
    const ex = splitList(excludes);
    if (ex.length > 0) body.excludes = ex;
    body.protocols = discoveryOnly ? 'none' : protocols;
    const bl = blackouts
      .split(/[\s,]+/)
      .map((b) => b.trim())
      .filter((b) => b !== '');
    if (bl.length > 0) body.blackouts = bl;
    if (stagger.trim() !== '')
      body.staggerSeconds = /^\d+$/.test(stagger.trim()) ? Number(stagger.trim()) : stagger.trim();
    if (s?.ports) body.ports = s.ports;
    const r = await run(
      () =>
        s
          ? request('PUT', `/schedules/${encodeURIComponent(s.name)}`, body)
          : request('POST', '/schedules', body),
      FIELDS,
    );
    if (r !== undefined) onSaved();
  };

  const err = (k: string) => errors[k];
  const timingError =
    err('daily') ?? err('weekly') ?? err('everyHours') ?? err('cron') ?? err('timing');

  return (
    <Dialog
      title={s ? `Edit schedule ${s.name}` : 'Add schedule'}
      onClose={onClose}
      wide
      name="schedule"
    >
      <form class="grid-form" onSubmit={submit} data-form="schedule" novalidate>
        <Field id="sch-name" label="Name" hint="Unique, e.g. nightly-dc1." error={err('name')}>
          <input
            id="sch-name"
            name="name"
            value={name}
            required
            readOnly={s !== null}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
            aria-describedby={describedBy('sch-name', true, err('name'))}
          />
        </Field>
        <Field
          id="sch-enabled"
          label="Enabled"
          hint="A disabled schedule is kept but does not run."
        >
          <label class="check">
            <input
              id="sch-enabled"
              type="checkbox"
              name="enabled"
              checked={enabled}
              onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)}
            />
            Run on schedule
          </label>
        </Field>
        <fieldset class="wide inline" aria-describedby="sch-timing-hint">
          <legend>Runs</legend>
          {(
            [
              ['daily', 'Daily'],
              ['weekly', 'Weekly'],
              ['everyHours', 'Every N hours'],
              ['cron', 'Cron expression'],
            ] as const
          ).map(([k, label]) => (
            <label class="check" key={k}>
              <input
                type="radio"
                name="timingKind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />
              {label}
            </label>
          ))}
          <small class="hint" id="sch-timing-hint">
            Clock times are 24-hour, in the schedule's time zone.
          </small>
        </fieldset>
        {kind === 'weekly' && (
          <fieldset class="wide inline days">
            <legend>Days</legend>
            {DAYS.map((d) => (
              <label class="check" key={d}>
                <input
                  type="checkbox"
                  name="day"
                  value={d}
                  checked={days.includes(d)}
                  onChange={(e) =>
                    setDays(
                      (e.target as HTMLInputElement).checked
                        ? DAYS.filter((x) => x === d || days.includes(x))
                        : days.filter((x) => x !== d),
                    )
                  }
                />
                {d[0]!.toUpperCase() + d.slice(1)}
              </label>
            ))}
          </fieldset>
        )}
        {(kind === 'daily' || kind === 'weekly') && (
          <Field id="sch-at" label="At (HH:MM)" hint="e.g. 02:30" error={timingError}>
            <input
              id="sch-at"
              name="at"
              class="mono"
              value={at}
              inputMode="numeric"
              pattern="\d{1,2}:\d{2}"
              onInput={(e) => setAt((e.target as HTMLInputElement).value)}
              aria-describedby={describedBy('sch-at', true, timingError)}
            />
          </Field>
        )}
        {kind === 'everyHours' && (
          <Field
            id="sch-hours"
            label="Every N hours"
            hint="1-168, counted from 00:00 UTC."
            error={timingError}
          >
            <input
              id="sch-hours"
              name="everyHours"
              type="number"
              min={1}
              max={168}
              value={hours}
              onInput={(e) => setHours((e.target as HTMLInputElement).value)}
              aria-describedby={describedBy('sch-hours', true, timingError)}
            />
          </Field>
        )}
        {kind === 'cron' && (
          <Field
            id="sch-cron"
            label="Cron"
            hint="Five fields: minute hour day-of-month month day-of-week."
            error={timingError}
          >
            <input
              id="sch-cron"
              name="cron"
              class="mono"
              value={cron}
              onInput={(e) => setCron((e.target as HTMLInputElement).value)}
              aria-describedby={describedBy('sch-cron', true, timingError)}
            />
          </Field>
        )}
        <Field
          id="sch-tz"
          label="Time zone"
          hint={`IANA name; blank: the agent's (this browser: ${localZone}).`}
          error={err('timezone')}
        >
          <input
            id="sch-tz"
            name="timezone"
            list="sch-tz-list"
            value={timezone}
            placeholder={localZone}
            onInput={(e) => setTimezone((e.target as HTMLInputElement).value)}
            aria-describedby={describedBy('sch-tz', true, err('timezone'))}
          />
          <datalist id="sch-tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </Field>
        <Field
          id="sch-targets"
          label="Targets"
          hint="CIDRs, ranges, addresses or names; one per line or comma separated."
          error={err('targets')}
        >
          <textarea
            id="sch-targets"
            name="targets"
            rows={3}
            class="mono"
            value={targets}
            spellcheck={false}
            onInput={(e) => setTargets((e.target as HTMLTextAreaElement).value)}
            aria-describedby={describedBy('sch-targets', true, err('targets'))}
          />
        </Field>
        <Field
          id="sch-excludes"
          label="Exclusions"
          hint="Left out of every run."
          error={err('excludes')}
        >
          <textarea
            id="sch-excludes"
            name="excludes"
            rows={3}
            class="mono"
            value={excludes}
            spellcheck={false}
            onInput={(e) => setExcludes((e.target as HTMLTextAreaElement).value)}
            aria-describedby={describedBy('sch-excludes', true, err('excludes'))}
          />
        </Field>
        <fieldset class="wide inline">
          <legend>Protocols</legend>
          {PROTOCOLS.map((p) => (
            <label class="check" key={p}>
              <input
                type="checkbox"
                name="protocol"
                value={p}
                checked={!discoveryOnly && protocols.includes(p)}
                disabled={discoveryOnly}
                onChange={(e) =>
                  setProtocols(
                    (e.target as HTMLInputElement).checked
                      ? [...protocols, p]
                      : protocols.filter((x) => x !== p),
                  )
                }
              />
              {PROTOCOL_LABEL[p] ?? p}
            </label>
          ))}
          <label class="check discovery">
            <input
              type="checkbox"
              name="discoveryOnly"
              checked={discoveryOnly}
              onChange={(e) => setDiscoveryOnly((e.target as HTMLInputElement).checked)}
            />
            Discovery only
          </label>
          {err('protocols') && (
            <small class="field-error" role="alert">
              {err('protocols')}
            </small>
          )}
        </fieldset>
        <Field
          id="sch-blackouts"
          label="Blackout windows"
          hint="HH:MM-HH:MM, comma separated; runs inside are skipped (may wrap midnight)."
          error={err('blackouts')}
        >
          <input
            id="sch-blackouts"
            name="blackouts"
            class="mono"
            value={blackouts}
            placeholder="08:00-18:00"
            onInput={(e) => setBlackouts((e.target as HTMLInputElement).value)}
            aria-describedby={describedBy('sch-blackouts', true, err('blackouts'))}
          />
        </Field>
        <Field
          id="sch-stagger"
          label="Stagger (seconds)"
          hint="0-3600: each run starts a fixed random delay later, so schedules do not start together."
          error={err('staggerSeconds')}
        >
          <input
            id="sch-stagger"
            name="staggerSeconds"
            type="number"
            min={0}
            max={3600}
            value={stagger}
            placeholder="0"
            onInput={(e) => setStagger((e.target as HTMLInputElement).value)}
            aria-describedby={describedBy('sch-stagger', true, err('staggerSeconds'))}
          />
        </Field>
        <div class="actions wide">
          <span class="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {s ? 'Save changes' : 'Add schedule'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
