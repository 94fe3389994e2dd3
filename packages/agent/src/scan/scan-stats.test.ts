// The Status tab's two success rates: a cancelled scan counts neither way in the scans' rate,
// which equals the heartbeat's metrics.scans (so the Agent metrics card and the scan history
// agree); a scan's protocol success is attempts that succeeded over attempts, null without any.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsCollector } from '../platform/metrics.js';
import { testSummary } from '../platform/testdata/scan-fixtures.js';
import { openStore } from '../store/index.js';
import { protocolAttempts, protocolSuccessRate, scanTotals } from './scan-stats.js';

test('scanTotals leaves cancelled and running scans out of the success rate', () => {
  assert.deepEqual(scanTotals({ completed: 2, cancelled: 1, failed: 0, running: 1 }), {
    total: 3,
    succeeded: 2,
    cancelled: 1,
    failed: 0,
    running: 1,
    successRate: 1,
  });
  assert.equal(
    scanTotals({ completed: 2, cancelled: 5, failed: 1, running: 0 }).successRate,
    0.667,
  );
  assert.equal(scanTotals({ completed: 0, cancelled: 2, failed: 0, running: 0 }).successRate, null);
});

test('the scans success rate is the one the heartbeat metrics carry, on the same store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-scan-stats-'));
  const store = openStore({ databaseFile: join(dir, 'scanner.db') });
  try {
    const ended: [string, 'completed' | 'cancelled' | 'failed'][] = [
      ['a', 'completed'],
      ['b', 'completed'],
      ['c', 'cancelled'],
      ['d', 'failed'],
      ['e', 'completed'],
    ];
    for (const [id, state] of ended) {
      store.scans.begin(null, testSummary(id, 'running'));
      if (state === 'failed') store.scans.fail(id);
      else store.scans.finish(id, testSummary(id, state));
    }
    const totals = scanTotals(store.scans.stateCounts());
    const metrics = await new MetricsCollector({
      dataDir: dir,
      store,
      localIp: () => null,
    }).sample();
    assert.equal(totals.successRate, 0.75);
    assert.equal(metrics.scans.successRate, totals.successRate);
    assert.equal(metrics.scans.completed, totals.succeeded);
    assert.equal(metrics.scans.failed, totals.failed);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('protocol success counts attempts (one per protocol per host); null when none was tried', () => {
  const statuses = { success: 2, unauthorized: 1, timeout: 1 };
  assert.deepEqual(protocolAttempts({ statuses }), { succeeded: 2, tried: 4 });
  assert.equal(protocolSuccessRate({ statuses }), 0.5);
  assert.equal(protocolSuccessRate({ statuses: { unreachable: 3 } }), 0);
  assert.deepEqual(protocolAttempts({ statuses: {} }), { succeeded: 0, tried: 0 });
  assert.equal(protocolSuccessRate({ statuses: {} }), null);
});
