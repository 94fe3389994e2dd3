// The agent's local store (DATA_DIR/scanner.db): one SQLite file through better-sqlite3, opened
// with WAL and a busy timeout so the service and a CLI can share it, and migrated forward in order.
import Database from 'better-sqlite3';
import { ScannerError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** How long a writer waits for another process's lock before failing (SQLite busy_timeout). */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite result codes that mean the file is not a usable database (it is left untouched). */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

function storeError(file: string, err: unknown): ScannerError {
  const code = (err as { code?: string }).code ?? '';
  if (CORRUPT_CODES.has(code)) {
    return new ScannerError(
      'ERR_STORE_CORRUPT',
      `${file} is not a readable SQLite database (${code}); it was left as it is: move it aside to start a new store`,
      { cause: err },
    );
  }
  return new ScannerError('ERR_IO', `cannot open the store ${file}: ${(err as Error).message}`, {
    cause: err,
  });
}

/**
 * Opens (creating when missing) and migrates the store. A file that is not a database, or is
 * corrupt, is ERR_STORE_CORRUPT and is never rewritten; a store written by a newer agent (a
 * schema version this build does not know) is ERR_STORE_CORRUPT too, so an old agent never
 * writes into a newer layout.
 */
export function openDatabase(file: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the schema is the first thing that touches the file's content: a non-database
    // file fails here, before anything is written.
    const version = db.pragma('user_version', { simple: true }) as number;
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (version > MIGRATIONS.length) {
      throw new ScannerError(
        'ERR_STORE_CORRUPT',
        `${file} has schema version ${version}, newer than this agent knows (${MIGRATIONS.length}); use a newer agent`,
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, version);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof ScannerError) throw err;
    throw storeError(file, err);
  }
}

/** Applies the migrations after `from`, each in its own transaction with its version bump. */
function migrate(db: Db, from: number): void {
  for (let v = from; v < MIGRATIONS.length; v++) {
    const step = MIGRATIONS[v]!;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
