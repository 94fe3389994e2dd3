// SQLite driver (better-sqlite3): one connection in WAL mode with synchronous=FULL, so a batch
// acknowledged to an agent survives a crash of the process or the machine.
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/** How long a writer waits for another process's lock (a CLI `token create` next to `serve`). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * A promise queue: better-sqlite3 is synchronous, but a transaction's body is async (it awaits
 * the executor), so two transactions on the one connection must not interleave their statements.
 */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function bind(params: readonly SqlValue[] | undefined): SqlValue[] {
  return params ? [...params] : [];
}

/** Prepared statements kept per SQL text; bounded, since IN lists make many distinct texts. */
const STATEMENT_CACHE_SIZE = 256;

function executor(db: Database.Database): SqlExecutor {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (st === undefined) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  return {
    all: async <T extends object>(sql: string, params?: readonly SqlValue[]) =>
      prepare(sql).all(...bind(params)) as T[],
    get: async <T extends object>(sql: string, params?: readonly SqlValue[]) =>
      prepare(sql).get(...bind(params)) as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => ({
      changes: prepare(sql).run(...bind(params)).changes,
    }),
    exec: async (sql: string) => {
      db.exec(sql);
    },
  };
}

/**
 * Opens (creating when missing) the SQLite file. Statements outside a transaction also wait for
 * a running transaction, so a read never sees another request's uncommitted batch.
 */
export function openSqlite(file: string): SqlDriver {
  const db = new Database(file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const mutex = new Mutex();
  const ex = executor(db);
  let closed = false;
  return {
    dialect: 'sqlite',
    location: file,
    all: (sql, params) => mutex.lock(() => ex.all(sql, params)),
    get: (sql, params) => mutex.lock(() => ex.get(sql, params)),
    run: (sql, params) => mutex.lock(() => ex.run(sql, params)),
    exec: (sql) => mutex.lock(() => ex.exec(sql)),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      mutex.lock(async () => {
        // IMMEDIATE takes the write lock up front: no upgrade deadlock with another process.
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(ex);
          db.exec('COMMIT');
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () =>
      mutex.lock(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}
