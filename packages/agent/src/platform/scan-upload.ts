// A scan's upload (`scan` without --no-upload, with an integration configured): a result writer
// that stages host records in the store and cuts them into outbox batches, then one short drain
// after the scan. Nothing here changes the scan's outcome: a failure is one line on stderr and
// what could not be sent stays in the outbox for `uploads flush` or the service.
import type { Writable } from 'node:stream';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import type { Config } from '../config/config.js';
import { openDataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ResultWriter } from '../scan/result-writers.js';
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
  /** Add to the scan's writers: stages records, and queues the final batch at `finish`. */
  writer: ResultWriter;
  /** One drain with the scan budget, one line on stderr, then closes. Never throws. */
  send(signal: AbortSignal): Promise<DrainResult | null>;
}

export interface ScanUploadOptions {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  config: Config;
  /** The scan's agent.log logger. */
  log: Logger;
  stderr: Writable;
  now?: () => Date;
}

/**
 * Opens the upload for a scan; null when no integration is configured. When the integration or
 * the store cannot be opened the scan still runs: one warning line, and null.
 */
export async function openScanUpload(
  start: ScanUploadStart,
  opts: ScanUploadOptions,
): Promise<ScanUpload | null> {
  let link: PlatformLink | null;
  try {
    const dir = await openDataDir(opts.dataDir, opts.env);
    link = await openPlatformLink(dir, opts.config, { env: opts.env });
    if (!link) return null;
    link.store.scans.begin(
      link.integration.agentId,
      initialSummary(start, opts.now?.() ?? new Date()),
    );
  } catch (err) {
    warn(opts, `results stay local, the upload cannot start: ${describe(err)}`);
    return null;
  }
  return new ScanUploadSession(link, start.scanId, opts);
}

class ScanUploadSession implements ScanUpload {
  readonly #link: PlatformLink;
  readonly #scanId: string;
  readonly #opts: ScanUploadOptions;
  /** Set once staging failed: the scan goes on, the rest of it is not queued. */
  #broken = false;
  #closed = false;
  readonly writer: ResultWriter;

  constructor(link: PlatformLink, scanId: string, opts: ScanUploadOptions) {
    this.#link = link;
    this.#scanId = scanId;
    this.#opts = opts;
    this.writer = {
      host: async (record: HostRecord) =>
        this.#guard(() => link.store.scans.addHost(scanId, record)),
      finish: async (summary: ScanSummary) =>
        this.#guard(() => link.store.scans.finish(scanId, summary)),
      abort: async () => {
        // The scan failed: close it as failed so the platform hears of it, then let go.
        this.#guard(() => link.store.scans.fail(scanId));
        await this.#close();
      },
    };
  }

  async send(signal: AbortSignal): Promise<DrainResult | null> {
    if (this.#closed) return null;
    const link = this.#link;
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
      this.#opts.log.error('upload staging failed; the rest of the scan stays local', {
        scanId: this.#scanId,
        error: describe(err),
      });
      warn(this.#opts, `cannot queue the results for upload: ${describe(err)}`);
    }
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#link.close();
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
