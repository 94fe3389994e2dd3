// SnmpProbe against the lab's net-snmp snmpd and snmpsim, checked against net-snmp's snmpget
// (sysDescr with the community, snmpEngineID with the lab's v3 user).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { OID_SNMP_ENGINE_ID } from '../../transports/snmp-ber/snmp-v3.js';
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

/** snmpEngineID.0 as the lab's v3 user reads it with snmpget, lowercase hex. */
async function snmpgetEngineId(host: string): Promise<string> {
  const v3 = SNMP.v3;
  const out = await runTool('/usr/bin/snmpget', [
    ...['-v3', '-l', 'authPriv', '-u', v3.username, '-a', v3.authProtocol, '-A', v3.authPassword],
    ...['-x', v3.privProtocol, '-X', v3.privPassword, '-t', '3', '-r', '2', '-Oqvx'],
    host,
    OID_SNMP_ENGINE_ID,
  ]);
  return out.replace(/[^0-9A-Fa-f]/g, '').toLowerCase();
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

  test('wrong communities give null without the v3 discovery', async () => {
    const v2Only = new SnmpProbe({ retries: 2, v3Discovery: false });
    try {
      assert.equal(
        await v2Only.probe(HOSTS.snmp, ['public', 'not-the-community'], ctx(1500)),
        null,
      );
    } finally {
      v2Only.close();
    }
  });

  test('snmpd answers the v3 discovery with the engine ID its snmpEngineID.0 reports', async () => {
    const hit = await probe.probe(HOSTS.snmp, [], ctx(3000));
    assert.ok(hit?.snmpV3, 'no Report from the lab snmpd');
    assert.equal(hit.community, undefined);
    assert.equal(hit.snmpV3.engineId, await snmpgetEngineId(HOSTS.snmp));
    assert.equal(hit.snmpV3.enterpriseNumber, 8072);
    assert.ok(hit.snmpV3.engineBoots >= 1);
  });

  test('wrong communities still find snmpd through its v3 engine', async () => {
    const hit = await probe.probe(HOSTS.snmp, ['public', 'not-the-community'], ctx(1500));
    assert.deepEqual(Object.keys(hit ?? {}), ['snmpV3']);
  });

  test('snmpsim (pysnmp) answers the v3 discovery too: an octets-format engine ID', async () => {
    const hit = await probe.probe(HOSTS.snmpsim, [], ctx(3000));
    assert.equal(hit?.snmpV3?.engineIdFormat, 'octets');
    assert.equal(hit?.snmpV3?.enterpriseNumber, 20408);
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
    assert.match(hits[0]!.sysDescr ?? '', /^Cisco IOS Software, C3750/);
    assert.equal(probe.stats().outstanding, 0);
  });

  test('a lab address where nothing listens gives null', async () => {
    assert.equal(await probe.probe(HOSTS.ssh, [SNMP.community], ctx(1000)), null);
  });
});
