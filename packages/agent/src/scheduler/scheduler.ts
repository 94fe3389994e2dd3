// The scheduler: a daemon-wide service that, until its signal aborts, starts the scan of each
// enabled schedule when a slot comes and of each schedule another process asked to run now (one
// scan at a time, through a ScanLauncher), and logs every run to scheduler.log — started,
// skipped and why, finished with its state. A slot or a request is handled once: a run that
// cannot start is skipped, not queued or stacked. Edits from other processes (CLI, GUI) are seen
// within `watchMs` through the store's revision number.
import type { ScanState } from '@nopesight/model';
import type { Logger } from '../log/logger.js';
import { abortableSleep } from '../platform/uploader.js';
import type {
  LastRun,
  RunRequest,
  Schedule,
  ScheduleRunState,
  ScheduleStore,
} from '../store/schedules.js';
import { blackoutAt, nextSlot, previousSlot } from './timing.js';

/** A scheduled scan once it runs. */
export interface StartedScan {
  scanId: string;
  /** Settles when the scan ends (never rejects). */
  finished: Promise<{ state: ScanState; error?: { code: string; message: string } }>;
}

/** Starts scans for the scheduler: the same path remote scans take (platform/remote-scans.ts). */
export interface ScanLauncher {
  /**
   * Starts the schedule's scan and resolves once it runs; `{busy}` (saying what runs) when a
   * scan already runs. Throws when the scan cannot start (bad targets, unreadable vault).
   */
  start(schedule: Schedule): Promise<StartedScan | { busy: string }>;
}

/** Why a slot was not run: stable words, in scheduler.log and `schedule list`. */
export type SkipReason = 'still-running' | 'blackout' | 'busy' | 'invalid' | 'start-failed';

export interface SlotOutcome {
  scheduleId: string;
  /** The slot handled; for a run-now request, when it was asked for. */
  slot: Date;
  /** `run-now`: a request from another process, not a slot of the timing. */
  trigger?: 'slot' | 'run-now';
  /** More than one slot passed unhandled, or the slot is long past: run once now. */
  missed: boolean;
  outcome: 'started' | 'skipped';
  reason?: SkipReason;
  scanId?: string;
}

export interface SchedulerOptions {
  store: Pick<
    ScheduleStore,
    | 'list'
    | 'get'
    | 'runState'
    | 'arm'
    | 'markHandled'
    | 'recordRun'
    | 'takeRunRequests'
    | 'revision'
  >;
  launcher: ScanLauncher;
  /** The one schedule validation (scan-spec.ts readSchedule, with the current config); a run
   * whose schedule no longer passes is skipped as `invalid`. */
  validate(schedule: Schedule): Promise<Schedule> | Schedule;
  /** scheduler.log */
  log: Logger;
  now?: () => Date;
  /** Waits `ms` or until the signal aborts (then rejects); tests pass one that does not wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The longest wait between two looks at the store. */
  maxSleepMs?: number;
  /** How often the store's revision is read; a change (an edit or a run-now request from
   * another process) ends the wait at once. */
  watchMs?: number;
}

