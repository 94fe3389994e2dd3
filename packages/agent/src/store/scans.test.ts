// Tests ScanStore's batching into the outbox: gap-free seq, the final batch, size splits,
// oversize records, and closing scans whose process died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ScanSummary } from '@nopesight/model';
import { testHost, testSummary } from '../platform/testdata/scan-fixtures.js';
import { openStore, type Store } from './index.js';
import { BATCH_LIMITS, decodeBatch } from './batch.js';

function withStore(fn: (store: Store) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-scans-'));
    const store = openStore({ databaseFile: join(dir, 'scanner.db') });
    try {
      fn(store);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const summaryFor = (scanId: string, state: ScanSummary['state'] = 'completed') =>
  testSummary(scanId, state, {
    targets: ['198.18.0.0/16'],
    counts: { swept: 65536, alive: 0, collected: 0 },
  });
const hostFor = testHost;

interface Decoded {
  key: string;
  state: string;
  seq: number;
  final: boolean;
  hosts: { address: string }[];
  summary?: ScanSummary;
}

/** Every batch of a scan, decoded, in seq order. */
function batchesOf(store: Store, scanId: string): Decoded[] {
  const entries = [...store.outbox.list('pending', 10_000), ...store.outbox.list('dead', 10_000)]
    .filter((e) => e.scanId === scanId)
    .sort((a, b) => a.seq - b.seq);
  return entries.map((e) => {
    const body = decodeBatch(store.outbox.get(e.key)!.body) as unknown as Decoded;
    assert.equal(body.seq, e.seq);
    assert.equal(body.final, e.final);
    assert.equal(body.hosts.length, e.hosts);
    return { ...body, key: e.key, state: e.state };
  });
}

function assertGapFree(list: Decoded[]): void {
  assert.deepEqual(
    list.map((b) => b.seq),
    list.map((_, i) => i),
  );
  assert.deepEqual(
    list.map((b) => b.final),
    list.map((_, i) => i === list.length - 1),
  );
}

test(
  'records are cut every 500 as the scan goes, and the final batch carries the rest and the summary',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('scan-a', 'running'));
    for (let i = 0; i < 1234; i++) {
      store.scans.addHost('scan-a', hostFor(i));
      if (i === 499) assert.equal(store.outbox.counts().pending, 1, 'cut at 500, during the scan');
    }
    assert.equal(store.scans.get('scan-a')?.staged, 234);
    store.scans.finish('scan-a', summaryFor('scan-a'));
    const list = batchesOf(store, 'scan-a');
    assertGapFree(list);
    assert.deepEqual(
      list.map((b) => b.hosts.length),
      [500, 500, 234],
    );
    assert.deepEqual(
      list.map((b) => b.key),
      ['edge-01:scan-a:0', 'edge-01:scan-a:1', 'edge-01:scan-a:2'],
    );
    assert.equal(list[2]!.summary?.state, 'completed');
    assert.equal(list[0]!.summary, undefined);
    // Every record once, in order.
    assert.deepEqual(
      list.flatMap((b) => b.hosts.map((h) => h.address)),
      Array.from({ length: 1234 }, (_, i) => hostFor(i).address),
    );
    const row = store.scans.get('scan-a')!;
    assert.equal(row.state, 'completed');
    assert.equal(row.staged, 0);
    assert.equal(row.batches, 3);
  }),
);

test(
  'a scan with no live host still sends one final batch with hosts []',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('empty', 'running'));
    store.scans.finish('empty', summaryFor('empty'));
    const list = batchesOf(store, 'empty');
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.hosts, []);
    assert.equal(list[0]!.final, true);
    assert.equal(list[0]!.summary?.scanId, 'empty');
    // Finishing twice changes nothing.
    store.scans.finish('empty', summaryFor('empty'));
    assert.equal(batchesOf(store, 'empty').length, 1);
  }),
);

test(
  'exactly 500 records make one full batch then a final batch with hosts []',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('five', 'running'));
    for (let i = 0; i < 500; i++) store.scans.addHost('five', hostFor(i));
    store.scans.finish('five', summaryFor('five'));
    const list = batchesOf(store, 'five');
    assertGapFree(list);
    assert.deepEqual(
      list.map((b) => b.hosts.length),
      [500, 0],
    );
  }),
);

test(
  'batches whose gzip would pass 8 MiB are cut smaller (incompressible records)',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('big', 'running'));
    // 200 records of ~100 KB random text: ~20 MB raw, ~15 MB gzip: needs at least two batches.
    for (let i = 0; i < 200; i++) {
      store.scans.addHost('big', hostFor(i, randomBytes(75_000).toString('base64')));
    }
    store.scans.finish('big', summaryFor('big'));
    const list = batchesOf(store, 'big');
    assertGapFree(list);
    assert.ok(list.length >= 2, `${list.length} batches`);
    for (const b of list) {
      const entry = store.outbox.get(b.key)!;
      assert.ok(entry.bytes <= BATCH_LIMITS.maxGzipBytes, `${b.key}: ${entry.bytes} bytes`);
      assert.equal(entry.state, 'pending');
    }
    assert.equal(
      list.reduce((n, b) => n + b.hosts.length, 0),
      200,
    );
  }),
);

