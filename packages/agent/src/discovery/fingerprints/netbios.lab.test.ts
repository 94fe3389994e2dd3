// queryNetbiosNames against the lab's Samba nmbd, checked against Samba's nmblookup -A.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, runTool } from '../../../../../test/lab/lab.js';
import { queryNetbiosNames, queryNodeStatus } from './netbios.js';

const ctx = (timeoutMs: number) => ({ signal: new AbortController().signal, timeoutMs });

test('queryNetbiosNames reads the same names as nmblookup -A', labOnly(), async () => {
  const facts = await queryNetbiosNames(HOSTS.smb, ctx(3000));
  // nmblookup lines: "\tLABSMB          <20> -         B <ACTIVE>" (<GROUP> for group names).
  const out = await runTool('/usr/bin/nmblookup', ['-A', HOSTS.smb]);
  const expected = [...out.matchAll(/^\s+(\S+)\s+<([0-9a-f]{2})> -\s+(<GROUP>)?/gim)].map((m) => ({
    name: m[1]!,
    suffix: parseInt(m[2]!, 16),
    group: m[3] !== undefined,
  }));
  assert.ok(expected.length > 0, out);
  assert.deepEqual(facts.names, expected);
  assert.ok(facts.names.some((n) => n.name === SMB.netbiosName && n.suffix === 0x20 && !n.group));
  assert.ok(facts.names.some((n) => n.name === SMB.workgroup && n.group));
  // Samba sends a zero unit id (nmblookup prints 00-00-00-00-00-00): no MAC.
  assert.match(out, /MAC Address = 00-00-00-00-00-00/);
  assert.equal(facts.mac, undefined);
});

test('queryNodeStatus reports Samba’s names as B-node and active', labOnly(), async () => {
  const status = await queryNodeStatus(HOSTS.smb, ctx(3000));
  assert.ok(status.names.every((n) => n.nodeType === 'B' && n.active && !n.conflict));
});

test('a lab host without nmbd times out with ERR_TIMEOUT', labOnly(), async () => {
  await assert.rejects(
    queryNetbiosNames(HOSTS.ssh, ctx(800)),
    (e: Error & { code?: string }) => e.code === 'ERR_TIMEOUT',
  );
});
