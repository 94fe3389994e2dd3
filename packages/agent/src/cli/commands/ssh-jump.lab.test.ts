// SSH through a jump host in the lab: 198.18.1.11 is reached through the sshd at 198.18.0.10,
// with a credential for each, by `credentials test` and by a scan; both hosts' keys get pinned.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import { runCli } from '../../../../../test/support/cli-io.js';
import { HOSTNAMES, HOSTS, SSH2_USERS, SSH_USERS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';

describe('ssh through a jump host in the lab', labOnly(), () => {
  let dataDir = '';
  const cli = (args: string[], stdin?: object) => runCli(dataDir, args, stdin);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-jump-lab-'));
    const bastion = await cli(
      [
        'credentials',
        'add',
        'ssh',
        '--name',
        'bastion',
        '--username',
        SSH_USERS.admin.username,
        '--scope',
        HOSTS.ssh,
        '--stdin',
      ],
      { password: SSH_USERS.admin.password },
    );
    assert.equal(bastion.code, 0, bastion.err);
    const inner = await cli(
      [
        'credentials',
        'add',
        'ssh',
        '--name',
        'jammy',
        '--username',
        SSH2_USERS.admin.username,
        '--sudo',
        'nopasswd',
        '--jump-host',
        HOSTS.ssh,
        '--jump-credential',
        'bastion',
        '--scope',
        HOSTS.ssh2,
        '--stdin',
      ],
      { password: SSH2_USERS.admin.password },
    );
    assert.equal(inner.code, 0, inner.err);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('credentials list shows the jump host; credentials test logs in through it', async () => {
    const list = await cli(['credentials', 'list']);
    assert.match(
      list.out,
      new RegExp(
        `jammy\\s+ssh\\s+${SSH2_USERS.admin.username} port 22 sudo nopasswd via ${HOSTS.ssh.replace(/\./g, '\\.')}:22`,
      ),
    );
    const r = await cli(['credentials', 'test', 'jammy', HOSTS.ssh2]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`hostname: ${HOSTNAMES.ssh2}`));
  });

  test('a scan collects the inner host through the jump host, and pins both keys', async () => {
    const r = await cli(['scan', HOSTS.ssh2, '--protocols', 'ssh', '--no-dns', '--json', '-']);
    assert.equal(r.code, 0, r.err);
    const host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts[0];
    assert.equal(host?.address, HOSTS.ssh2);
    assert.equal(host?.protocols[0]?.status, 'success', JSON.stringify(host?.protocols));
    assert.equal((host?.ci.os as { id?: string }).id, 'ubuntu');
    // The inner host saw its SSH client arrive from the jump host, not from the scanner.
    const conns = host?.ci.connections as {
      localPort: number;
      remoteAddress: string | null;
      state: string;
    }[];
    assert.ok(
      conns.some(
        (c) => c.localPort === 22 && c.remoteAddress === HOSTS.ssh && /estab/i.test(c.state),
      ),
      JSON.stringify(conns.filter((c) => c.localPort === 22)),
    );
    const keys = JSON.parse((await cli(['host-keys', 'list', '--json'])).out) as {
      address: string;
    }[];
    assert.deepEqual(keys.map((k) => k.address).sort(), [HOSTS.ssh, HOSTS.ssh2]);
  });

  test('the jump credential cannot be removed while a credential uses it', async () => {
    const r = await cli(['credentials', 'remove', 'bastion']);
    assert.equal(r.code, 2);
    assert.match(r.err, /logs in to the jump host of 'jammy'/);
  });
});