test(
  'a single record over 8 MiB of gzip becomes a dead letter on its own; the summary still goes',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('huge', 'running'));
    store.scans.addHost('huge', hostFor(0));
    store.scans.addHost('huge', hostFor(1, randomBytes(9 * 1024 * 1024).toString('base64')));
    store.scans.finish('huge', summaryFor('huge'));
    const list = batchesOf(store, 'huge');
    assertGapFree(list);
    assert.deepEqual(
      list.map((b) => [b.hosts.length, b.state]),
      [
        [1, 'pending'],
        [1, 'dead'],
        [0, 'pending'],
      ],
    );
    assert.match(store.outbox.get(list[1]!.key)!.lastError ?? '', /over the protocol/);
  }),
);

test(
  'a scan whose process died is closed as failed with what it recorded; a live one is left alone',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('orphan', 'running'));
    for (let i = 0; i < 3; i++) store.scans.addHost('orphan', hostFor(i));
    // This process owns the scan: recovery never touches its own scans.
    assert.deepEqual(
      store.scans.recoverAbandoned(() => false),
      [],
    );
    // As another process would see it after this one died: close it.
    store.scans.fail('orphan');
    const list = batchesOf(store, 'orphan');
    assert.equal(list.length, 1);
    assert.equal(list[0]!.summary?.state, 'failed');
    assert.equal(list[0]!.summary?.counts.alive, 3);
    assert.equal(list[0]!.hosts.length, 3);
    assert.throws(() => store.scans.addHost('orphan', hostFor(9)), /failed/);
  }),
);

test(
  'prune forgets finished scans once their batches are gone',
  withStore((store) => {
    store.scans.begin('edge-01', summaryFor('old', 'running'));
    store.scans.finish('old', summaryFor('old'));
    const later = new Date('2027-01-01T00:00:00Z');
    assert.equal(store.scans.prune(later), 0, 'kept while its batch waits');
    store.outbox.remove('edge-01:old:0');
    assert.equal(store.scans.prune(later), 1);
    assert.equal(store.scans.get('old'), null);
  }),
);

test(
  'ScanStore records a scan without upload: counts and summary kept, nothing staged or queued',
  withStore((store) => {
    store.scans.begin(null, summaryFor('local', 'running'), {
      source: { kind: 'schedule', scheduleId: 's1', scheduleName: 'Nightly' },
    });
    for (let i = 0; i < 3; i++) store.scans.addHost('local', hostFor(i));
    assert.equal(store.scans.get('local')?.staged, 0);
    store.scans.finish('local', summaryFor('local'));
    const row = store.scans.get('local')!;
    assert.equal(row.state, 'completed');
    assert.equal(row.hosts, 3);
    assert.equal(row.agentId, '');
    assert.equal(row.upload, false);
    assert.equal(row.batches, 0);
    assert.deepEqual(row.source, { kind: 'schedule', scheduleId: 's1', scheduleName: 'Nightly' });
    assert.equal(row.summary?.state, 'completed');
    assert.deepEqual(batchesOf(store, 'local'), []);
    assert.equal(store.outbox.counts().pending, 0);
  }),
);

test(
  'ScanStore keeps who started each scan and lists the history newest first',
  withStore((store) => {
    const at = (scanId: string, minute: number) =>
      testSummary(scanId, 'running', { startedAt: `2026-11-29T10:0${minute}:00.000Z` });
    store.scans.begin('edge-01', at('by-platform', 1), { source: { kind: 'platform' } });
    store.scans.begin(null, at('by-cli', 2), { source: { kind: 'cli' }, upload: true });
    store.scans.begin('edge-01', at('by-gui', 3), { source: { kind: 'gui' }, upload: false });
    store.scans.begin('edge-01', at('unknown', 0));
    const list = store.scans.list({ limit: 10 });
    assert.deepEqual(
      list.map((r) => [r.id, r.source?.kind ?? null, r.upload]),
      [
        ['by-gui', 'gui', false],
        ['by-cli', 'cli', false],
        ['by-platform', 'platform', true],
        ['unknown', null, true],
      ],
    );
    assert.deepEqual(
      store.scans.list({ limit: 2, offset: 1 }).map((r) => r.id),
      ['by-cli', 'by-platform'],
    );
    assert.equal(list[0]!.initial?.scanId, 'by-gui');
  }),
);

test(
  'a scan recorded without upload that fails is closed as failed, without a batch',
  withStore((store) => {
    store.scans.begin(null, summaryFor('orphan', 'running'), { source: { kind: 'cli' } });
    store.scans.addHost('orphan', hostFor(1));
    assert.deepEqual(
      store.scans.recoverAbandoned(() => false),
      [],
      'a scan of this process is never abandoned',
    );
    store.scans.fail('orphan');
    const row = store.scans.get('orphan')!;
    assert.equal(row.state, 'failed');
    assert.equal(row.hosts, 1);
    assert.equal(row.summary?.counts.alive, 1);
    assert.deepEqual(batchesOf(store, 'orphan'), []);
  }),
);
