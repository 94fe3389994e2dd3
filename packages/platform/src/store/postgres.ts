// PostgreSQL driver (pg): a small pool; `?` placeholders become `$n`; a transaction holds one
// pooled client from BEGIN to COMMIT.
import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

const POOL_SIZE = 8;

/** `?` → `$1, $2…`. The store's SQL never has a `?` inside a string literal. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

function executor(q: Queryable): SqlExecutor {
  const query = async <T extends object>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<{ rows: T[]; rowCount: number | null }> => {
    const values = params ? params.map((p) => (typeof p === 'bigint' ? p.toString() : p)) : [];
    const r = await q.query(toPgPlaceholders(sql), values);
    return { rows: r.rows as T[], rowCount: r.rowCount };
  };
  return {
    all: async <T extends object>(sql: string, params?: readonly SqlValue[]) =>
      (await query<T>(sql, params)).rows,
    get: async <T extends object>(
      sql: string,
      params?: readonly SqlValue[],
    ): Promise<T | undefined> => {
      const { rows } = await query<T>(sql, params);
      return rows[0];
    },
    run: async (sql: string, params?: readonly SqlValue[]) => ({
      changes: (await query(sql, params)).rowCount ?? 0,
    }),
    exec: async (sql: string) => {
      await q.query(sql);
    },
  };
}

// BIGINT (int8) columns come back as JS numbers: the store's counters stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Connects a pool to `url` (`postgresql://user:pass@host:port/db`, `?host=/socket/dir` works). */
export async function openPostgres(url: string): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Fail at open time, with the server's message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const ex = executor(pool);
  return {
    dialect: 'postgres',
    location: redactUrl(url),
    ...ex,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await fn(executor(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
