// Lab tests of the sweep: bulk hosts' exact ports, dropping and absent addresses, a service host, MACs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ABSENT_CIDR,
  BULK_COUNT,
  BULK_PORTS,
  bulkAddress,
  bulkOpenPorts,
  DROP_FIRST,
  dropAddress,
  DROP_LAST,
  HOSTS,
} from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { lookupMacs } from '../probes/neighbors.js';
import type { SweepResult, Target } from '../types.js';
import { sweep } from './index.js';

const v4 = (address: string): Target => ({ address, family: 4 });

async function run(
  targets: string[],
  tcpPorts: readonly number[],
): Promise<Map<string, SweepResult>> {
  const out = new Map<string, SweepResult>();
  for await (const r of sweep(targets.map(v4), { tcpPorts, signal: AbortSignal.timeout(120_000) }))
    out.set(r.target.address, r);
  assert.equal(out.size, new Set(targets).size, 'every target yielded once');
  return out;
}

describe('sweep in the lab', labOnly(), () => {
  test('sweep finds exactly bulkOpenPorts() on a sample of the bulk range', async () => {
    const sample: string[] = [];
    for (let n = 0; n < BULK_COUNT; n += 7) sample.push(bulkAddress(n));
    sample.push(bulkAddress(BULK_COUNT - 1));
    const results = await run(sample, BULK_PORTS);
    for (const address of sample) {
      const r = results.get(address)!;
      assert.equal(r.alive, true, address);
      assert.deepEqual(r.foundBy, ['tcp'], address);
      assert.deepEqual(r.openTcp, bulkOpenPorts(address), address);
      assert.equal(typeof r.rttMs, 'number');
    }
  });

  test('sweep calls dropping and ARP-less addresses not alive, with no open port', async () => {
    const silent = [DROP_FIRST, 64, DROP_LAST].map(dropAddress);
    const absent = [DROP_LAST + 1, 200, 254].map(dropAddress);
    const results = await run([...silent, ...absent], BULK_PORTS);
    for (const [address, r] of results) {
      assert.equal(r.alive, false, address);
      assert.deepEqual(r.openTcp, [], address);
      assert.deepEqual(r.foundBy, [], address);
      assert.equal(r.rttMs, null, address);
    }
  });

  test('sweep calls addresses routed into the blackhole not alive', async () => {
    const base = ABSENT_CIDR.split('.').slice(0, 2).join('.');
    const results = await run([`${base}.0.1`, `${base}.128.7`, `${base}.255.254`], [22, 445]);
    for (const r of results.values()) assert.equal(r.alive, false, r.target.address);
  });

  test('sweep finds the lab ssh host alive with 22 open, and its MAC on-link', async () => {
    const results = await run([HOSTS.ssh, bulkAddress(0)], [22, 23]);
    const ssh = results.get(HOSTS.ssh)!;
    assert.equal(ssh.alive, true);
    assert.deepEqual(ssh.openTcp, [22]);
    const macs = await lookupMacs([HOSTS.ssh, bulkAddress(0)], {
      signal: AbortSignal.timeout(10_000),
    });
    assert.match(macs.get(HOSTS.ssh)?.mac ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // The bulk range is routed, not on-link: no MAC of its own.
    assert.equal(macs.has(bulkAddress(0)), false);
  });

  test('sweep with ICMP marks the ssh host alive by echo when fping is permitted', async (t) => {
    const out: SweepResult[] = [];
    let icmpAvailable = false;
    for await (const r of sweep([v4(HOSTS.ssh), v4(dropAddress(200))], {
      tcpPorts: [],
      icmp: true,
      onProgress: (s) => (icmpAvailable = s.icmpAvailable),
    }))
      out.push(r);
    if (!icmpAvailable) {
      t.skip('fping missing or not permitted');
      return;
    }
    const by = new Map(out.map((r) => [r.target.address, r]));
    assert.deepEqual(by.get(HOSTS.ssh)?.foundBy, ['icmp']);
    assert.equal(by.get(dropAddress(200))?.alive, false);
  });
});
