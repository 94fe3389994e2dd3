// Scans started from the GUI: one at a time, in the GUI's process, through the same
// prepareScanJob as `scan` (validation, results/<id>.json, store and upload when an integration
// exists). Progress, hosts and the end go to the event hub; cancel aborts with what was found
// still written, as Ctrl-C does for `scan`.
import { Writable } from 'node:stream';
import type { ScanSummary } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import type { Logger, LogFiles } from '../../log/logger.js';
import type { Store } from '../../store/index.js';
import type { SecretSet } from '../../log/redact.js';
import type { ScanProgress } from '../../scan/run-scan.js';
import { prepareScanJob } from '../../scan/scan-job.js';
import { ApiError } from './http.js';
import type { EventHub } from './events.js';
import { hostSummary, type HostSummary } from './results.js';

/** What the GUI asks to scan, already read from the request body. */
export interface GuiScanRequest {
  targets: string[];
  excludes: string[];
  /** `--protocols` text (`ssh,snmp`, `none`); undefined = all. */
  protocols?: string;
  ports?: string;
  /** Who asked: the GUI's Scan tab, or a schedule's run-now. */
  source: 'gui' | 'schedule';
  scheduleId?: string;
  scheduleName?: string;
}

/** Host summaries kept in memory for the running scan's table; the rest is in the file. */
const MAX_LIVE_HOSTS = 5000;
/** Progress events at most this often (the last one always goes out). */
const PROGRESS_EVERY_MS = 250;

export interface RunningScan {
  scanId: string;
  source: GuiScanRequest['source'];
  startedAt: string;
  targets: string[];
  excludes: string[];
  protocols: string[];
  ports: { tcp: number[]; udp: number[] };
  progress: ScanProgress;
  hosts: HostSummary[];
  /** More hosts finished than `hosts` holds. */
  hostsTruncated: boolean;
}

export interface ScanRunnerOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The GUI's log files and store, shared with its scans (one writer per process). */
  logs: LogFiles;
  store: Store;
  hub: EventHub;
  /** app.log (component gui). */
  log: Logger;
  secrets: SecretSet;
  /** Called when a scan ends, with its summary (null when it failed). */
  onFinished?(scanId: string, summary: ScanSummary | null): void;
}

export class GuiScanRunner {
  readonly #opts: ScanRunnerOptions;
  #current: { scan: RunningScan; controller: AbortController; done: Promise<void> } | null = null;

  constructor(opts: ScanRunnerOptions) {
    this.#opts = opts;
  }

  get current(): RunningScan | null {
    return this.#current?.scan ?? null;
  }

