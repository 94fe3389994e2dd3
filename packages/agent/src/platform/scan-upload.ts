// A scan's row in the store and, with an integration configured and upload wanted, its upload:
// a result writer that records the scan (who started it, its counts and summary: the scan
// history) and, when uploading, stages its host records and cuts them into outbox batches; then
// one short drain after the scan. Without an integration (or with --no-upload) the scan is
// recorded only: nothing is staged or queued. Nothing here changes the scan's outcome: a failure
// is one line on the upload report and what could not be sent stays in the outbox for
// `uploads flush` or the service.
import type { Writable } from 'node:stream';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import type { Config } from '../config/config.js';
import type { DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import type { LogFiles, Logger } from '../log/logger.js';
import type { ResultWriter } from '../scan/result-writers.js';
import type { Store } from '../store/index.js';
import type { ScanSource } from '../store/scans.js';
import { openPlatformLink, type PlatformLink } from './link.js';
import type { DrainResult } from './uploader.js';

/** The drain a scan attempts before it exits: short, and no waiting on a failing platform. */
export const SCAN_DRAIN = { budgetMs: 15_000, maxConsecutiveFailures: 1 } as const;

/** What the scan is, as known before it runs (the start of its summary). */
export interface ScanUploadStart {
  scanId: string;
  targets: string[];
  excludes: string[];
  ports: { tcp: number[]; udp: number[] };
  protocols: string[];
}

export interface ScanUpload {
  /** Add to the scan's writers: records the scan, stages records when uploading, and closes
   * the row (queuing the final batch when uploading) at `finish`. */
  writer: ResultWriter;
  /** True when the scan's records are queued for the platform. */
  uploading: boolean;
  /** Uploading: one drain with the scan budget and one line on the report. Never throws. */
  send(signal: AbortSignal): Promise<DrainResult | null>;
}

export interface ScanUploadOptions {
  dir: DataDir;
  env: NodeJS.ProcessEnv;
  config: Config;
  /** The scan's store (its owner closes it). */
  store: Store;
  /** The scan's log files (its owner closes them): integrations.log for the upload. */
  logs: LogFiles;
  /** The scan's agent.log logger. */
  log: Logger;
  /** Who started the scan (stored with it). */
  source: ScanSource;
  /** False: record the scan only (`--no-upload`). */
  upload: boolean;
  /** Where the upload's one-line outcome goes (the CLI's stderr, the agent's agent.log). */
  stderr: Writable;
  now?: () => Date;
}

/**
 * Records the scan in the store, for upload when `upload` is wanted and an integration is
 * configured. When the integration cannot be opened the scan is recorded locally (one warning
 * line); when the store cannot record it either, null (one warning line) and the scan still runs.
 */
export async function openScanUpload(
  start: ScanUploadStart,
  opts: ScanUploadOptions,
): Promise<ScanUpload | null> {
  let link: PlatformLink | null = null;
  if (opts.upload) {
    try {
      link = await openPlatformLink(opts.dir, opts.config, {
        env: opts.env,
        logs: opts.logs,
        store: opts.store,
      });
    } catch (err) {
      warn(opts, `results stay local, the upload cannot start: ${describe(err)}`);
    }
  }
  try {
    opts.store.scans.begin(
      link?.integration.agentId ?? null,
      initialSummary(start, opts.now?.() ?? new Date()),
      { source: opts.source, upload: link !== null },
    );
  } catch (err) {
    await link?.close();
    const what = link ? 'the upload cannot start' : 'the scan is not recorded in the store';
    warn(opts, `results stay local, ${what}: ${describe(err)}`);
    return null;
  }
  return new ScanUploadSession(link, start.scanId, opts);
}

class ScanUploadSession implements ScanUpload {
  readonly #link: PlatformLink | null;
  readonly #scanId: string;
  readonly #opts: ScanUploadOptions;
  /** Set once recording failed: the scan goes on, the rest of it is not recorded or queued. */
  #broken = false;
  #closed = false;
  readonly writer: ResultWriter;
  readonly uploading: boolean;

  constructor(link: PlatformLink | null, scanId: string, opts: ScanUploadOptions) {
    this.#link = link;
    this.#scanId = scanId;
    this.#opts = opts;
    this.uploading = link !== null;
    const scans = opts.store.scans;
    this.writer = {
      host: async (record: HostRecord) => this.#guard(() => scans.addHost(scanId, record)),
      finish: async (summary: ScanSummary) => this.#guard(() => scans.finish(scanId, summary)),
      abort: async () => {
        // The scan failed: close it as failed (so the platform hears of it), then let go.
        this.#guard(() => scans.fail(scanId));
        await this.#close();
      },
    };
  }

  async send(signal: AbortSignal): Promise<DrainResult | null> {
    const link = this.#link;
    if (this.#closed || !link) return null;
    try {
      if (this.#broken) return null;
      link.store.outbox.dueNow();
      const result = await link.drain({ signal, ...SCAN_DRAIN });
      const name = link.integration.name;
      if (result.pending === 0 && result.stoppedBy === 'empty') {
        this.#opts.stderr.write(
          `upload: sent to '${name}' (${result.sent} batch${result.sent === 1 ? '' : 'es'})` +
            `${result.deadLetters > 0 ? `; ${result.deadLetters} dead letters (uploads status)` : ''}\n`,
        );
      } else {
        const why = result.lastError
          ? `${result.lastError.code}: ${result.lastError.message}`
          : result.stoppedBy === 'aborted'
            ? 'interrupted'
            : `stopped (${result.stoppedBy})`;
        warn(
          this.#opts,
          `${why}; ${result.pending} batch${result.pending === 1 ? '' : 'es'} kept in the outbox (nopesight-scanner uploads flush)`,
        );
      }
      return result;
    } catch (err) {
      warn(this.#opts, `${describe(err)}; what was queued stays in the outbox`);
      return null;
    } finally {
      await this.#close();
    }
  }

  #guard(fn: () => unknown): void {
    if (this.#broken) return;
    try {
      fn();
    } catch (err) {
      this.#broken = true;
      const what = this.uploading ? 'upload staging' : 'recording the scan';
      this.#opts.log.error(`${what} failed; the rest of the scan stays local`, {
        scanId: this.#scanId,
        error: describe(err),
      });
      warn(
        this.#opts,
        `cannot ${this.uploading ? 'queue the results for upload' : 'record the scan'}: ${describe(err)}`,
      );
    }
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#link?.close();
  }
}

function initialSummary(start: ScanUploadStart, at: Date): ScanSummary {
  return {
    scanId: start.scanId,
    state: 'running',
    startedAt: at.toISOString(),
    finishedAt: null,
    durationMs: 0,
    targets: start.targets,
    excludes: start.excludes,
    ports: start.ports,
    protocols: start.protocols,
    counts: { swept: 0, alive: 0, collected: 0 },
    statuses: {},
  };
}

function describe(err: unknown): string {
  return err instanceof ScannerError
    ? `${err.code}: ${err.message}`
    : String((err as Error)?.message ?? err);
}

function warn(opts: Pick<ScanUploadOptions, 'stderr'>, message: string): void {
  opts.stderr.write(`upload: ${message}\n`);
}
