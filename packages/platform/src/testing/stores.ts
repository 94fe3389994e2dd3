// The store drivers a shared test suite runs against: SQLite always, PostgreSQL when Debian's
// binaries are there (a private cluster per test file, a fresh database per store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type PlatformStore } from '../store/platform-store.js';
import { pgUnavailableReason, startPgCluster, type PgCluster } from './pg-cluster.js';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** Why this kind is skipped here (one line), or undefined. */
  skip: string | undefined;
  /** A new, empty, migrated store. */
  open(): Promise<PlatformStore>;
  /** Closes every store opened and stops what was started (call in after()). */
  cleanup(): Promise<void>;
}

export function sqliteKind(): StoreKind {
  const dirs: string[] = [];
  const stores: PlatformStore[] = [];
  return {
    name: 'sqlite',
    skip: undefined,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'nopesight-platform-test-'));
      dirs.push(dir);
      const s = await openStore({ dataDir: dir });
      stores.push(s);
      return s;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresKind(): StoreKind {
  const reason = pgUnavailableReason();
  let cluster: Promise<PgCluster> | null = null;
  const stores: PlatformStore[] = [];
  let n = 0;
  return {
    name: 'postgres',
    skip: reason === null ? undefined : `PostgreSQL tests skipped: ${reason}`,
    async open() {
      cluster ??= startPgCluster({ fast: true });
      const c = await cluster;
      const url = await c.createDatabase(`t${process.pid}_${++n}`);
      const s = await openStore({ dataDir: '/nonexistent', databaseUrl: url });
      stores.push(s);
      return s;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      if (cluster) await (await cluster).stop();
      cluster = null;
    },
  };
}

/** Both kinds, for `for (const kind of storeKinds()) describe(kind.name, …)`. */
export function storeKinds(): StoreKind[] {
  return [sqliteKind(), postgresKind()];
}
