import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dedupeRelationships, relationshipKey, relationshipTarget } from './relationships.js';

test('relationshipTarget classifies addresses, MACs and names', () => {
  assert.deepEqual(relationshipTarget('10.0.0.5'), { kind: 'addr', value: '10.0.0.5' });
  assert.deepEqual(relationshipTarget('FE80::1'), { kind: 'addr', value: 'fe80::1' });
  assert.deepEqual(relationshipTarget('00-50-56-AA-BB-CC'), {
    kind: 'mac',
    value: '00:50:56:aa:bb:cc',
  });
  assert.deepEqual(relationshipTarget('Core-SW1.example.com.'), {
    kind: 'name',
    value: 'core-sw1.example.com',
  });
});

test('relationshipKey ignores volatile evidence and key order, not ports or direction', () => {
  const a = relationshipKey({
    type: 'depends_on',
    target: '10.0.0.5',
    evidence: { remotePort: 5432, process: 'java', count: 1, pid: 10 },
  });
  const b = relationshipKey({
    type: 'depends_on',
    target: '10.0.0.5',
    evidence: { count: 7, pid: 99, process: 'java', remotePort: 5432 },
  });
  const c = relationshipKey({
    type: 'depends_on',
    target: '10.0.0.5',
    evidence: { remotePort: 6379, process: 'java' },
  });
  const d = relationshipKey({
    type: 'connected_to',
    target: '10.0.0.5',
    evidence: { remotePort: 5432, process: 'java' },
  });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.notEqual(a, d);
});

test('dedupeRelationships keeps the last report of each edge', () => {
  const out = dedupeRelationships([
    {
      type: 'connected_to',
      target: 'sw1',
      evidence: { source: 'lldp', localPort: 'ge-0/0/1', count: 1 },
    },
    {
      type: 'connected_to',
      target: 'SW1',
      evidence: { source: 'lldp', localPort: 'ge-0/0/1', count: 2 },
    },
    { type: 'connected_to', target: 'sw1', evidence: { source: 'lldp', localPort: 'ge-0/0/2' } },
  ]);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.rel.evidence.count, 2);
});
