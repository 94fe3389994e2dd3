// kill -9 at random points loses nothing and duplicates nothing on the platform: a child process
// drains a large outbox to the reference platform (packages/platform, in this process, on
// loopback; it stores once per Idempotency-Key) and is SIGKILLed in a bounded number of rounds —
// after the platform committed a batch but before its answer left, right after the answer, or at
// a random moment; a second child is killed while it cuts a scan into batches. After each kill
// the outbox plus the platform's ledger still cover every batch; after a final drain the platform
// holds each batch exactly once (its scan logs count every host once, one CI per address), the
// outbox is empty, and resends are bounded by the kills.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ScanSummary } from '@nopesight/model';
import { openStore } from '../store/index.js';
import { decodeBatch } from '../store/batch.js';
import { stopChild } from '../../../../test/support/child-process.js';
import {
  platformHost,
  startReferencePlatform,
  type ReferencePlatform,
} from './testdata/reference-platform.js';
import { recordScan, testHost } from './testdata/scan-fixtures.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const CHILD = new URL('./testdata/drain-child.ts', import.meta.url).pathname;
const SCANS = 12;
const HOSTS_PER_SCAN = 1001; // 500 + 500 + 1: three batches per scan, 36 in all
const ROUNDS = 6;

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const closed = new WeakMap<ChildProcess, Promise<{ code: number | null; signal: string | null }>>();

function startChild(args: string[], token = ''): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT,
    env: { ...process.env, NOPESIGHT_TEST_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // 'close' comes after 'exit' once stdout and stderr are drained: every line is read by then.
  closed.set(
    child,
    new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  );
  return child;
}

