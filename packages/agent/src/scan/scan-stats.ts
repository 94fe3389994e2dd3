// Scan success rates, each defined here once (docs/gui-guide.md, Status), for the GUI's Status
// tab and the heartbeat's metrics.scans (platform/metrics.ts):
// - a scan's success rate over the agent's scans: completed / (completed + failed). A cancelled
//   scan was stopped by a person, so it counts neither way; running scans are not counted yet.
//   The heartbeat's `metrics.scans` uses it too, so the Agent metrics card and the scan history
//   agree.
// - a scan's protocol success: protocol attempts that succeeded / protocol attempts (one attempt
//   = one protocol tried on one host, whatever its status); null when nothing was tried.
import type { ScanState, ScanSummary } from '@nopesight/model';

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;

/** What the Status tab shows of the agent's scans (GET /api/status `scans`). */
export interface ScanTotals {
  /** Scans that ended: completed + cancelled + failed. */
  total: number;
  /** Completed scans. */
  succeeded: number;
  cancelled: number;
  failed: number;
  running: number;
  /** succeeded / (succeeded + failed), 3 decimals; null before any scan completed or failed. */
  successRate: number | null;
}

/**
 * The totals over the store's scans by state.
 *
 * @example
 *   scanTotals({ completed: 2, cancelled: 1, failed: 0, running: 0 }).successRate; // 1
 */
export function scanTotals(states: Record<ScanState, number>): ScanTotals {
  return {
    total: states.completed + states.cancelled + states.failed,
    succeeded: states.completed,
    cancelled: states.cancelled,
    failed: states.failed,
    running: states.running,
    successRate: ratio(states.completed, states.completed + states.failed),
  };
}

/** A scan's protocol attempts: how many were tried, how many succeeded. */
export function protocolAttempts(summary: Pick<ScanSummary, 'statuses'>): {
  succeeded: number;
  tried: number;
} {
  const tried = Object.values(summary.statuses)
    .filter((n): n is number => typeof n === 'number')
    .reduce((a, b) => a + b, 0);
  return { succeeded: summary.statuses.success ?? 0, tried };
}

/** Protocol attempts that succeeded / tried (0..1, 3 decimals); null when none was tried. */
export function protocolSuccessRate(summary: Pick<ScanSummary, 'statuses'>): number | null {
  const a = protocolAttempts(summary);
  return ratio(a.succeeded, a.tried);
}
