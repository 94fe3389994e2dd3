// The agent's scans: those the platform starts over the control channel (`scan.start`,
// `scan.cancel`) and those the scheduler starts. One at a time, through the same pipeline as
// `nopesight-scanner scan` (scan-job.ts) — results/, the store with who started it, the outbox
// when an integration is configured — with `scan.progress` at most once a second and
// `scan.completed` at the end (sent when the control channel is up).
import { Writable } from 'node:stream';
import type { ScanSummary } from '@nopesight/model';
import { loadConfig } from '../config/config.js';
import type { DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import type { LogFiles, Logger } from '../log/logger.js';
import { prepareScanJob } from '../scan/scan-job.js';
import type { ScanProgress } from '../scan/run-scan.js';
import type { Store } from '../store/index.js';
import { describeScanSource, type ScanSource } from '../store/scans.js';
import { CommandError } from './control-channel.js';
import { checkScanSpec, readScanSpec } from './scan-spec.js';

/** `scan.progress` is sent at most this often (docs/protocol.md). */
export const PROGRESS_INTERVAL_MS = 1000;

export interface RemoteScansOptions {
  dir: Pick<DataDir, 'root' | 'configFile'>;
  env: NodeJS.ProcessEnv;
  /** agent.log */
  log: Logger;
  /** The agent's log files and store, which its scans use (one writer, one connection). */
  logs?: LogFiles;
  store?: Store;
  /** Sends an agent-started message on the control channel (dropped when disconnected). */
  notify(type: 'scan.progress' | 'scan.completed', payload: Record<string, unknown>): void;
  /** Called when the status a heartbeat reports changes (scanning, idle, error). */
  onStatusChange(): void;
  now?: () => number;
}

export interface ScanStatus {
  status: 'idle' | 'scanning' | 'error';
  error?: { code: string; message: string };
}

interface Running {
  scanId: string | null;
  source: ScanSource;
  controller: AbortController;
  done: Promise<void>;
}

export class RemoteScans {
  readonly #o: RemoteScansOptions;
  readonly #now: () => number;
  #running: Running | null = null;
  #lastError: { code: string; message: string } | null = null;

  constructor(options: RemoteScansOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** `scanning` while a scan runs; `error` when the last one failed; else `idle`. */
  status(): ScanStatus {
    if (this.#running) return { status: 'scanning' };
    if (this.#lastError) return { status: 'error', error: this.#lastError };
    return { status: 'idle' };
  }

  /**
   * Validates the request like `scan` does and starts the scan for `source` (the platform
   * unless said); resolves with its id once it runs. `busy` while another scan runs or starts;
   * `bad_request` for bad targets, ports or protocols (nothing is scanned then).
   */
  async start(
    payload: Record<string, unknown>,
    source: ScanSource = { kind: 'platform' },
  ): Promise<{ scanId: string }> {
    if (this.#running) {
      const r = this.#running;
      throw new CommandError(
        'busy',
        `scan ${r.scanId ?? '(starting)'} started by ${describeScanSource(r.source)} is running; cancel it or wait`,
      );
    }
    const controller = new AbortController();
    let release!: () => void;
    // Taken before the first await, so two requests at once cannot both start.
    const running: Running = {
      scanId: null,
      source,
      controller,
      done: new Promise<void>((r) => (release = r)),
    };
    this.#running = running;
    try {
      const spec = readScanSpec(payload);
      checkScanSpec(spec, await loadConfig(this.#o.dir.configFile));
      const job = await prepareScanJob({
        dataDir: this.#o.dir.root,
        env: this.#o.env,
        targets: spec.targets,
        excludes: spec.excludes,
        ports: spec.ports,
        protocols: spec.protocols,
        allowLarge: false,
        overrides: {},
        signal: controller.signal,
        source,
        logs: this.#o.logs,
        store: this.#o.store,
      });
      running.scanId = job.scanId;
      this.#lastError = null;
      this.#o.onStatusChange();
      void this.#run(job, running).finally(release);
      return { scanId: job.scanId };
    } catch (err) {
      this.#running = null;
      release();
      throw err;
    }
  }

  /** Cancels the running scan `payload.scanId`; `not_found` when that scan is not running. */
  cancel(payload: Record<string, unknown>): { scanId: string; state: 'cancelled' } {
    const scanId = payload.scanId;
    if (typeof scanId !== 'string' || scanId.length === 0) {
      throw new CommandError('bad_request', 'scanId must be a non-empty string');
    }
    const running = this.#running;
    if (!running || running.scanId !== scanId) {
      throw new CommandError('not_found', `scan ${scanId} is not running`);
    }
    this.#o.log.info('scan cancelled by the platform', {
      scanId,
      source: describeScanSource(running.source),
    });
    running.controller.abort(new ScannerError('ERR_ABORTED', 'cancelled by the platform'));
    return { scanId, state: 'cancelled' };
  }

  /** Cancels a running scan and waits until it has written what it found (shutdown). */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.controller.abort(new ScannerError('ERR_ABORTED', 'the agent is stopping'));
    await running.done;
  }

  async #run(job: Awaited<ReturnType<typeof prepareScanJob>>, running: Running): Promise<void> {
    const { scanId } = job;
    const log = this.#o.log;
    let lastProgress = 0;
    const progress = (p: ScanProgress) => {
      const now = this.#now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      this.#o.notify('scan.progress', { scanId, ...p });
    };
    // The upload's one-line outcome (the CLI prints it on stderr) goes to agent.log.
    const uploadReport = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        log.info(chunk.toString('utf8').trim(), { scanId });
        callback();
      },
    });
    try {
      const summary: ScanSummary = await job.run(
        { progress, upload: true, uploadReport },
        running.controller.signal,
      );
      this.#o.notify('scan.completed', { scanId, state: summary.state, summary });
    } catch (err) {
      const code = err instanceof ScannerError ? err.code : 'ERR_INTERNAL';
      this.#lastError = { code, message: (err as Error).message };
      log.error('scan ended with an error', {
        scanId,
        source: describeScanSource(running.source),
        error: this.#lastError,
      });
      this.#o.notify('scan.completed', {
        scanId,
        state: 'failed',
        error: this.#lastError,
      });
    } finally {
      this.#running = null;
      this.#o.onStatusChange();
    }
  }
}