/** Resolves once the child has exited and its output pipes are drained. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return closed.get(child)!;
}

describe('kill -9 while uploading and while batching', () => {
  const seed = Number(process.env.NOPESIGHT_KILL_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  let server: ReferencePlatform;
  let dir = '';
  let db = '';
  const children: ChildProcess[] = [];

  before(async () => {
    server = await startReferencePlatform();
    dir = mkdtempSync(join(tmpdir(), 'nopesight-kill-'));
    db = join(dir, 'scanner.db');
  });
  after(async () => {
    for (const c of children) await stopChild(c);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`draining: every batch reaches the platform exactly once (seed ${seed})`, async (t) => {
    const store = openStore({ databaseFile: db });
    const expected = new Map<string, number>();
    try {
      for (let s = 0; s < SCANS; s++) recordScan(store, `scan-${s}`, HOSTS_PER_SCAN, platformHost);
      for (const e of store.outbox.list('pending', 10_000)) expected.set(e.key, e.hosts);
    } finally {
      store.close();
    }
    assert.equal(expected.size, SCANS * 3);

    // Idempotency-Key → uploads the platform answered 200 (stored now, or a duplicate).
    const arrivals = new Map<string, number>();
    const countArrivals = () => [...arrivals.values()].reduce((a, b) => a + b, 0);
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const stored = await server.stored();
      if ([...expected.keys()].every((k) => stored.has(k))) break;
      const child = startChild(['drain', db, `${server.url}/api`], server.agentToken);
      children.push(child);
      const arrivalsAtStart = countArrivals();
      const killAfter = 1 + Math.floor(random() * 6);
      const how = Math.floor(random() * 3);
      let seen = 0;
      const kill = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      server.onUploaded = (key, status) => {
        if (status !== 200) return;
        arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
        seen++;
        if (seen !== killAfter) return;
        if (how === 0)
          kill(); // committed, not yet answered: the agent never hears of it
        else if (how === 1)
          setImmediate(kill); // answered: the agent may be deleting it
        else setTimeout(kill, Math.floor(random() * 20)); // somewhere further on
      };
      const end = await exited(child);
      server.onUploaded = null;
      if (end.signal === 'SIGKILL') kills++;
      // Never lost: each batch is in the outbox or on the platform.
      const check = openStore({ databaseFile: db });
      const storedNow = await server.stored();
      try {
        const pending = new Set(check.outbox.list('pending', 10_000).map((e) => e.key));
        assert.equal(check.outbox.counts().deadLetters, 0);
        for (const key of expected.keys()) {
          assert.ok(
            pending.has(key) || storedNow.has(key),
            `round ${round}: ${key} lost (seed ${seed})`,
          );
        }
      } finally {
        check.close();
      }
      assert.ok(countArrivals() > arrivalsAtStart, `round ${round} made progress`);
    }
    assert.ok(kills >= 1, 'at least one child was killed');

    server.onUploaded = (key, status) => {
      if (status === 200) arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
    };
    const last = startChild(['drain', db, `${server.url}/api`], server.agentToken);
    children.push(last);
    let out = '';
    last.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const end = await exited(last);
    server.onUploaded = null;
    assert.equal(end.code, 0, out);
    assert.equal(JSON.parse(out).stoppedBy, 'empty');

    const check = openStore({ databaseFile: db });
    try {
      assert.deepEqual(check.outbox.counts().pending, 0);
    } finally {
      check.close();
    }
    const stored = await server.stored();
    assert.deepEqual([...stored.keys()].sort(), [...expected.keys()].sort());
    for (const [key, hosts] of expected) assert.equal(stored.get(key), hosts, key);
    // Every host counted once per scan, and one CI per address: nothing applied twice.
    const scans = await server.scans();
    assert.equal(scans.length, SCANS);
    for (const scan of scans) {
      assert.equal(scan.hosts, HOSTS_PER_SCAN, scan.scanId);
      assert.equal(scan.batchesReceived, 3, scan.scanId);
      assert.equal(scan.state, 'completed', scan.scanId);
    }
    assert.equal((await server.cis()).length, HOSTS_PER_SCAN);
    const resent = [...arrivals.values()].reduce((n, c) => n + (c - 1), 0);
    t.diagnostic(`${kills} kills, ${resent} batches resent, ${expected.size} batches`);
    assert.ok(resent <= kills, `${resent} resends for ${kills} kills (seed ${seed})`);
  });

  test(`batching: a scan killed while it records is closed with every committed record (seed ${seed})`, async () => {
    for (let round = 0; round < 3; round++) {
      const scanId = `rec-${round}`;
      const child = startChild(['record', db, scanId, '1600']);
      children.push(child);
      const killAt = Math.floor(random() * 1500);
      let printed = -1;
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const m = /^recorded (\d+)$/.exec(line);
        if (!m) return;
        printed = Number(m[1]);
        if (printed === killAt) child.kill('SIGKILL');
      });
      const end = await exited(child);
      lines.close();
      assert.equal(end.signal, 'SIGKILL', `round ${round} was killed`);

      const store = openStore({ databaseFile: db });
      try {
        assert.deepEqual(store.scans.recoverAbandoned(), [scanId]);
        const entries = store.outbox
          .list('pending', 10_000)
          .filter((e) => e.scanId === scanId)
          .sort((a, b) => a.seq - b.seq);
        assert.deepEqual(
          entries.map((e) => e.seq),
          entries.map((_, i) => i),
          'gap-free seq',
        );
        assert.deepEqual(
          entries.map((e) => e.final),
          entries.map((_, i) => i === entries.length - 1),
        );
        const bodies = entries.map((e) => decodeBatch(store.outbox.get(e.key)!.body));
        const addresses = bodies.flatMap((b) =>
          (b.hosts as { address: string }[]).map((h) => h.address),
        );
        // A prefix of what the child recorded: all it reported, perhaps one committed just
        // before the kill and not yet reported (stdout to a pipe is synchronous on Linux).
        assert.ok(
          addresses.length >= printed + 1 && addresses.length <= printed + 2,
          `${addresses.length} vs ${printed}`,
        );
        assert.deepEqual(
          addresses,
          addresses.map((_, i) => testHost(i).address),
        );
        assert.equal((bodies.at(-1)!.summary as ScanSummary).state, 'failed');
        assert.equal(store.scans.get(scanId)?.staged, 0);
      } finally {
        store.close();
      }
    }
  });
});
