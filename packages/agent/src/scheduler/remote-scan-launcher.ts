// Starts scheduled scans through RemoteScans — the path the platform's `scan.start` takes, so
// a scheduled scan is checked, run one at a time, written to results/ and uploaded through the
// outbox exactly like a remote one, recorded and logged as started by `schedule <name>` — and
// learns each one's end from its `scan.completed`.
import type { ScanState } from '@nopesight/model';
import { CommandError } from '../platform/control-channel.js';
import type { RemoteScans } from '../platform/remote-scans.js';
import type { Schedule } from '../store/schedules.js';
import type { ScanLauncher, StartedScan } from './scheduler.js';

type Ended = Awaited<StartedScan['finished']>;

export class RemoteScanLauncher implements ScanLauncher {
  readonly #scans: Pick<RemoteScans, 'start'>;
  /** Scan id → who waits for its end. */
  readonly #waiting = new Map<string, (ended: Ended) => void>();
  /** Ends seen before their start resolved, oldest first. */
  readonly #early = new Map<string, Ended>();

  constructor(scans: Pick<RemoteScans, 'start'>) {
    this.#scans = scans;
  }

  async start(schedule: Schedule): Promise<StartedScan | { busy: string }> {
    let scanId: string;
    try {
      ({ scanId } = await this.#scans.start(
        {
          targets: schedule.targets,
          ...(schedule.excludes ? { excludes: schedule.excludes } : {}),
          ...(schedule.protocols ? { protocols: schedule.protocols } : {}),
          ...(schedule.ports !== undefined ? { ports: schedule.ports } : {}),
        },
        { kind: 'schedule', scheduleId: schedule.id, scheduleName: schedule.name },
      ));
    } catch (err) {
      if (err instanceof CommandError && err.code === 'busy') return { busy: err.message };
      throw err;
    }
    const early = this.#early.get(scanId);
    this.#early.delete(scanId);
    const finished = early
      ? Promise.resolve(early)
      : new Promise<Ended>((resolve) => this.#waiting.set(scanId, resolve));
    return { scanId, finished };
  }

  /**
   * Give it every message RemoteScans sends (its `notify`): a `scan.completed` ends the
   * scheduled scan it names. Others are ignored.
   */
  notice(type: string, payload: Record<string, unknown>): void {
    if (type !== 'scan.completed' || typeof payload.scanId !== 'string') return;
    const ended: Ended = {
      state: payload.state as ScanState,
      ...(payload.error ? { error: payload.error as Ended['error'] & object } : {}),
    };
    const resolve = this.#waiting.get(payload.scanId);
    if (resolve) {
      this.#waiting.delete(payload.scanId);
      resolve(ended);
    } else {
      // Platform scans' ends land here too and are never claimed: keep only the latest few (a
      // scheduled scan's own end is claimed as soon as its start resolves).
      this.#early.set(payload.scanId, ended);
      if (this.#early.size > 16) this.#early.delete(this.#early.keys().next().value!);
    }
  }
}
