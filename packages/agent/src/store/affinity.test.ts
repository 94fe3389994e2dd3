// Tests AffinityStore: remembered per address and protocol, replaced by the next success, kept across opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.js';

test('affinity survives reopening and is kept per address and protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-affinity-'));
  const layout = { databaseFile: join(dir, 'scanner.db') };
  try {
    const first = openStore(layout);
    assert.equal(first.affinity.lastWorked('10.0.0.1', 'ssh'), null);
    first.affinity.remember('10.0.0.1', 'ssh', 'cred-a');
    first.affinity.remember('10.0.0.1', 'snmp', 'cred-s');
    first.affinity.remember('10.0.0.1', 'ssh', 'cred-b');
    first.close();
    const again = openStore(layout);
    try {
      assert.equal(again.affinity.lastWorked('10.0.0.1', 'ssh'), 'cred-b');
      assert.equal(again.affinity.lastWorked('10.0.0.1', 'snmp'), 'cred-s');
      assert.equal(again.affinity.lastWorked('10.0.0.2', 'ssh'), null);
    } finally {
      again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
