// The scan command end to end inside the lab: discovery of real services, silence where nothing
// lives, and stored credentials tried on the hosts whose protocol applies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { main } from '../main.js';
import { testIo } from '../../../../../test/support/cli-io.js';
import {
  HOSTS,
  SNMP,
  SSH_USERS,
  VCENTER,
  VCENTER_TLS,
  bulkAddress,
  bulkOpenPorts,
  dropAddress,
  labMacAddress,
} from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';

async function scanJson(
  dataDir: string,
  args: string[],
): Promise<{ code: number; doc: { scan: ScanSummary; hosts: HostRecord[] }; err: string }> {
  const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
  const code = await main(['scan', ...args, '--no-dns', '--json', '-'], io);
  return { code, doc: JSON.parse(io.out()), err: io.err() };
}

async function addCredential(dataDir: string, args: string[], secrets: object): Promise<void> {
  const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir }, stdin: JSON.stringify(secrets) });
  const code = await main(['credentials', 'add', ...args, '--stdin'], io);
  assert.equal(code, 0, io.err());
}

const byAddress = (hosts: HostRecord[], address: string): HostRecord => {
  const host = hosts.find((h) => h.address === address);
  assert.ok(host, `${address} was not reported`);
  return host;
};

describe('scan in the lab', labOnly(), () => {
  let dataDir = '';
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scan-lab-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('discovery fingerprints the lab services and picks their protocols', async () => {
    const bulk = bulkAddress(9);
    const { code, doc, err } = await scanJson(dataDir, [
      `${HOSTS.ssh},${HOSTS.smb},${HOSTS.vcenter}`,
      bulk,
      '--protocols',
      'none',
    ]);
    assert.equal(code, 0, err);
    assert.equal(doc.scan.counts.alive, 4);

    const ssh = byAddress(doc.hosts, HOSTS.ssh);
    assert.match(
      ssh.discovery.openPorts.find((p) => p.port === 22)?.banner ?? '',
      /^SSH-2\.0-OpenSSH/,
    );
    assert.deepEqual(ssh.discovery.candidateProtocols, ['ssh']);
    assert.equal(ssh.macs[0]?.mac, labMacAddress(HOSTS.ssh), 'MAC from the neighbour table');

    const smb = byAddress(doc.hosts, HOSTS.smb);
    assert.ok(smb.discovery.smb, 'SMB negotiate facts');
    assert.match(smb.discovery.smb.dialect, /^[23]\./);
    assert.equal(smb.discovery.smb.netbiosComputerName, 'LABSMB');
    assert.ok(smb.discovery.candidateProtocols.includes('windows'));
    assert.ok(smb.hostnames.some((h) => h.source === 'netbios' && h.name === 'LABSMB'));

    const vc = byAddress(doc.hosts, HOSTS.vcenter);
    assert.equal(vc.discovery.vsphere?.apiType, 'VirtualCenter');
    assert.equal(vc.ci.type, 'vcenter');
    assert.ok(vc.discovery.openPorts.find((p) => p.port === 443)?.tls?.selfSigned);

    const b = byAddress(doc.hosts, bulk);
    assert.deepEqual(
      b.discovery.openPorts.filter((p) => p.proto === 'tcp').map((p) => p.port),
      bulkOpenPorts(bulk).filter((p) => [22, 135, 139, 443, 445, 5985, 5986].includes(p)),
    );
  });

  test('dropping and absent addresses report nothing alive and no open port', async () => {
    const { code, doc, err } = await scanJson(dataDir, [
      `${dropAddress(120)}-136`,
      '--ports',
      '22,445',
      '--protocols',
      'none',
      '--no-icmp',
    ]);
    assert.equal(code, 0, err);
    assert.equal(doc.scan.counts.swept, 17);
    assert.deepEqual(doc.hosts, []);
  });

  test('a cancelled scan exits 130 and still writes what it found', async () => {
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
    const out = join(dataDir, 'cancelled.json');
    // 4,096 blackholed addresses keep the sweep busy long enough to be interrupted midway,
    // after the SSH host (swept first: targets go in address order) has been found.
    const running = main(
      ['scan', HOSTS.ssh, '198.19.0.0/20', '--protocols', 'none', '--no-dns', '--json', out],
      io,
    );
    setTimeout(() => io.abort(), 5000).unref();
    const code = await running;
    assert.equal(code, 130, io.err());
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(doc.scan.state, 'cancelled');
    assert.deepEqual(
      doc.hosts.map((h: HostRecord) => h.address),
      [HOSTS.ssh],
    );
  });

  test('stored credentials are tried where their protocol applies, and secrets stay out', async () => {
    await addCredential(
      dataDir,
      ['ssh', '--name', 'lab-admin', '--username', SSH_USERS.admin.username],
      {
        password: SSH_USERS.admin.password,
      },
    );
    await addCredential(
      dataDir,
      ['snmp', '--name', 'lab-v2c', '--snmp-version', '2c', '--scope', HOSTS.snmp],
      { community: SNMP.community },
    );
    await addCredential(
      dataDir,
      [
        'vcenter',
        '--name',
        'lab-vc-wrong',
        '--username',
        VCENTER.username,
        '--ca-file',
        VCENTER_TLS.certPath,
      ],
      { password: 'not-the-password-1' },
    );
    await addCredential(
      dataDir,
      [
        'vcenter',
        '--name',
        'lab-vc',
        '--username',
        VCENTER.username,
        '--ca-file',
        VCENTER_TLS.certPath,
      ],
      { password: VCENTER.password },
    );

    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
    const code = await main(
      ['scan', HOSTS.ssh, HOSTS.snmp, HOSTS.vcenter, '--no-dns', '--jsonl', '-'],
      io,
    );
    assert.equal(code, 0, io.err());
    const hosts = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HostRecord);

    const ssh = byAddress(hosts, HOSTS.ssh);
    assert.deepEqual(
      ssh.protocols.map((a) => [a.protocol, a.status]),
      [['ssh', 'success']],
    );
    // The SSH login is followed by the inventory collection, merged into the record.
    assert.equal(ssh.sections.os, 'complete');
    assert.equal((ssh.ci.os as { id?: string }).id, 'debian');
    assert.ok((ssh.ci.software as unknown[]).length > 100, 'installed packages collected');
    assert.ok(
      (ssh.ci.users as { name: string }[]).some((u) => u.name === SSH_USERS.admin.username),
    );
    const snmp = byAddress(hosts, HOSTS.snmp);
    assert.ok(snmp.discovery.snmpSysDescr, 'the vault community answered the UDP/161 probe');
    assert.deepEqual(
      snmp.protocols.map((a) => [a.protocol, a.status]),
      [['snmp', 'success']],
    );
    const vc = byAddress(hosts, HOSTS.vcenter);
    assert.deepEqual(
      vc.protocols.map((a) => [a.protocol, a.status]),
      [['vcenter', 'success']],
      'the wrong password is tried first, then the right one wins',
    );

    const everything =
      io.out() +
      io.err() +
      readdirSync(join(dataDir, 'logs'))
        .map((f) => readFileSync(join(dataDir, 'logs', f), 'utf8'))
        .join('') +
      readdirSync(join(dataDir, 'results'))
        .map((f) => readFileSync(join(dataDir, 'results', f), 'utf8'))
        .join('');
    for (const secret of [
      SSH_USERS.admin.password,
      SNMP.community,
      VCENTER.password,
      'not-the-password-1',
    ]) {
      assert.ok(!everything.includes(secret), 'a secret leaked into output, logs or results');
    }
  });
});
