// The one interface the platform's store code talks to: SQL with `?` placeholders, run on SQLite
// (sqlite.ts) or PostgreSQL (postgres.ts). Everything above it (migrations, tokens, ingest,
// reads) is written once against this interface, in the SQL both engines accept.

/** A value a statement can bind. Booleans are stored as 0/1 and JSON as TEXT on both engines. */
export type SqlValue = string | number | bigint | null;

/** Runs statements; inside a transaction every call joins that transaction. */
export interface SqlExecutor {
  /** Rows of a SELECT (or of `… RETURNING`). Column names come back as written in the SQL. */
  all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row or undefined. */
  get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without rows; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Where the data lives, for logs (file path or the URL without its password). */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (and
   * the error rethrown). Transactions are serialised on SQLite (one connection, one writer) and
   * run on their own pooled connection on PostgreSQL. `fn` must use the executor it is given,
   * never the driver, or its statements fall outside the transaction.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes the connection(s); waits for a running transaction. */
  close(): Promise<void>;
}

/** The `…` in `IN (…)`: n placeholders. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
