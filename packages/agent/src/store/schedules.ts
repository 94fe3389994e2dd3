// Scan schedules — set as a whole by the platform (`schedules.put`) or one by one by the CLI and
// the GUI — in the order given, the scheduler's memory of each (which slots it has handled, its
// last run), and run-now requests for the running agent. Validation happens before
// (platform/scan-spec.ts readSchedule); timing arithmetic is scheduler/timing.ts's; what a
// schedule and its last run are is scheduler/schedule.ts's.
import type { LastRun, Schedule } from '../scheduler/schedule.js';
import type { Db } from './database.js';

export type { LastRun, Schedule };

export interface ScheduleRunState {
  /** The slots at or before this instant have been run or skipped. */
  handledUntil: Date;
  last: LastRun | null;
}

/** A run-now request another process (CLI, GUI) left for the running agent's scheduler. */
export interface RunRequest {
  scheduleId: string;
  requestedAt: string;
  /** Who asked: `cli`, `gui`. */
  requestedBy: string;
}

type Timing = Pick<Schedule, 'cron' | 'daily' | 'weekly' | 'everyHours'>;

interface Row {
  id: string;
  name: string;
  timing: string;
  timezone: string | null;
  blackouts: string | null;
  stagger_seconds: number | null;
  targets: string;
  excludes: string | null;
  protocols: string | null;
  ports: string | null;
  enabled: number;
}

