// Every scan the agent runs, with who started it (the scan history), and the upload of those
// sent to the platform: their host records are staged as they finish and cut into protocol
// batches (docs/protocol.md) in the outbox — as the scan goes, every 500 records, and when it
// ends, with a final batch carrying the summary. Each cut is one transaction that writes the
// batch and deletes the records it holds, so a kill -9 leaves a record staged or batched once.
// A scan recorded without upload (no integration, --no-upload) keeps its counts and summary
// only: its records are in results/<id>.json.
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { ScannerError } from '../errors.js';
import { BATCH_LIMITS, batchKey, encodeBatch } from './batch.js';
import type { Db } from './database.js';
import type { OutboxStore } from './outbox.js';

/** Staged JSON above which a batch is cut before 500 records (well under 64 MiB raw). */
const STAGE_CUT_BYTES = 16 * 1024 * 1024;

/** Who started a scan: stable words in the store, logs and the GUI's history. */
export type ScanSourceKind = 'cli' | 'gui' | 'platform' | 'schedule';

export interface ScanSource {
  kind: ScanSourceKind;
  /** For `schedule`: the schedule's id and its name at the time of the run. */
  scheduleId?: string;
  scheduleName?: string;
}

/** How logs name a source: `cli`, `gui`, `platform` or `schedule <name>`. */
export function describeScanSource(source: ScanSource): string {
  return source.kind === 'schedule'
    ? `schedule ${source.scheduleName ?? source.scheduleId ?? '?'}`
    : source.kind;
}

export interface BeginOptions {
  /** Who started it; unrecorded (null) when not given. */
  source?: ScanSource;
  /** False: record the scan without staging its records or cutting batches. Default true. */
  upload?: boolean;
}

export interface ScanRow {
  id: string;
  /** '' for a scan recorded without upload. */
  agentId: string;
  state: ScanSummary['state'];
  startedAt: string;
  finishedAt: string | null;
  /** Batches cut so far (the next batch's seq). */
  batches: number;
  /** Host records recorded so far. */
  hosts: number;
  /** Records not yet cut into a batch. */
  staged: number;
  summary: ScanSummary | null;
  /** The summary known at the start (targets, ports, protocols). */
  initial?: ScanSummary;
  /** Who started it; null for scans recorded before sources were (store version 6). */
  source?: ScanSource | null;
  /** False when the scan is recorded only, not sent to the platform. */
  upload?: boolean;
}

interface Row {
  id: string;
  agent_id: string;
  state: ScanSummary['state'];
  started_at: string;
  finished_at: string | null;
  initial: string;
  summary: string | null;
  next_seq: number;
  hosts: number;
  pid: number;
  source: string | null;
  schedule_id: string | null;
  schedule_name: string | null;
  upload: number;
}

const SOURCE_KINDS: ReadonlySet<string> = new Set<ScanSourceKind>([
  'cli',
  'gui',
  'platform',
  'schedule',
]);

export class ScanStore {
  readonly #db: Db;
  readonly #outbox: OutboxStore;
  readonly #now: () => Date;

  constructor(db: Db, outbox: OutboxStore, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#outbox = outbox;
    this.#now = now;
  }

