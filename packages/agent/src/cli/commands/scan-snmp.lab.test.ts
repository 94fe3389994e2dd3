// `scan DEVICE --protocols snmp` end to end in the lab: a recorded Cisco switch (snmpsim) and the
// real net-snmp snmpd. Identity, interfaces, addresses and neighbours are compared with what the
// recording file holds and with what the snmpd host's own network namespace says.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import { runCli } from '../../../../../test/support/cli-io.js';
import { rawRecording } from '../../../../../test/support/snmprec.js';
import { HOSTS, SNMP, SNMPD_SYSTEM } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath, runOnLabHost } from '../../../../../test/lab/lab.js';

type Ci = {
  identity: { hostname: string | null; serial: string | null; macs: string[] };
  system: { vendor: string | null; deviceRole: string; location: string | null };
  interfaces: { index: number; name: string | null; mac: string | null }[];
  addresses: { address: string; ifIndex: number | null }[];
};

describe('scan --protocols snmp in the lab', labOnly(), () => {
  let dataDir = '';
  const cli = (args: string[], stdin?: object) => runCli(dataDir, args, stdin);
  const scan = async (address: string): Promise<HostRecord> => {
    const r = await cli(['scan', address, '--protocols', 'snmp', '--no-dns', '--json', '-']);
    assert.equal(r.code, 0, r.err);
    const host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts.find(
      (h) => h.address === address,
    );
    assert.ok(host, `${address} was reported`);
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['snmp', 'success']],
      JSON.stringify(host.protocols),
    );
    return host;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scan-snmp-'));
    for (const [name, scope, community] of [
      ['cisco', HOSTS.snmpsim, 'cisco-3750'],
      ['snmpd', HOSTS.snmp, SNMP.community],
    ] as const) {
      const r = await cli(
        ['credentials', 'add', 'snmp', '--name', name, '--scope', scope, '--stdin'],
        { community },
      );
      assert.equal(r.code, 0, r.err);
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the recorded Cisco 3750: identity, interfaces, addresses and the CDP neighbour match the recording', async () => {
    const raw = rawRecording(labStatePath('snmpsim', 'data', 'cisco-3750.snmprec'));
    const host = await scan(HOSTS.snmpsim);
    const ci = host.ci as unknown as Ci;
    assert.equal(host.ci.type, 'network_device');
    assert.equal(ci.system.deviceRole, 'switch');
    assert.equal(ci.system.vendor, 'Cisco');
    assert.ok(
      host.hostnames.some((h) => h.source === 'snmp' && h.name === raw.text('1.3.6.1.2.1.1.5.0')),
    );
    assert.equal(ci.system.location, raw.text('1.3.6.1.2.1.1.6.0'));
    const chassis = raw.under('1.3.6.1.2.1.47.1.1.1.1.5').find((o) => raw.text(o) === '3')!;
    assert.equal(
      ci.identity.serial,
      raw.text(`1.3.6.1.2.1.47.1.1.1.1.11.${chassis.split('.').pop()}`),
    );
    assert.deepEqual(
      ci.interfaces.map((i) => i.name).sort(),
      raw
        .under('1.3.6.1.2.1.31.1.1.1.1')
        .map((o) => raw.text(o))
        .sort(),
    );
    assert.deepEqual(
      ci.addresses.map((a) => a.address).sort(),
      raw
        .under('1.3.6.1.2.1.4.20.1.1')
        .map((o) => o.slice('1.3.6.1.2.1.4.20.1.1.'.length)) // rows are indexed by the address
        .sort(),
    );
    const cdp = host.relationships.filter((r) => r.evidence['source'] === 'cdp');
    const names = raw.under('1.3.6.1.4.1.9.9.23.1.2.1.1.6').map((o) => raw.text(o));
    assert.deepEqual(
      cdp.map((r) => r.evidence['remoteSystemName']),
      names,
    );
    assert.equal(host.sections.interfaces, 'complete');
    assert.equal(host.sections.neighbors, 'complete');
  });

  test("the real snmpd: sysName, location and its namespace's interfaces and addresses", async () => {
    const host = await scan(HOSTS.snmp);
    const ci = host.ci as unknown as Ci;
    assert.equal(ci.identity.hostname, SNMPD_SYSTEM.sysName);
    assert.equal(ci.system.location, SNMPD_SYSTEM.sysLocation);
    // The host's own view of its interfaces, from inside its network namespace.
    const truth = JSON.parse(await runOnLabHost('snmpd', 'ip -j addr show')) as {
      ifindex: number;
      ifname: string;
      address?: string;
      addr_info: { family: string; local: string }[];
    }[];
    assert.deepEqual(
      ci.interfaces.map((i) => [i.index, i.name]).sort(),
      truth.map((t) => [t.ifindex, t.ifname]).sort(),
    );
    const v4 = truth.flatMap((t) =>
      t.addr_info.filter((a) => a.family === 'inet').map((a) => a.local),
    );
    assert.deepEqual(
      ci.addresses
        .map((a) => a.address)
        .filter((a) => a.includes('.'))
        .sort(),
      v4.sort(),
    );
    assert.ok(['server', 'network_device'].includes(host.ci.type), host.ci.typeReason);
  });
});

describe('an SNMPv3-only view of the lab snmpd', labOnly(), () => {
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scan-snmpv3-'));
    // Only a v3 credential: no community of the vault or the default configuration answers.
    const r = await runCli(
      dataDir,
      [
        ...['credentials', 'add', 'snmp', '--name', 'v3', '--snmp-version', '3'],
        ...['--username', SNMP.v3.username, '--auth-protocol', SNMP.v3.authProtocol],
        ...['--priv-protocol', SNMP.v3.privProtocol, '--scope', HOSTS.snmp, '--stdin'],
      ],
      { authPassword: SNMP.v3.authPassword, privPassword: SNMP.v3.privPassword },
    );
    assert.equal(r.code, 0, r.err);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the engine-discovery answer finds the agent and the v3 credential collects it', async () => {
    const r = await runCli(dataDir, [
      'scan',
      HOSTS.snmp,
      '--protocols',
      'snmp',
      '--no-dns',
      '--json',
      '-',
    ]);
    assert.equal(r.code, 0, r.err);
    const host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts.find(
      (h) => h.address === HOSTS.snmp,
    );
    assert.ok(host?.discovery.snmpV3?.engineId, JSON.stringify(host?.discovery));
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['snmp', 'success']],
    );
    assert.equal((host.ci as unknown as Ci).identity.hostname, SNMPD_SYSTEM.sysName);
  });
});