/** A slot handled this much after it came counts as missed (the agent was down or asleep). */
export const MISSED_AFTER_MS = 60_000;
export const DEFAULT_MAX_SLEEP_MS = 30_000;
/** Edits and run-now requests from other processes are seen within this (docs/service.md). */
export const DEFAULT_WATCH_MS = 2_000;
/** The shortest wait between two looks, so a clock that jumps cannot make the loop spin. */
const MIN_SLEEP_MS = 250;

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => Date;
  /** Schedule id → its running scan's end (with the log line written). */
  readonly #running = new Map<string, Promise<void>>();
  #wake: AbortController | null = null;
  /** wake() was called since the current look began. */
  #woken = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Looks at the store and sleeps until the next slot (at most maxSleepMs), until `signal`
   * aborts. Never rejects: a failed look is logged and retried after the pause. Runs missed
   * while the agent was down are found by the first look and run once.
   */
  async run(signal: AbortSignal): Promise<void> {
    const sleep = this.#o.sleep ?? abortableSleep;
    const maxSleep = this.#o.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    const enabled = this.#o.store.list().filter((s) => s.enabled).length;
    this.#o.log.info('scheduler started', { enabled });
    const watching = this.#watch(signal);
    // One look per iteration and a pause after each: bounded in rate until the signal aborts.
    while (!signal.aborted) {
      let wait = maxSleep;
      this.#woken = false;
      try {
        await this.tick();
        const due = this.nextDue();
        if (due) wait = Math.min(maxSleep, due.getTime() - this.#now().getTime());
      } catch (err) {
        this.#o.log.error('scheduler: a look at the schedules failed', {
          error: (err as Error).message,
        });
      }
      this.#wake = new AbortController();
      // A wake during the look (an edit landed meanwhile) ends this pause before it starts.
      if (this.#woken) this.#wake.abort();
      await sleep(Math.max(MIN_SLEEP_MS, wait), AbortSignal.any([signal, this.#wake.signal])).catch(
        () => undefined,
      );
    }
    await watching;
    this.#o.log.info('scheduler stopped', { running: this.#running.size });
  }

  /** Reads the store's revision every watchMs (real time) and wakes the loop when it moved. */
  async #watch(signal: AbortSignal): Promise<void> {
    const every = Math.max(MIN_SLEEP_MS, this.#o.watchMs ?? DEFAULT_WATCH_MS);
    let seen: number | null = null;
    // One read per interval until the signal aborts.
    while (!signal.aborted) {
      try {
        const now = this.#o.store.revision();
        if (seen !== null && now !== seen) this.wake();
        seen = now;
      } catch (err) {
        this.#o.log.warn('scheduler: cannot read the schedules revision', {
          error: (err as Error).message,
        });
      }
      await abortableSleep(every, signal).catch(() => undefined);
    }
  }

  /** Ends the current pause early (schedules changed); harmless when not pausing. */
  wake(): void {
    this.#woken = true;
    this.#wake?.abort();
  }

  /** Resolves when every scan this scheduler started has ended and been logged. */
  async settled(): Promise<void> {
    await Promise.all([...this.#running.values()]);
  }

  /** The earliest unhandled slot of the enabled schedules; null when none has one. */
  nextDue(): Date | null {
    let best: Date | null = null;
    for (const s of this.#o.store.list()) {
      if (!s.enabled) continue;
      const next = this.#slots(s, (state) => nextSlot(s, state.handledUntil));
      if (next && (!best || next < best)) best = next;
    }
    return best;
  }

  /**
   * Handles every enabled schedule whose slot has come (at `now`): its latest slot runs once,
   * however many passed; it is skipped when its last run still goes, inside a blackout, when
   * another scan runs, or when it no longer validates. Returns what happened per slot.
   */
  async tick(): Promise<SlotOutcome[]> {
    const outcomes: SlotOutcome[] = [];
    for (const request of this.#o.store.takeRunRequests()) {
      const outcome = await this.#runNow(request);
      if (outcome) outcomes.push(outcome);
    }
    for (const schedule of this.#o.store.list()) {
      if (!schedule.enabled) continue;
      const now = this.#now();
      const due = this.#slots(schedule, (state) => {
        const first = nextSlot(schedule, state.handledUntil);
        if (!first || first > now) return null;
        return { first, slot: previousSlot(schedule, now) ?? first };
      });
      if (!due) continue;
      const { first, slot } = due;
      const missed = slot > first || now.getTime() - slot.getTime() > MISSED_AFTER_MS;
      outcomes.push(await this.#handle(schedule, slot, missed, first));
    }
    return outcomes;
  }

  /** Runs a slot computation on the schedule's run state (armed when missing); a schedule
   * whose slots cannot be computed is logged and left out, so it cannot stop the others. */
  #slots<T>(schedule: Schedule, fn: (state: ScheduleRunState) => T | null): T | null {
    try {
      return fn(this.#o.store.runState(schedule.id) ?? this.#o.store.arm(schedule));
    } catch (err) {
      this.#o.log.error('scheduler: cannot compute the slots of a schedule', {
        scheduleId: schedule.id,
        error: (err as Error).message,
      });
      return null;
    }
  }

  async #handle(s: Schedule, slot: Date, missed: boolean, first: Date): Promise<SlotOutcome> {
    const log = this.#o.log.child({ scheduleId: s.id, schedule: s.name });
    const fields = {
      slot: slot.toISOString(),
      ...(missed ? { missedSince: first.toISOString() } : {}),
    };
    const now = this.#now();
    const skip = (reason: SkipReason, detail: string): SlotOutcome => {
      log.warn('schedule run skipped', { ...fields, reason, detail });
      this.#o.store.markHandled(s.id, slot, {
        at: now.toISOString(),
        outcome: 'skipped',
        detail: `${reason}: ${detail}`,
        reason,
      });
      return { scheduleId: s.id, slot, missed, outcome: 'skipped', reason };
    };
    if (this.#running.has(s.id)) {
      return skip('still-running', 'its previous run has not finished');
    }
    const window = blackoutAt(s, now);
    if (window) return skip('blackout', `${window} (${s.timezone ?? 'agent time zone'})`);
    const started = await this.#start(s, skip);
    if (!('finished' in started)) return started;
    const { scanId } = started;
    log.info(
      missed ? 'schedule run started (missed while the agent was down)' : 'schedule run started',
      {
        ...fields,
        scanId,
      },
    );
    this.#o.store.markHandled(s.id, slot, { at: now.toISOString(), outcome: 'started', scanId });
    this.#track(s, started, log);
    return { scheduleId: s.id, slot, missed, outcome: 'started', scanId };
  }

  /**
   * Validates the schedule and starts its scan, as a slot and a run-now both do; a schedule
   * that fails validation, a launcher that throws or one busy with another scan is skipped
   * through `skip`, whose outcome is returned instead.
   */
  async #start(
    s: Schedule,
    skip: (reason: SkipReason, detail: string) => SlotOutcome,
  ): Promise<StartedScan | SlotOutcome> {
    let checked: Schedule;
    try {
      checked = await this.#o.validate(s);
    } catch (err) {
      return skip('invalid', (err as Error).message);
    }
    let started: StartedScan | { busy: string };
    try {
      started = await this.#o.launcher.start(checked);
    } catch (err) {
      return skip('start-failed', (err as Error).message);
    }
    return 'busy' in started ? skip('busy', started.busy) : started;
  }

  /**
   * A run-now request from another process: runs the schedule once, enabled or not and
   * whatever its blackouts say (a person asked), unless its last run or another scan still
   * goes. Its slots are not touched. Null when the schedule is gone.
   */
  async #runNow(request: RunRequest): Promise<SlotOutcome | null> {
    const s = this.#o.store.get(request.scheduleId);
    if (!s) {
      this.#o.log.warn('run-now request dropped: the schedule no longer exists', {
        scheduleId: request.scheduleId,
        requestedBy: request.requestedBy,
      });
      return null;
    }
    const log = this.#o.log.child({ scheduleId: s.id, schedule: s.name, trigger: 'run-now' });
    const at = new Date(request.requestedAt);
    const fields = { requestedAt: request.requestedAt, requestedBy: request.requestedBy };
    const base = { scheduleId: s.id, slot: at, missed: false, trigger: 'run-now' as const };
    const skip = (reason: SkipReason, detail: string): SlotOutcome => {
      log.warn('schedule run skipped', { ...fields, reason, detail });
      this.#record(s.id, log, {
        at: this.#now().toISOString(),
        outcome: 'skipped',
        detail: `run-now ${reason}: ${detail}`,
        reason,
      });
      return { ...base, outcome: 'skipped', reason };
    };
    if (this.#running.has(s.id)) return skip('still-running', 'its previous run has not finished');
    const started = await this.#start(s, skip);
    if (!('finished' in started)) return started;
    const { scanId } = started;
    log.info('schedule run started', { ...fields, scanId });
    this.#record(s.id, log, {
      at: this.#now().toISOString(),
      outcome: 'started',
      detail: 'run-now',
      scanId,
    });
    this.#track(s, started, log, 'run-now');
    return { ...base, outcome: 'started', scanId };
  }

  /** Remembers a started run until its end, then logs and records the end. */
  #track(s: Schedule, started: StartedScan, log: Logger, detail?: string): void {
    const { scanId } = started;
    this.#running.set(
      s.id,
      started.finished.then(({ state, error }) => {
        this.#running.delete(s.id);
        log[state === 'failed' ? 'error' : 'info']('schedule run finished', {
          scanId,
          state,
          ...(error ? { error } : {}),
        });
        this.#record(s.id, log, {
          at: this.#now().toISOString(),
          outcome: 'finished',
          scanId,
          state,
          ...(detail ? { detail } : {}),
        });
      }),
    );
  }

  /** Records a run's outcome (arming the schedule first when it never was); a failure is logged. */
  #record(id: string, log: Logger, last: LastRun): void {
    try {
      const s = this.#o.store.get(id);
      if (s && !this.#o.store.runState(id)) this.#o.store.arm(s);
      this.#o.store.recordRun(id, last);
    } catch (err) {
      log.warn('cannot record the run', { error: (err as Error).message });
    }
  }
}
