// Tests the schedules table: a replace keeps the order given and round-trips every field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.js';
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
