// Brings a store to the newest schema: the same steps, bookkeeping and refusals on both drivers.
import { PlatformError } from '../errors.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { MIGRATIONS } from './migrations.js';

/** Any constant: the PostgreSQL advisory lock that serialises migrations between processes. */
const MIGRATION_LOCK = 0x6e6f7065;

async function currentVersion(ex: SqlExecutor): Promise<number> {
  const row = await ex.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}

/**
 * Applies the migrations the store lacks, each in its own transaction together with its row in
 * `schema_migrations`, so a crash leaves the store at a whole version. A store written by a
 * newer platform (a version this build does not know) is refused before anything is written.
 * Two processes migrating at once (a CLI next to a starting server) take turns: SQLite's write
 * lock, PostgreSQL's advisory lock, and the version is read again inside each transaction.
 */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly string[] = MIGRATIONS,
): Promise<number> {
  await driver.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const start = await currentVersion(driver);
  if (start > migrations.length) {
    throw new PlatformError(
      'internal',
      `the store at ${driver.location} has schema version ${start}, newer than this platform knows (${migrations.length}); use a newer platform`,
    );
  }
  for (let v = start; v < migrations.length; v++) {
    await driver.transaction(async (tx) => {
      if (driver.dialect === 'postgres') {
        await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
      }
      if ((await currentVersion(tx)) > v) return;
      await tx.exec(migrations[v]!);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
        v + 1,
        new Date().toISOString(),
      ]);
    });
  }
  return currentVersion(driver);
}
