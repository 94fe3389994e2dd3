// Tests cleanResults: age limit, size limit (oldest first), files it must never delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanResults } from './results-retention.js';

const NOW = new Date('2026-11-29T10:00:00Z');
const DAY = 86_400_000;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-results-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Files of [name, bytes, last written this many days before NOW]. */
function put(dir: string, files: [string, number, number][]): void {
  for (const [name, bytes, daysAgo] of files) {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(bytes, 0x20));
    const at = new Date(NOW.getTime() - daysAgo * DAY);
    utimesSync(path, at, at);
  }
}

test(
  'results older than maxAgeDays are deleted; 0 means no age limit',
  withDir(async (dir) => {
    put(dir, [
      ['new.json', 10, 1],
      ['old.json', 10, 40],
      ['scan.json.123.tmp', 10, 400],
      ['notes.txt', 10, 400],
    ]);
    const none = await cleanResults(dir, { maxAgeDays: 0, maxTotalBytes: 1e9 }, { now: NOW });
    assert.deepEqual(none.deleted, []);
    const r = await cleanResults(dir, { maxAgeDays: 30, maxTotalBytes: 1e9 }, { now: NOW });
    assert.deepEqual(r.deleted, ['old.json']);
    assert.deepEqual(readdirSync(dir).sort(), ['new.json', 'notes.txt', 'scan.json.123.tmp']);
  }),
);

test(
  'over maxTotalBytes the oldest go first; the file just written is kept whatever its size',
  withDir(async (dir) => {
    put(dir, [
      ['a.json', 400, 3],
      ['b.json', 400, 2],
      ['c.json', 400, 1],
      ['current.json', 2000, 0],
    ]);
    const r = await cleanResults(
      dir,
      { maxAgeDays: 30, maxTotalBytes: 2500 },
      { now: NOW, keep: ['current.json'] },
    );
    assert.deepEqual(r.deleted.sort(), ['a.json', 'b.json']);
    assert.equal(r.keptBytes, 2400);
  }),
);

test('a results directory that does not exist is nothing to clean', async () => {
  const r = await cleanResults(join(tmpdir(), 'nopesight-no-such-dir-x'), {
    maxAgeDays: 1,
    maxTotalBytes: 1,
  });
  assert.deepEqual(r, { deleted: [], keptBytes: 0 });
});
