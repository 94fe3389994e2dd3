// Tests openDatabase on real files: creation, migration, reopening, and files it must not touch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { rejectsWithCode } from '../../../../test/support/errors.js';

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-store-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Runs the synchronous openDatabase as a promise, for rejectsWithCode. */
const opening = (file: string): Promise<unknown> =>
  Promise.resolve().then(() => openDatabase(file));

test(
  'openDatabase creates the file, migrates to the latest version and uses WAL',
  withDir((dir) => {
    const file = join(dir, 'scanner.db');
    const db = openDatabase(file);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => (r as { name: string }).name);
      assert.ok(tables.includes('ssh_host_keys'));
    } finally {
      db.close();
    }
  }),
);

test(
  'reopening keeps the data and runs no migration twice',
  withDir((dir) => {
    const file = join(dir, 'scanner.db');
    const first = openDatabase(file);
    first
      .prepare(
        "INSERT INTO ssh_host_keys (address, port, key_type, fingerprint, first_seen, last_seen) VALUES ('198.18.0.10', 22, 'ssh-ed25519', 'SHA256:x', 't', 't')",
      )
      .run();
    first.close();
    const again = openDatabase(file);
    try {
      assert.equal(
        (again.prepare('SELECT count(*) AS n FROM ssh_host_keys').get() as { n: number }).n,
        1,
      );
    } finally {
      again.close();
    }
  }),
);

test(
  'a file that is not a database is ERR_STORE_CORRUPT and stays byte for byte the same',
  withDir(async (dir) => {
    const file = join(dir, 'scanner.db');
    const junk = Buffer.from('this is not sqlite\n'.repeat(300));
    writeFileSync(file, junk);
    const err = await rejectsWithCode(opening(file), 'ERR_STORE_CORRUPT');
    assert.match(err.message, /not a readable SQLite database/);
    assert.deepEqual(readFileSync(file), junk);
  }),
);

test(
  'a store from a newer agent is refused, not downgraded',
  withDir(async (dir) => {
    const file = join(dir, 'scanner.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    newer.close();
    const before = readFileSync(file);
    const err = await rejectsWithCode(opening(file), 'ERR_STORE_CORRUPT');
    assert.match(err.message, /newer than this agent knows/);
    assert.deepEqual(readFileSync(file), before);
  }),
);

test(
  'a directory that cannot hold the file is ERR_IO naming the path',
  withDir(async (dir) => {
    const file = join(dir, 'missing', 'scanner.db');
    const err = await rejectsWithCode(opening(file), 'ERR_IO');
    assert.match(err.message, /missing\/scanner\.db/);
  }),
);
