// Tests OutboxStore: order, due times, failures, dead letters and their retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './index.js';

function withStore(fn: (store: Store, clock: { t: number }) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-outbox-'));
    const clock = { t: Date.parse('2026-11-29T10:00:00Z') };
    const store = openStore({ databaseFile: join(dir, 'scanner.db') }, () => new Date(clock.t));
    try {
      fn(store, clock);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const add = (store: Store, seq: number) =>
  store.outbox.enqueue({
    key: `a:s:${seq}`,
    scanId: 's',
    seq,
    final: false,
    hosts: 1,
    body: Buffer.from([seq]),
  });

test(
  'nextDue gives the oldest due batch; a failure moves it out of the way until its time',
  withStore((store, clock) => {
    for (let seq = 0; seq < 3; seq++) add(store, seq);
    assert.equal(store.outbox.nextDue(clock.t)?.key, 'a:s:0');
    store.outbox.recordFailure('a:s:0', 'ERR_UNREACHABLE: x', clock.t + 5000);
    assert.equal(store.outbox.nextDue(clock.t)?.key, 'a:s:1');
    assert.equal(store.outbox.nextDue(clock.t + 5000)?.key, 'a:s:0');
    const entry = store.outbox.get('a:s:0')!;
    assert.equal(entry.attempts, 1);
    assert.equal(entry.lastError, 'ERR_UNREACHABLE: x');
    assert.deepEqual(store.outbox.counts(), {
      pending: 3,
      deadLetters: 0,
      pendingBytes: 3,
      nextAttemptAt: clock.t,
    });
    assert.equal(store.outbox.remove('a:s:1'), true);
    assert.equal(store.outbox.remove('a:s:1'), false);
    assert.equal(store.outbox.dueNow(), 1);
    assert.equal(store.outbox.nextDue(clock.t)?.key, 'a:s:0');
  }),
);

test(
  'dead letters are counted apart, never due, and retry moves them back (all or by key)',
  withStore((store, clock) => {
    for (let seq = 0; seq < 3; seq++) add(store, seq);
    store.outbox.markDead('a:s:0', 'ERR_UPLOAD_REJECTED: 400');
    store.outbox.markDead('a:s:1', 'ERR_UPLOAD_REJECTED: 413');
    assert.equal(store.outbox.counts().deadLetters, 2);
    assert.equal(store.outbox.counts().pending, 1);
    assert.deepEqual(
      store.outbox.list('dead').map((d) => d.key),
      ['a:s:0', 'a:s:1'],
    );
    store.outbox.remove('a:s:2');
    assert.equal(store.outbox.nextDue(clock.t + 1e9), null);
    assert.equal(store.outbox.retryDead(['a:s:1', 'nope']), 1);
    assert.equal(store.outbox.get('a:s:1')?.state, 'pending');
    assert.equal(store.outbox.get('a:s:1')?.attempts, 0);
    assert.equal(store.outbox.retryDead(), 1);
    assert.equal(store.outbox.counts().deadLetters, 0);
  }),
);
