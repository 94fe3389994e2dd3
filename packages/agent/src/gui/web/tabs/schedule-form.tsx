// The add/edit schedule dialog: timing (daily, weekly, every N hours or cron), time zone, targets,
// protocols, blackout windows and stagger, in the shape schedules.put and the CLI validate.
import { useMemo, useState } from 'preact/hooks';
import { request } from '../api.js';
import { useSubmit } from '../hooks.js';
import { splitList } from '../format.js';
import { WEEKDAYS, type Weekday } from '../../../scheduler/schedule.js';
import type { ScheduleView } from '../types.js';
import { Dialog } from '../ui/dialog.js';
import { Field, TextField } from '../ui/field.js';
import { initialScope, scopeBody, ScopeFields, type Scope } from '../ui/scope-fields.js';

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
  const [days, setDays] = useState<Weekday[]>(s?.weekly?.days ?? ['mon']);
  const [hours, setHours] = useState(String(s?.everyHours ?? 6));
  const [cron, setCron] = useState(s?.cron ?? '0 2 * * *');
  const [timezone, setTimezone] = useState(s?.timezone ?? '');
  const [scope, setScope] = useState<Scope>(() => initialScope(s ?? {}));
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
    const body: Record<string, unknown> = { name: name.trim(), ...scopeBody(scope), enabled };
    if (s?.id) body.id = s.id;
    if (kind === 'daily') body.daily = at.trim();
    if (kind === 'weekly') body.weekly = { days, at: at.trim() };
    if (kind === 'everyHours')
      body.everyHours = /^\d+$/.test(hours.trim()) ? Number(hours.trim()) : hours.trim();
    if (kind === 'cron') body.cron = cron.trim();
    if (timezone.trim() !== '') body.timezone = timezone.trim();
    const bl = splitList(blackouts);
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
        <TextField
          id="sch-name"
          name="name"
          label="Name"
          hint="Unique, e.g. nightly-dc1."
          error={err('name')}
          value={name}
          onValue={setName}
          required
          readOnly={s !== null}
        />
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
            {WEEKDAYS.map((d) => (
              <label class="check" key={d}>
                <input
                  type="checkbox"
                  name="day"
                  value={d}
                  checked={days.includes(d)}
                  onChange={(e) =>
                    setDays(
                      (e.target as HTMLInputElement).checked
                        ? WEEKDAYS.filter((x) => x === d || days.includes(x))
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
          <TextField
            id="sch-at"
            name="at"
            class="mono"
            label="At (HH:MM)"
            hint="e.g. 02:30"
            error={timingError}
            value={at}
            onValue={setAt}
            inputMode="numeric"
            pattern="\d{1,2}:\d{2}"
          />
        )}
        {kind === 'everyHours' && (
          <TextField
            id="sch-hours"
            name="everyHours"
            type="number"
            min={1}
            max={168}
            label="Every N hours"
            hint="1-168, counted from 00:00 UTC."
            error={timingError}
            value={hours}
            onValue={setHours}
          />
        )}
        {kind === 'cron' && (
          <TextField
            id="sch-cron"
            name="cron"
            class="mono"
            label="Cron"
            hint="Five fields: minute hour day-of-month month day-of-week."
            error={timingError}
            value={cron}
            onValue={setCron}
          />
        )}
        <TextField
          id="sch-tz"
          name="timezone"
          list="sch-tz-list"
          label="Time zone"
          hint={`IANA name; blank: the agent's (this browser: ${localZone}).`}
          error={err('timezone')}
          value={timezone}
          onValue={setTimezone}
          placeholder={localZone}
        >
          <datalist id="sch-tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </TextField>
        <ScopeFields
          id="sch"
          scope={scope}
          onChange={setScope}
          errors={errors}
          text={{
            targets: 'CIDRs, ranges, addresses or names; one per line or comma separated.',
            excludes: 'Left out of every run.',
            discoveryOnly: 'Discovery only',
          }}
        />
        <TextField
          id="sch-blackouts"
          name="blackouts"
          class="mono"
          label="Blackout windows"
          hint="HH:MM-HH:MM, comma separated; runs inside are skipped (may wrap midnight)."
          error={err('blackouts')}
          value={blackouts}
          onValue={setBlackouts}
          placeholder="08:00-18:00"
        />
        <TextField
          id="sch-stagger"
          name="staggerSeconds"
          type="number"
          min={0}
          max={3600}
          label="Stagger (seconds)"
          hint="0-3600: each run starts a fixed random delay later, so schedules do not start together."
          error={err('staggerSeconds')}
          value={stagger}
          onValue={setStagger}
          placeholder="0"
        />
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