  /**
   * Validates and starts a scan; resolves with its id once it runs. 409 ERR_SCAN_RUNNING while
   * another GUI scan runs; validation errors as `scan` reports them (nothing is written).
   */
  async start(request: GuiScanRequest, signal: AbortSignal): Promise<string> {
    if (this.#current) {
      throw new ApiError(
        409,
        'ERR_SCAN_RUNNING',
        `scan ${this.#current.scan.scanId} is still running: cancel it or wait for it to finish`,
      );
    }
    for (const [field, list] of [
      ['targets', request.targets],
      ['excludes', request.excludes],
    ] as const) {
      const file = list.find((t) => t.trim().startsWith('@'));
      if (file !== undefined) {
        throw new ApiError(
          400,
          'ERR_TARGET_INVALID',
          `'${file}': target files are not read from the GUI; paste the targets instead`,
          field,
        );
      }
    }
    const controller = new AbortController();
    const stop = AbortSignal.any([controller.signal, signal]);
    // Reserve the slot before the first await, so two starts cannot both pass the check.
    const placeholder = {
      scan: null as unknown as RunningScan,
      controller,
      done: Promise.resolve(),
    };
    this.#current = placeholder;
    let job;
    try {
      job = await prepareScanJob({
        dataDir: this.#opts.dataDir,
        env: this.#opts.env,
        targets: request.targets,
        excludes: request.excludes,
        ports: request.ports,
        protocols: request.protocols,
        allowLarge: false,
        overrides: {},
        signal: stop,
        source:
          request.source === 'schedule'
            ? {
                kind: 'schedule',
                ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
                ...(request.scheduleName ? { scheduleName: request.scheduleName } : {}),
              }
            : { kind: 'gui' },
        logs: this.#opts.logs,
        store: this.#opts.store,
      });
    } catch (err) {
      this.#current = null;
      throw err;
    }
    const scan: RunningScan = {
      scanId: job.scanId,
      source: request.source,
      startedAt: new Date().toISOString(),
      targets: job.request.targets,
      excludes: job.request.excludes,
      protocols: job.protocols,
      ports: job.ports,
      progress: {
        swept: 0,
        alive: 0,
        collected: 0,
        expected: job.request.expectedAddresses,
        elapsedMs: 0,
      },
      hosts: [],
      hostsTruncated: false,
    };
    placeholder.scan = scan;
    this.#opts.log.info('scan started from the GUI', {
      scanId: scan.scanId,
      source: request.source,
      ...(request.scheduleName ? { schedule: request.scheduleName } : {}),
      targets: scan.targets,
      excludes: scan.excludes,
      protocols: scan.protocols,
    });
    placeholder.done = this.#run(job, scan, stop);
    return scan.scanId;
  }

  /** Asks the running scan `scanId` to stop (it still writes what it found). */
  cancel(scanId: string): void {
    const cur = this.#current;
    if (!cur?.scan || cur.scan.scanId !== scanId) {
      throw new ApiError(404, 'ERR_GUI_NOT_FOUND', `scan ${scanId} is not running in this GUI`);
    }
    this.#opts.log.info('scan cancelled from the GUI', { scanId });
    cur.controller.abort(new ScannerError('ERR_ABORTED', 'cancelled from the GUI'));
  }

  /** Cancels the running scan, if any, and waits until its results are written. */
  async stop(): Promise<void> {
    const cur = this.#current;
    if (!cur) return;
    cur.controller.abort(new ScannerError('ERR_ABORTED', 'the GUI is stopping'));
    await cur.done;
  }

  async #run(
    job: Awaited<ReturnType<typeof prepareScanJob>>,
    scan: RunningScan,
    signal: AbortSignal,
  ): Promise<void> {
    const { hub, log, secrets } = this.#opts;
    let lastProgressAt = 0;
    let pending: NodeJS.Timeout | null = null;
    const sendProgress = () => {
      pending = null;
      lastProgressAt = Date.now();
      hub.publish('scan.progress', { scanId: scan.scanId, progress: scan.progress });
    };
    // The upload's one-line outcome (what `scan` prints on stderr) goes to app.log.
    const uploadReport = new Writable({
      write(chunk: Buffer, _enc, done) {
        const line = secrets.scrub(chunk.toString('utf8').trim());
        if (line) log.info('scan upload', { scanId: scan.scanId, outcome: line });
        done();
      },
    });
    let summary: ScanSummary | null = null;
    try {
      summary = await job.run(
        {
          upload: true,
          uploadReport,
          progress: (p) => {
            scan.progress = p;
            if (pending) return;
            const wait = PROGRESS_EVERY_MS - (Date.now() - lastProgressAt);
            if (wait <= 0) sendProgress();
            else pending = setTimeout(sendProgress, wait);
          },
          host: (record) => {
            const row = hostSummary(record);
            for (const p of row.protocols)
              if (p.error) p.error.message = secrets.scrub(p.error.message);
            if (scan.hosts.length < MAX_LIVE_HOSTS) scan.hosts.push(row);
            else scan.hostsTruncated = true;
            hub.publish('scan.host', { scanId: scan.scanId, host: row });
          },
          warning: (message) =>
            hub.publish('scan.warning', { scanId: scan.scanId, message: secrets.scrub(message) }),
        },
        signal,
      );
    } catch (err) {
      const error =
        err instanceof ScannerError
          ? { code: err.code, message: secrets.scrub(err.message) }
          : { code: 'ERR_GUI_INTERNAL', message: 'the scan failed (details in logs/agent.log)' };
      log.error('GUI scan failed', { scanId: scan.scanId, error: (err as Error).message });
      if (pending) clearTimeout(pending);
      this.#current = null;
      hub.publish('scan.finished', { scanId: scan.scanId, summary: null, error });
      this.#opts.onFinished?.(scan.scanId, null);
      return;
    }
    if (pending) clearTimeout(pending);
    sendProgress();
    this.#current = null;
    log.info('GUI scan finished', { scanId: scan.scanId, state: summary.state });
    hub.publish('scan.finished', { scanId: scan.scanId, summary });
    this.#opts.onFinished?.(scan.scanId, summary);
  }
}
