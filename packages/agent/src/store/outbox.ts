// The upload outbox: protocol batches waiting for the platform (pending) or refused by it (dead).
// A batch leaves only when the platform has acknowledged it, so a crash at any moment keeps it;
// sending it again is harmless because the platform stores a batch once per Idempotency-Key.
import type { Db } from './database.js';

export type OutboxState = 'pending' | 'dead';

/** One batch without its body (for status and listings). */
export interface OutboxEntry {
  key: string;
  scanId: string;
  seq: number;
  final: boolean;
  hosts: number;
  bytes: number;
  createdAt: string;
  attempts: number;
  /** Epoch milliseconds before which the batch is not sent again. */
  nextAttemptAt: number;
  lastError: string | null;
  state: OutboxState;
}

/** A batch ready to send: the entry and its gzip body. */
export interface OutboxBatch extends OutboxEntry {
  body: Buffer;
}

/** What `enqueue` stores; called by ScanStore inside its batch-cutting transaction. */
export interface NewBatch {
  key: string;
  scanId: string;
  seq: number;
  final: boolean;
  hosts: number;
  body: Buffer;
  /** Dead from the start: a single host record larger than the protocol allows. */
  deadReason?: string;
}

export interface OutboxCounts {
  pending: number;
  deadLetters: number;
  pendingBytes: number;
  /** Epoch ms of the earliest pending retry time, or null when nothing is pending. */
  nextAttemptAt: number | null;
}

interface Row {
  batch_key: string;
  scan_id: string;
  seq: number;
  final: number;
  host_count: number;
  bytes: number;
  created_at: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  state: OutboxState;
  body?: Buffer;
}

const COLUMNS = `batch_key, scan_id, seq, final, host_count, length(body) AS bytes, created_at,
  attempts, next_attempt_at, last_error, state`;

function fromRow(r: Row): OutboxEntry {
  return {
    key: r.batch_key,
    scanId: r.scan_id,
    seq: r.seq,
    final: r.final === 1,
    hosts: r.host_count,
    bytes: r.bytes,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    state: r.state,
  };
}

export class OutboxStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Adds a batch (pending, due now). Runs inside the caller's transaction when there is one. */
  enqueue(batch: NewBatch): void {
    const now = this.#now();
    this.#db
      .prepare(
        `INSERT INTO outbox (batch_key, scan_id, seq, final, host_count, body, created_at,
           next_attempt_at, last_error, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.key,
        batch.scanId,
        batch.seq,
        batch.final ? 1 : 0,
        batch.hosts,
        batch.body,
        now.toISOString(),
        now.getTime(),
        batch.deadReason ?? null,
        batch.deadReason === undefined ? 'pending' : 'dead',
      );
  }

  counts(): OutboxCounts {
    const row = this.#db
      .prepare(
        `SELECT
           coalesce(sum(state = 'pending'), 0) AS pending,
           coalesce(sum(state = 'dead'), 0) AS dead,
           coalesce(sum(CASE WHEN state = 'pending' THEN length(body) END), 0) AS bytes,
           min(CASE WHEN state = 'pending' THEN next_attempt_at END) AS next
         FROM outbox`,
      )
      .get() as { pending: number; dead: number; bytes: number; next: number | null };
    return {
      pending: row.pending,
      deadLetters: row.dead,
      pendingBytes: row.bytes,
      nextAttemptAt: row.next,
    };
  }

  /** Batches in a state, oldest first, without bodies. */
  list(state: OutboxState, limit = 1000): OutboxEntry[] {
    return (
      this.#db
        .prepare(`SELECT ${COLUMNS} FROM outbox WHERE state = ? ORDER BY id LIMIT ?`)
        .all(state, limit) as Row[]
    ).map(fromRow);
  }

  /** One batch with its body, whatever its state; null when it is not in the outbox. */
  get(key: string): OutboxBatch | null {
    const row = this.#db
      .prepare(`SELECT ${COLUMNS}, body FROM outbox WHERE batch_key = ?`)
      .get(key) as Row | undefined;
    return row ? { ...fromRow(row), body: row.body! } : null;
  }

  /**
   * The oldest pending batch due at `nowMs`, with its body; null when none is due. Oldest first
   * keeps a scan's batches in seq order (the platform accepts any order; people read logs).
   */
  nextDue(nowMs: number): OutboxBatch | null {
    const row = this.#db
      .prepare(
        `SELECT ${COLUMNS}, body FROM outbox
         WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1`,
      )
      .get(nowMs) as Row | undefined;
    return row ? { ...fromRow(row), body: row.body! } : null;
  }

  /** Makes every pending batch due now (`uploads flush`: the user asks to try at once). */
  dueNow(): number {
    return this.#db
      .prepare(
        "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?",
      )
      .run(this.#now().getTime(), this.#now().getTime()).changes;
  }

  /** The platform has the batch (stored now or earlier): it leaves the outbox. */
  remove(key: string): boolean {
    return this.#db.prepare('DELETE FROM outbox WHERE batch_key = ?').run(key).changes > 0;
  }

  /** A transient failure: count it and wait until `nextAttemptAt` (epoch ms). */
  recordFailure(key: string, error: string, nextAttemptAt: number): void {
    this.#db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
         WHERE batch_key = ? AND state = 'pending'`,
      )
      .run(error, nextAttemptAt, key);
  }

  /** The platform refused the batch itself (400/413): kept as a dead letter. */
  markDead(key: string, error: string): void {
    this.#db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = 'dead'
         WHERE batch_key = ?`,
      )
      .run(error, key);
  }

  /**
   * Moves dead letters (all, or those with the given keys) back to pending, due now, with the
   * attempt count reset; returns how many moved.
   */
  retryDead(keys?: readonly string[]): number {
    const now = this.#now().getTime();
    const move = this.#db.prepare(
      `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?
       WHERE state = 'dead' AND (? IS NULL OR batch_key = ?)`,
    );
    return this.#db.transaction(() => {
      if (keys === undefined) return move.run(now, null, null).changes;
      let moved = 0;
      for (const key of keys) moved += move.run(now, key, key).changes;
      return moved;
    })();
  }
}