const COLUMNS =
  'id, name, timing, timezone, blackouts, stagger_seconds, targets, excludes, protocols, ports, enabled';

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export class ScheduleStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Every schedule, in the order the last `replaceAll` (then `add`s) gave them. */
  list(): Schedule[] {
    const rows = this.#db
      .prepare(`SELECT ${COLUMNS} FROM schedules ORDER BY position`)
      .all() as Row[];
    return rows.map(fromRow);
  }

  get(id: string): Schedule | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE id = ?`).get(id) as
      Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Replaces all schedules with `schedules` (already validated; ids unique) in one transaction. */
  replaceAll(schedules: readonly Schedule[]): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM schedules').run();
      schedules.forEach((s, position) => this.#insert(s, position));
      this.#db
        .prepare('DELETE FROM schedule_runs WHERE schedule_id NOT IN (SELECT id FROM schedules)')
        .run();
      this.#db
        .prepare(
          'DELETE FROM schedule_run_requests WHERE schedule_id NOT IN (SELECT id FROM schedules)',
        )
        .run();
    })();
  }

  /** Appends one schedule (validated; its id not used yet). */
  add(schedule: Schedule): void {
    this.#db.transaction(() => {
      const { next } = this.#db
        .prepare('SELECT coalesce(max(position) + 1, 0) AS next FROM schedules')
        .get() as { next: number };
      this.#insert(schedule, next);
    })();
  }

  /** Enables or disables a schedule; false when there is no such id. */
  setEnabled(id: string, enabled: boolean): boolean {
    return this.#db.transaction(() => {
      const s = this.get(id);
      if (!s) return false;
      this.#db
        .prepare('UPDATE schedules SET enabled = ?, updated_at = ? WHERE id = ?')
        .run(enabled ? 1 : 0, this.#now().toISOString(), id);
      this.#arm({ ...s, enabled });
      return true;
    })();
  }

  /** Deletes a schedule and its run state; false when there is no such id. */
  remove(id: string): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM schedule_runs WHERE schedule_id = ?').run(id);
      this.#db.prepare('DELETE FROM schedule_run_requests WHERE schedule_id = ?').run(id);
      return this.#db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
    })();
  }

  /** What the scheduler remembers of a schedule; null before it was ever armed. */
  runState(id: string): ScheduleRunState | null {
    const row = this.#db
      .prepare('SELECT handled_until, last_run FROM schedule_runs WHERE schedule_id = ?')
      .get(id) as { handled_until: string; last_run: string | null } | undefined;
    if (!row) return null;
    return {
      handledUntil: new Date(row.handled_until),
      last: row.last_run === null ? null : (JSON.parse(row.last_run) as LastRun),
    };
  }

  /**
   * Starts remembering a schedule from now (nothing before now counts as missed), unless it is
   * already remembered with the same timing and enabled flag. Returns its state.
   */
  arm(schedule: Schedule): ScheduleRunState {
    this.#arm(schedule);
    return this.runState(schedule.id)!;
  }

  /** Marks the slots up to `until` handled, with what happened to the last one. */
  markHandled(id: string, until: Date, last?: LastRun): void {
    this.#db
      .prepare(
        'UPDATE schedule_runs SET handled_until = ?, last_run = coalesce(?, last_run) WHERE schedule_id = ?',
      )
      .run(until.toISOString(), json(last), id);
  }

  /** Records the outcome of a run (its end) without moving `handledUntil`. */
  recordRun(id: string, last: LastRun): void {
    this.#db
      .prepare('UPDATE schedule_runs SET last_run = ? WHERE schedule_id = ?')
      .run(JSON.stringify(last), id);
  }

  /**
   * Asks the running agent to run a schedule now (`schedule run-now`, the GUI's Run now): its
   * scheduler takes the request at its next look, within seconds (revision()). False when there
   * is no such schedule. Its timing is not affected.
   */
  requestRun(id: string, requestedBy: string): boolean {
    return this.#db.transaction(() => {
      if (!this.get(id)) return false;
      this.#db
        .prepare(
          'INSERT INTO schedule_run_requests (schedule_id, requested_at, requested_by) VALUES (?, ?, ?)',
        )
        .run(id, this.#now().toISOString(), requestedBy);
      return true;
    })();
  }

  /** Run-now requests not yet taken, oldest first. */
  pendingRuns(): RunRequest[] {
    const rows = this.#db
      .prepare(
        'SELECT schedule_id, requested_at, requested_by FROM schedule_run_requests ORDER BY id',
      )
      .all() as { schedule_id: string; requested_at: string; requested_by: string }[];
    return rows.map((r) => ({
      scheduleId: r.schedule_id,
      requestedAt: r.requested_at,
      requestedBy: r.requested_by,
    }));
  }

  /** Takes (removes and returns) the pending run-now requests, oldest first; the scheduler's. */
  takeRunRequests(): RunRequest[] {
    // IMMEDIATE: the write lock before the read, so no request lands between the two.
    return this.#db
      .transaction(() => {
        const taken = this.pendingRuns();
        this.#db.prepare('DELETE FROM schedule_run_requests').run();
        return taken;
      })
      .immediate();
  }

  /**
   * A number that changes whenever a schedule is added, changed or removed, or a run is
   * requested, by any process (kept by triggers): cheap enough to read every second or two.
   */
  revision(): number {
    const row = this.#db.prepare('SELECT revision FROM schedule_revision WHERE id = 1').get() as
      { revision: number } | undefined;
    return row?.revision ?? 0;
  }

  #insert(s: Schedule, position: number): void {
    const timing: Timing =
      s.cron !== undefined
        ? { cron: s.cron }
        : s.daily !== undefined
          ? { daily: s.daily }
          : s.weekly !== undefined
            ? { weekly: s.weekly }
            : { everyHours: s.everyHours! };
    this.#db
      .prepare(
        `INSERT INTO schedules (${COLUMNS}, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.id,
        s.name,
        JSON.stringify(timing),
        s.timezone ?? null,
        json(s.blackouts),
        s.staggerSeconds ?? null,
        JSON.stringify(s.targets),
        json(s.excludes),
        json(s.protocols),
        s.ports ?? null,
        s.enabled ? 1 : 0,
        position,
        this.#now().toISOString(),
      );
    this.#arm(s);
  }

  /** Re-arms from now when the run state is missing or was armed for another timing. */
  #arm(s: Schedule): void {
    this.#db
      .prepare(
        `INSERT INTO schedule_runs (schedule_id, timing_key, handled_until) VALUES (?, ?, ?)
         ON CONFLICT (schedule_id) DO UPDATE
           SET timing_key = excluded.timing_key, handled_until = excluded.handled_until
           WHERE schedule_runs.timing_key <> excluded.timing_key`,
      )
      .run(s.id, timingKey(s), this.#now().toISOString());
  }
}

/** What moves a schedule's slots, and whether it runs at all. */
function timingKey(s: Schedule): string {
  return JSON.stringify([
    s.cron,
    s.daily,
    s.weekly,
    s.everyHours,
    s.timezone,
    s.staggerSeconds,
    s.enabled,
  ]);
}

function fromRow(row: Row): Schedule {
  const parse = <T>(text: string | null): T | undefined =>
    text === null ? undefined : (JSON.parse(text) as T);
  const optional = <K extends keyof Schedule>(key: K, value: Schedule[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    id: row.id,
    name: row.name,
    ...(JSON.parse(row.timing) as Timing),
    ...optional('timezone', row.timezone ?? undefined),
    ...optional('blackouts', parse<string[]>(row.blackouts)),
    ...optional('staggerSeconds', row.stagger_seconds ?? undefined),
    targets: JSON.parse(row.targets) as string[],
    ...optional('excludes', parse<string[]>(row.excludes)),
    ...optional('protocols', parse<Schedule['protocols']>(row.protocols)),
    ...optional('ports', row.ports ?? undefined),
    enabled: row.enabled === 1,
  };
}
