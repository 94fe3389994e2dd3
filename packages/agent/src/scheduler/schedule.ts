// What a scan schedule is (docs/protocol.md `Schedule`) and what the store remembers of its last
// run. No Node import here: the GUI page imports these (scheduler tab, schedule dialog).
import type { ScanState } from '@nopesight/model';

/** Week days as schedules spell them, in the order they are shown. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * docs/protocol.md `Schedule`. Exactly one timing: `cron` (five fields), `daily` (`HH:MM`),
 * `weekly` (days at `HH:MM`) or `everyHours`; clock times and blackouts are read in `timezone`
 * (IANA; the agent's own when absent).
 */
export interface Schedule {
  id: string;
  name: string;
  cron?: string;
  daily?: string;
  weekly?: { days: Weekday[]; at: string };
  everyHours?: number;
  timezone?: string;
  /** `HH:MM-HH:MM` windows in which a run is skipped (may wrap past midnight). */
  blackouts?: string[];
  /** Each run starts a fixed, per-schedule 0..staggerSeconds later than its slot. */
  staggerSeconds?: number;
  targets: string[];
  excludes?: string[];
  protocols?: string[] | 'none';
  ports?: string;
  enabled: boolean;
}

/** The last thing that happened to a schedule's run, for `schedule list`. */
export interface LastRun {
  at: string;
  outcome: 'started' | 'skipped' | 'finished';
  /** skipped: why (`REASON: words`); finished: the scan's state. */
  detail?: string;
  /** skipped: the scheduler's reason word (`busy`, `still-running`, `blackout`, `invalid`,
   * `start-failed`), for callers that act on it (a run-now hand-off). */
  reason?: string;
  scanId?: string;
  state?: ScanState;
}
