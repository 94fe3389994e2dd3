// Tests the schedules table: a replace keeps the order given and round-trips every field; the
// run state survives a replace unless the timing changes; a version 4 store's schedules become
// cron schedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from './index.js';
import { MIGRATIONS } from './migrations.js';
import type { Schedule } from './schedules.js';

test('ScheduleStore replaceAll replaces the whole list, in order, every field kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-schedules-'));
  const store = openStore({ databaseFile: join(dir, 'scanner.db') });
  try {
    assert.deepEqual(store.schedules.list(), []);
    const list: Schedule[] = [
      { id: 'z', name: 'Last first', cron: '0 3 * * *', targets: ['198.18.0.0/24'], enabled: true },
      {
        id: 'a',
        name: 'All fields',
        cron: '*/5 * * * MON',
        targets: ['198.18.1.1', 'db1.example.com'],
        excludes: ['198.18.1.2'],
        protocols: ['ssh', 'snmp'],
        ports: 'T:22,U:161',
        enabled: false,
      },
      {
        id: 'n',
        name: 'None',
        cron: '0 0 1 1 *',
        targets: ['198.18.2.1'],
        protocols: 'none',
        enabled: true,
      },
    ];
    store.schedules.replaceAll(list);
    assert.deepEqual(store.schedules.list(), list);
    store.schedules.replaceAll([list[1]!]);
    assert.deepEqual(store.schedules.list(), [list[1]]);
    store.schedules.replaceAll([]);
    assert.deepEqual(store.schedules.list(), []);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ScheduleStore keeps the timing fields, and add, setEnabled and remove work by id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-schedules-'));
  const store = openStore({ databaseFile: join(dir, 'scanner.db') });
  try {
    const list: Schedule[] = [
      {
        id: 'w',
        name: 'Weekly',
        weekly: { days: ['mon', 'thu'], at: '22:00' },
        timezone: 'Europe/Berlin',
        blackouts: ['08:00-18:00'],
        staggerSeconds: 600,
        targets: ['198.18.0.0/24'],
        enabled: true,
      },
      { id: 'd', name: 'Daily', daily: '02:30', targets: ['198.18.1.1'], enabled: true },
    ];
    store.schedules.replaceAll(list);
    const every: Schedule = {
      id: 'e',
      name: 'Every',
      everyHours: 6,
      targets: ['198.18.2.1'],
      enabled: false,
    };
    store.schedules.add(every);
    assert.deepEqual(store.schedules.list(), [...list, every]);
    assert.equal(store.schedules.setEnabled('e', true), true);
    assert.equal(store.schedules.get('e')?.enabled, true);
    assert.equal(store.schedules.setEnabled('nope', true), false);
    assert.equal(store.schedules.remove('w'), true);
    assert.equal(store.schedules.remove('w'), false);
    assert.equal(store.schedules.runState('w'), null, 'its run state goes with it');
    assert.deepEqual(
      store.schedules.list().map((s) => s.id),
      ['d', 'e'],
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the run state survives a replace with the same timing; a new timing or enabling re-arms it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-schedules-'));
  let clock = new Date('2025-01-10T00:00:00Z');
  const store = openStore({ databaseFile: join(dir, 'scanner.db') }, () => clock);
  try {
    const s: Schedule = {
      id: 'd',
      name: 'Daily',
      daily: '02:30',
      targets: ['198.18.1.1'],
      enabled: true,
    };
    store.schedules.replaceAll([s]);
    assert.equal(
      store.schedules.runState('d')?.handledUntil.toISOString(),
      '2025-01-10T00:00:00.000Z',
    );
    store.schedules.markHandled('d', new Date('2025-01-10T02:30:00Z'), {
      at: '2025-01-10T02:30:01Z',
      outcome: 'started',
      scanId: 'x',
    });
    clock = new Date('2025-01-11T00:00:00Z');
    store.schedules.replaceAll([{ ...s, name: 'Renamed', targets: ['198.18.1.2'] }]);
    const kept = store.schedules.runState('d');
    assert.equal(kept?.handledUntil.toISOString(), '2025-01-10T02:30:00.000Z');
    assert.equal(kept?.last?.scanId, 'x');
    store.schedules.replaceAll([{ ...s, daily: '03:00' }]);
    assert.equal(store.schedules.runState('d')?.handledUntil.toISOString(), clock.toISOString());
    clock = new Date('2025-01-12T00:00:00Z');
    store.schedules.setEnabled('d', false);
    clock = new Date('2025-01-15T00:00:00Z');
    store.schedules.setEnabled('d', true);
    assert.equal(store.schedules.runState('d')?.handledUntil.toISOString(), clock.toISOString());
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a version 4 store keeps its schedules as cron schedules after migration 5', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-schedules-'));
  const file = join(dir, 'scanner.db');
  const old = new Database(file);
  for (const step of MIGRATIONS.slice(0, 4)) old.exec(step);
  old.pragma('user_version = 4');
  old
    .prepare(
      `INSERT INTO schedules (id, position, name, cron, targets, excludes, protocols, ports, enabled, updated_at)
       VALUES ('n', 0, 'Nightly', '0 3 * * *', '["198.18.0.0/24"]', NULL, '"none"', '22', 1, '2025-01-01T00:00:00Z')`,
    )
    .run();
  old.close();
  const store = openStore({ databaseFile: file });
  try {
    assert.deepEqual(store.schedules.list(), [
      {
        id: 'n',
        name: 'Nightly',
        cron: '0 3 * * *',
        targets: ['198.18.0.0/24'],
        protocols: 'none',
        ports: '22',
        enabled: true,
      },
    ]);
    assert.equal(store.schedules.runState('n'), null, 'armed by the scheduler when it first looks');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run-now requests from another connection are taken once, in order; revision moves on every change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-schedules-'));
  const file = join(dir, 'scanner.db');
  // Two handles on one file: the agent's and another process's (the CLI, the GUI).
  const agent = openStore({ databaseFile: file });
  const other = openStore({ databaseFile: file });
  try {
    const base: Schedule = {
      id: 'a',
      name: 'A',
      everyHours: 4,
      targets: ['198.18.0.1'],
      enabled: true,
    };
    const seen = [agent.schedules.revision()];
    const moved = (what: string) => {
      const now = agent.schedules.revision();
      assert.notEqual(now, seen.at(-1), `${what} did not move the revision`);
      seen.push(now);
    };
    other.schedules.add(base);
    moved('add');
    other.schedules.add({ ...base, id: 'b', name: 'B' });
    moved('a second add');
    other.schedules.setEnabled('a', false);
    moved('disable');
    other.schedules.replaceAll([
      { id: 'a', name: 'A', daily: '02:00', targets: ['198.18.0.1'], enabled: true },
    ]);
    moved('replaceAll');
    const before = agent.schedules.revision();
    agent.schedules.markHandled('a', new Date());
    agent.schedules.recordRun('a', { at: new Date().toISOString(), outcome: 'skipped' });
    assert.equal(agent.schedules.revision(), before, "the scheduler's own bookkeeping is no edit");

    assert.equal(other.schedules.requestRun('nope', 'cli'), false);
    assert.equal(other.schedules.requestRun('a', 'cli'), true);
    moved('a run-now request');
    assert.equal(other.schedules.requestRun('a', 'gui'), true);
    assert.deepEqual(
      other.schedules.pendingRuns().map((r) => [r.scheduleId, r.requestedBy]),
      [
        ['a', 'cli'],
        ['a', 'gui'],
      ],
    );
    const taken = agent.schedules.takeRunRequests();
    assert.deepEqual(
      taken.map((r) => r.requestedBy),
      ['cli', 'gui'],
    );
    assert.ok(taken.every((r) => !Number.isNaN(Date.parse(r.requestedAt))));
    assert.deepEqual(agent.schedules.takeRunRequests(), [], 'taken once');

    other.schedules.requestRun('a', 'cli');
    other.schedules.remove('a');
    moved('remove');
    assert.deepEqual(agent.schedules.pendingRuns(), [], 'a removed schedule takes its requests');
  } finally {
    other.close();
    agent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