  /**
   * Starts recording a scan, for upload as `agentId` (null: recorded only, never sent — then
   * `options.upload` is false whatever it says). `initial` is its summary as known at the start
   * (targets, ports, protocols); it closes the scan if this process dies before `finish`.
   */
  begin(agentId: string | null, initial: ScanSummary, options: BeginOptions = {}): void {
    const upload = agentId !== null && options.upload !== false;
    const source = options.source ?? null;
    this.#db
      .prepare(
        `INSERT INTO scans (id, agent_id, started_at, state, initial, pid, source, schedule_id,
                            schedule_name, upload)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        initial.scanId,
        upload ? agentId : '',
        initial.startedAt,
        JSON.stringify(initial),
        process.pid,
        source?.kind ?? null,
        source?.scheduleId ?? null,
        source?.scheduleName ?? null,
        upload ? 1 : 0,
      );
  }

  /**
   * Stages one host record (an uploaded scan) and cuts a batch once 500 records (or 16 MiB) are
   * staged; for a scan recorded only, counts it.
   */
  addHost(scanId: string, record: HostRecord): void {
    const json = JSON.stringify(record);
    this.#db.transaction(() => {
      const scan = this.#row(scanId);
      if (scan.state !== 'running') {
        throw new ScannerError('ERR_IO', `scan ${scanId} is ${scan.state}; no host can be added`);
      }
      if (scan.upload === 0) {
        this.#db.prepare('UPDATE scans SET hosts = hosts + 1 WHERE id = ?').run(scanId);
        return;
      }
      this.#db
        .prepare('INSERT INTO host_records (scan_id, idx, address, record) VALUES (?, ?, ?, ?)')
        .run(scanId, scan.hosts, record.address, json);
      this.#db.prepare('UPDATE scans SET hosts = hosts + 1 WHERE id = ?').run(scanId);
      const staged = this.#staged(scanId);
      if (staged.count >= BATCH_LIMITS.maxHosts || staged.bytes >= STAGE_CUT_BYTES) {
        this.#cut(scan, null);
      }
    })();
  }

  /**
   * Ends a scan: cuts what is staged into batches, the last one final with `summary`, and
   * records the summary; one transaction. A scan with no host still gets its final batch.
   */
  finish(scanId: string, summary: ScanSummary): void {
    this.#db.transaction(() => {
      const scan = this.#row(scanId);
      if (scan.state !== 'running') return;
      if (scan.upload === 0) {
        this.#end(scanId, summary);
        return;
      }
      let staged = this.#staged(scanId).count;
      // Each cut takes at least one record, so this ends; the bound is a guard.
      for (let i = 0; i <= staged + 1; i++) {
        if (this.#cut(this.#row(scanId), summary)) break;
      }
      staged = this.#staged(scanId).count;
      if (staged > 0) throw new Error(`scan ${scanId}: ${staged} records left after the final cut`);
      this.#end(scanId, summary);
    })();
  }

  /** Marks the scan ended with its summary (state, finish time). */
  #end(scanId: string, summary: ScanSummary): void {
    this.#db
      .prepare('UPDATE scans SET state = ?, finished_at = ?, summary = ? WHERE id = ?')
      .run(
        summary.state,
        summary.finishedAt ?? this.#now().toISOString(),
        JSON.stringify(summary),
        scanId,
      );
  }

  /**
   * Closes scans whose process is gone (killed, crashed) as `failed`, sending what they had
   * recorded. Called before each drain. Returns the ids closed.
   */
  recoverAbandoned(isAlive: (pid: number) => boolean = processAlive): string[] {
    const rows = this.#db
      .prepare("SELECT * FROM scans WHERE state = 'running' AND pid != ?")
      .all(process.pid) as Row[];
    const dead = rows.filter((row) => !isAlive(row.pid));
    for (const row of dead) this.#closeAsFailed(row);
    return dead.map((row) => row.id);
  }

  /** Closes a running scan of this process as `failed` (the scan itself failed). */
  fail(scanId: string): void {
    const row = this.#row(scanId);
    if (row.state === 'running') this.#closeAsFailed(row);
  }

  /** The summary known at the start, marked failed, with what was recorded as the counts. */
  #closeAsFailed(row: Row): void {
    const initial = JSON.parse(row.initial) as ScanSummary;
    const now = this.#now();
    this.finish(row.id, {
      ...initial,
      state: 'failed',
      finishedAt: now.toISOString(),
      durationMs: Math.max(0, now.getTime() - Date.parse(row.started_at)),
      counts: { swept: initial.counts.swept, alive: row.hosts, collected: row.hosts },
    });
  }

  /** A scan's row; null when unknown. */
  get(scanId: string): ScanRow | null {
    const row = this.#db.prepare('SELECT * FROM scans WHERE id = ?').get(scanId) as Row | undefined;
    return row ? this.#toScanRow(row) : null;
  }

  /**
   * The scan history, newest first: every scan recorded (uploaded or not) until pruned after
   * `results.maxAgeDays`. `limit` is capped at 1000.
   */
  list(options: { limit?: number; offset?: number } = {}): ScanRow[] {
    const limit = Math.max(0, Math.min(1000, Math.floor(options.limit ?? 100)));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const rows = this.#db
      .prepare('SELECT * FROM scans ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?')
      .all(limit, offset) as Row[];
    return rows.map((row) => this.#toScanRow(row));
  }

  #toScanRow(row: Row): ScanRow {
    return {
      id: row.id,
      agentId: row.agent_id,
      state: row.state,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      batches: row.next_seq,
      hosts: row.hosts,
      staged: this.#staged(row.id).count,
      summary: row.summary === null ? null : (JSON.parse(row.summary) as ScanSummary),
      initial: JSON.parse(row.initial) as ScanSummary,
      source: sourceOf(row),
      upload: row.upload === 1,
    };
  }

  /**
   * Scans recorded per state (every scan since store version 6; before, those run with an
   * integration), until pruned after `results.maxAgeDays`: what the control channel's metrics
   * count.
   */
  stateCounts(): Record<ScanSummary['state'], number> {
    const counts = { running: 0, completed: 0, cancelled: 0, failed: 0 };
    const rows = this.#db
      .prepare('SELECT state, count(*) AS n FROM scans GROUP BY state')
      .all() as {
      state: ScanSummary['state'];
      n: number;
    }[];
    for (const row of rows) if (Object.hasOwn(counts, row.state)) counts[row.state] = row.n;
    return counts;
  }

  /** Forgets finished scans older than `before` whose batches have all left the outbox. */
  prune(before: Date): number {
    return this.#db
      .prepare(
        `DELETE FROM scans WHERE state != 'running' AND finished_at < ?
           AND id NOT IN (SELECT scan_id FROM outbox)`,
      )
      .run(before.toISOString()).changes;
  }

  #row(scanId: string): Row {
    const row = this.#db.prepare('SELECT * FROM scans WHERE id = ?').get(scanId) as Row | undefined;
    if (!row) throw new ScannerError('ERR_IO', `scan ${scanId} is not recorded in the store`);
    return row;
  }

  #staged(scanId: string): { count: number; bytes: number } {
    return this.#db
      .prepare(
        'SELECT count(*) AS count, coalesce(sum(length(record)), 0) AS bytes FROM host_records WHERE scan_id = ?',
      )
      .get(scanId) as { count: number; bytes: number };
  }

  /**
   * Cuts one batch from the oldest staged records: as many as fit the protocol limits (halving
   * from 500). With `summary`, the batch is final when every staged record fits in it; returns
   * true when a final batch was cut. Runs inside the caller's transaction.
   */
  #cut(scan: Row, summary: ScanSummary | null): boolean {
    const rows = this.#db
      .prepare('SELECT idx, record FROM host_records WHERE scan_id = ? ORDER BY idx LIMIT ?')
      .all(scan.id, BATCH_LIMITS.maxHosts + 1) as { idx: number; record: string }[];
    let n = Math.min(rows.length, BATCH_LIMITS.maxHosts);
    const base = { agentId: scan.agent_id, scanId: scan.id, seq: scan.next_seq };
    // Halving from 500 reaches one record in at most nine steps.
    for (let step = 0; step < 12; step++) {
      const hosts = rows.slice(0, n).map((r) => r.record);
      const final = summary !== null && n === rows.length;
      const encoded = encodeBatch({ ...base, final, hosts, ...(final ? { summary } : {}) });
      if (encoded === null) {
        n = Math.floor(n / 2);
        continue;
      }
      const lastIdx = n > 0 ? rows[n - 1]!.idx : -1;
      if (encoded.gzip.length > BATCH_LIMITS.maxGzipBytes && n === 1) {
        // One record alone breaks the limit (encodeBatch only lets that through): it is kept as
        // a dead letter on its own, and the summary follows in a batch of its own.
        const alone = final ? encodeBatch({ ...base, final: false, hosts })! : encoded;
        this.#store(scan, false, 1, alone.gzip, lastIdx, oversize(alone.gzip.length));
        return false;
      }
      this.#store(scan, final, n, encoded.gzip, lastIdx, undefined);
      return final;
    }
    throw new Error(`scan ${scan.id}: no batch size fits the protocol limits`);
  }

  #store(
    scan: Row,
    final: boolean,
    hosts: number,
    body: Buffer,
    lastIdx: number,
    deadReason: string | undefined,
  ): void {
    const seq = scan.next_seq;
    this.#outbox.enqueue({
      key: batchKey(scan.agent_id, scan.id, seq),
      scanId: scan.id,
      seq,
      final,
      hosts,
      body,
      ...(deadReason === undefined ? {} : { deadReason }),
    });
    this.#db
      .prepare('DELETE FROM host_records WHERE scan_id = ? AND idx <= ?')
      .run(scan.id, lastIdx);
    this.#db.prepare('UPDATE scans SET next_seq = next_seq + 1 WHERE id = ?').run(scan.id);
    scan.next_seq = seq + 1;
  }
}

function sourceOf(row: Row): ScanSource | null {
  if (row.source === null || !SOURCE_KINDS.has(row.source)) return null;
  return {
    kind: row.source as ScanSourceKind,
    ...(row.schedule_id === null ? {} : { scheduleId: row.schedule_id }),
    ...(row.schedule_name === null ? {} : { scheduleName: row.schedule_name }),
  };
}

function oversize(bytes: number): string {
  return `one host record is ${bytes} bytes of gzip, over the protocol's ${BATCH_LIMITS.maxGzipBytes} per batch; not sent`;
}

/** True while a process with this pid exists (EPERM: it exists but is someone else's). */
export function processAlive(pid: number): boolean {
  try {
    return Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
