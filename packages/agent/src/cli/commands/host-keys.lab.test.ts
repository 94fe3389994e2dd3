// SSH host keys end to end in the lab: a scan pins the real sshd's key on first use, a pin that
// no longer matches fails the host naming both keys (scan and credentials test), and
// `host-keys trust` accepts the key the host offered so the next scan collects again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import { dataDirLayout } from '../../config/data-dir.js';
import { openDatabase } from '../../store/database.js';
import { runCli } from '../../../../../test/support/cli-io.js';
import { HOSTS, SSH_USERS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath, runTool } from '../../../../../test/lab/lab.js';

/** `SHA256:…` of a public key file, as OpenSSH's own ssh-keygen prints it. */
async function fingerprintOf(pubFile: string): Promise<string> {
  const line = await runTool('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]);
  const fp = line.split(/\s+/)[1];
  assert.match(fp ?? '', /^SHA256:/);
  return fp!;
}

describe('ssh host keys in the lab', labOnly(), () => {
  let dataDir = '';
  let hostKey = '';
  let otherKey = '';
  const cli = (...args: string[]) => runCli(dataDir, args);
  const scanSsh = async (): Promise<HostRecord> => {
    const r = await cli('scan', HOSTS.ssh, '--protocols', 'ssh', '--no-dns', '--json', '-');
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { hosts: HostRecord[] };
    const host = doc.hosts.find((h) => h.address === HOSTS.ssh);
    assert.ok(host, 'the ssh host was reported');
    return host;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-hostkeys-lab-'));
    hostKey = await fingerprintOf(labStatePath('ssh', 'ssh_host_ed25519_key.pub'));
    // A key the host does not have: what the agent would hold had the host been reinstalled.
    await runTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dataDir, 'old')]);
    otherKey = await fingerprintOf(join(dataDir, 'old.pub'));
    const added = await runCli(
      dataDir,
      [
        'credentials',
        'add',
        'ssh',
        '--name',
        'lab-admin',
        '--username',
        SSH_USERS.admin.username,
        '--stdin',
      ],
      { password: SSH_USERS.admin.password },
    );
    assert.equal(added.code, 0, added.err);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the first scan pins the key sshd really has', async () => {
    const host = await scanSsh();
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['ssh', 'success']],
    );
    const keys = JSON.parse((await cli('host-keys', 'list', '--json')).out) as {
      address: string;
      port: number;
      keyType: string;
      fingerprint: string;
    }[];
    assert.deepEqual(
      keys.map((k) => [k.address, k.port, k.keyType, k.fingerprint]),
      [[HOSTS.ssh, 22, 'ssh-ed25519', hostKey]],
    );
  });

  test('a pin that no longer matches fails the host, naming both keys, and nothing is collected', async () => {
    const db = openDatabase(dataDirLayout(dataDir).databaseFile);
    try {
      db.prepare('UPDATE ssh_host_keys SET fingerprint = ? WHERE address = ?').run(
        otherKey,
        HOSTS.ssh,
      );
    } finally {
      db.close();
    }
    const host = await scanSsh();
    const [attempt] = host.protocols;
    assert.equal(attempt?.status, 'failed');
    assert.equal(attempt?.error?.code, 'ERR_HOST_KEY_CHANGED');
    assert.ok(attempt?.error?.message.includes(otherKey), attempt?.error?.message);
    assert.ok(attempt?.error?.message.includes(hostKey), attempt?.error?.message);
    assert.equal(host.ci.software, undefined, 'no inventory from an unverified host');
    assert.equal(host.protocols.length, 1, 'no other credential is tried against that key');

    const test = await cli('credentials', 'test', 'lab-admin', HOSTS.ssh);
    assert.equal(test.code, 1);
    assert.match(
      test.out,
      /failed .*ERR_HOST_KEY_CHANGED: ssh host key of 198\.18\.0\.10:22 changed/,
    );
  });

  test('host-keys trust accepts the offered key and the next scan collects again', async () => {
    const trusted = await cli('host-keys', 'trust', HOSTS.ssh, '--fingerprint', hostKey);
    assert.equal(trusted.code, 0, trusted.err);
    const host = await scanSsh();
    assert.equal(host.protocols[0]?.status, 'success');
    assert.equal(host.sections.os, 'complete');
    assert.ok(Array.isArray(host.ci.software) && host.ci.software.length > 0);
  });
});
