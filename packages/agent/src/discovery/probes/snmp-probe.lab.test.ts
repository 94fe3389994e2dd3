// SnmpProbe against the lab's net-snmp snmpd and snmpsim, checked against net-snmp's snmpget.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HOSTS, SNMP, SNMPSIM_COMMUNITIES } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, runTool } from '../../../../../test/lab/lab.js';
import { SnmpProbe } from './snmp-probe.js';

const ctx = (timeoutMs: number) => ({ signal: new AbortController().signal, timeoutMs });

/** sysDescr.0 as snmpget reads it (hex output, so quoting and line breaks cannot interfere). */
async function snmpgetSysDescr(host: string, community: string): Promise<string> {
  const out = await runTool('/usr/bin/snmpget', [
    '-v2c',
    '-c',
    community,
    '-t',
    '3',
    '-r',
    '2',
    '-Oqvx',
    host,
    '1.3.6.1.2.1.1.1.0',
  ]);
  return Buffer.from(out.replace(/[^0-9A-Fa-f]/g, ''), 'hex')
    .toString('utf8')
    .replace(/[\0\s]+$/u, '');
}

describe('SnmpProbe in the lab', labOnly(), () => {
  const probe = new SnmpProbe({ retries: 2 });
  after(() => probe.close());

  test('finds the lab community on snmpd and reads the same sysDescr as snmpget', async () => {
    const hit = await probe.probe(HOSTS.snmp, ['public', 'private', SNMP.community], ctx(3000));
    assert.ok(hit);
    assert.equal(hit.community, SNMP.community);
    assert.equal(hit.version, '2c');
    assert.equal(hit.sysDescr, await snmpgetSysDescr(HOSTS.snmp, SNMP.community));
    assert.match(hit.sysDescr, /^Linux /);
  });

  test('wrong communities give null', async () => {
    assert.equal(await probe.probe(HOSTS.snmp, ['public', 'not-the-community'], ctx(1500)), null);
  });

  test('every snmpsim recording answers its own community, probed concurrently', async () => {
    const communities = Object.keys(SNMPSIM_COMMUNITIES);
    const hits = await Promise.all(
      communities.map((c) => probe.probe(HOSTS.snmpsim, ['public', c], ctx(6000))),
    );
    for (const [i, c] of communities.entries()) {
      assert.equal(hits[i]?.community, c, c);
      assert.equal(hits[i]?.sysDescr, await snmpgetSysDescr(HOSTS.snmpsim, c), c);
    }
    assert.match(hits[0]!.sysDescr, /^Cisco IOS Software, C3750/);
    assert.equal(probe.stats().outstanding, 0);
  });

  test('a lab address where nothing listens gives null', async () => {
    assert.equal(await probe.probe(HOSTS.ssh, [SNMP.community], ctx(1000)), null);
  });
});
