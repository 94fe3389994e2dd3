// A private, throw-away PostgreSQL cluster for tests and the bench, from Debian's binaries:
// initdb into a temp dir, listen only on a unix socket inside it, stop by PID. Not shipped
// (excluded from the build).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** `postgresql://postgres@/postgres?host=<socket dir>`. */
  url: string;
  /** A URL for database `name` in the cluster. */
  urlFor(name: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The directory holding initdb/postgres: the newest /usr/lib/postgresql/N/bin, else null. */
export function findPgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function pgUnavailableReason(): string | null {
  if (findPgBin() === null) {
    return 'PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)';
  }
  if (process.getuid?.() === 0 && userIds('postgres') === null) {
    return 'running as root and there is no postgres user to run the cluster as';
  }
  return null;
}

function userIds(name: string): { uid: number; gid: number } | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts a cluster. As root it runs as the `postgres` user (initdb refuses root). `fast` turns
 * fsync off (tests); the bench keeps PostgreSQL's durable defaults.
 */
export async function startPgCluster(opts: { fast?: boolean } = {}): Promise<PgCluster> {
  const bin = findPgBin();
  if (bin === null) throw new Error(pgUnavailableReason() ?? 'no PostgreSQL');
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-pg-'));
  const ids = process.getuid?.() === 0 ? userIds('postgres') : null;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const as = ids ? { uid: ids.uid, gid: ids.gid } : {};
  const data = join(dir, 'data');
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'],
    { ...as, encoding: 'utf8', cwd: dir },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const args = ['-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'max_connections=50'];
  if (opts.fast)
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, {
    ...as,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (log.length < 64 * 1024) log += d.toString('utf8');
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}`;
  const urlFor = (name: string): string =>
    `postgresql://postgres@/${name}?host=${encodeURIComponent(dir)}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGINT is PostgreSQL's "fast shutdown": no waiting for clients.
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when a connection succeeds; bounded (200 tries, ~20 s), and fails fast if it exited.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`postgres exited during start-up: ${log}`);
    }
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (attempt >= 200) {
        await stop();
        throw new Error(`postgres did not accept connections: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    urlFor,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return urlFor(name);
    },
    stop,
  };
}
