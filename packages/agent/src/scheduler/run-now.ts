// Run-now handed to the running agent: another process (`schedule run-now`, the GUI's Run now)
// leaves a request in the store, and the agent's scheduler takes it within seconds and starts
// the scan (or says why not) in the schedule's run state. This waits, bounded, for that answer.
import type { ScheduleStore } from '../store/schedules.js';
import { abortableSleep } from '../platform/uploader.js';

/** How long a hand-off waits for the running agent to take its request (its scheduler looks
 * every 2 s; a start that needs the vault takes a moment more). */
export const RUN_NOW_HANDOFF_MS = 30_000;
/** How often the store is read while waiting. */
const POLL_MS = 200;

/** What the running agent did with a run-now request. */
export type HandOffOutcome =
  /** It started the scan `scanId`. */
  | { outcome: 'started'; scanId: string | null }
  /** It did not run it: `reason` is the scheduler's SkipReason (busy, still-running, invalid,
   * start-failed), `detail` the whole line `schedule list` shows. */
  | { outcome: 'skipped'; reason: string; detail: string }
  /** It had not taken the request when the wait ended; the request stays for it. */
  | { outcome: 'queued' };

export interface HandOffOptions {
  /** Who asks (stored with the request, in scheduler.log): `cli`, `gui`. */
  requestedBy: string;
  timeoutMs?: number;
  /** Ends the wait early (the request stays queued). */
  signal?: AbortSignal;
  /** Waits `ms` or until the signal aborts (then rejects); tests pass one that does not wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
}

/**
 * Leaves a run-now request for schedule `scheduleId` (which must exist) and waits until the
 * running agent's scheduler has started the run or skipped it, at most `timeoutMs`.
 *
 * @example
 *   const r = await handRunNowToAgent(store.schedules, s.id, { requestedBy: 'gui' });
 *   if (r.outcome === 'started') console.log(`scan ${r.scanId}`);
 */
export async function handRunNowToAgent(
  schedules: Pick<ScheduleStore, 'requestRun' | 'pendingRuns' | 'runState'>,
  scheduleId: string,
  opts: HandOffOptions,
): Promise<HandOffOutcome> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? abortableSleep;
  const signal = opts.signal ?? new AbortController().signal;
  const askedAt = now().getTime();
  const before = schedules.runState(scheduleId)?.last?.scanId;
  if (!schedules.requestRun(scheduleId, opts.requestedBy)) {
    throw new Error(`no schedule ${scheduleId}`);
  }
  const deadline = askedAt + (opts.timeoutMs ?? RUN_NOW_HANDOFF_MS);
  // One look per POLL_MS until the agent answers, the deadline passes or the signal aborts.
  for (;;) {
    const taken = !schedules.pendingRuns().some((r) => r.scheduleId === scheduleId);
    const last = schedules.runState(scheduleId)?.last;
    // The end of a run that was already going when we asked is not the answer.
    const answer =
      taken &&
      last &&
      Date.parse(last.at) >= askedAt &&
      !(last.outcome === 'finished' && last.scanId !== undefined && last.scanId === before);
    if (answer && last.outcome === 'skipped') {
      return {
        outcome: 'skipped',
        reason: last.reason ?? reasonIn(last.detail),
        detail: last.detail ?? '?',
      };
    }
    // Started — or so short that it already finished before this look.
    if (answer) return { outcome: 'started', scanId: last.scanId ?? null };
    if (signal.aborted || now().getTime() >= deadline) return { outcome: 'queued' };
    await sleep(POLL_MS, signal).catch(() => undefined);
  }
}

/** The reason word of an older `run-now REASON: detail` line (before `reason` was stored). */
function reasonIn(detail: string | undefined): string {
  return /^(?:run-now )?([a-z-]+):/.exec(detail ?? '')?.[1] ?? 'unknown';
}
