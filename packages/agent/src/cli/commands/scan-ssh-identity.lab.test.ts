// `scan --protocols ssh` against the lab's two OpenSSH hosts (the machine's Debian at HOSTS.ssh,
// the Ubuntu identity at HOSTS.ssh2): each host record must match what the host itself says,
// read inside its own namespaces, and the two identities must differ.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import type { SshCi } from '../../collectors/ssh/inventory.js';
import { main } from '../main.js';
import { testIo } from '../../../../../test/support/cli-io.js';
import { HOSTS, SSH2_HTTP_PORT, SSH2_USERS, SSH_USERS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, runOnLabHost } from '../../../../../test/lab/lab.js';

/** What a host says about itself, read inside its own namespaces (not over SSH). */
interface HostTruth {
  os: { id: string; versionId: string; name: string; prettyName: string };
  kernel: string;
  hostname: string;
  /** Installed package names (dpkg `binary:Package`), sorted. */
  packages: string[];
  /** Accounts with a UID from the host's login.defs UID_MIN up, except the overflow uid. */
  users: string[];
  /** TCP ports with a listening socket, ascending. */
  tcpListenPorts: number[];
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** The truth of the host whose service lab.sh recorded as `service` (`sshd`, `sshd2`). */
async function hostTruth(service: string): Promise<HostTruth> {
  const on = (script: string): Promise<string> => runOnLabHost(service, script);
  const [id = '', versionId = '', name = '', prettyName = ''] = (
    await on('. /etc/os-release && printf "%s\\n" "$ID" "$VERSION_ID" "$NAME" "$PRETTY_NAME"')
  ).split('\n');

  // db:Status-Abbrev's second letter is the current state: n(ot installed) and c(onfig files
  // only) are not installed.
  const packages = lines(await on("dpkg-query -W -f='${binary:Package} ${db:Status-Abbrev}\\n'"))
    .map((l) => l.split(' '))
    .filter(([, status]) => status !== undefined && !['n', 'c'].includes(status[1] ?? 'n'))
    .map(([pkg]) => pkg as string)
    .sort();

  const uidMin = Number(/^\s*UID_MIN\s+(\d+)/m.exec(await on('cat /etc/login.defs'))?.[1] ?? 1000);
  const overflowUid = Number((await on('cat /proc/sys/kernel/overflowuid')).trim());
  const users = lines(await on('getent passwd'))
    .map((l) => l.split(':'))
    .filter((f) => Number(f[2]) >= uidMin && Number(f[2]) !== overflowUid)
    .map((f) => f[0] as string)
    .sort();

  // ss -ltnH: State Recv-Q Send-Q Local:Port Peer:Port
  const tcpListenPorts = [
    ...new Set(
      lines(await on('ss -ltnH')).map((l) => Number(l.trim().split(/\s+/)[3]?.split(':').pop())),
    ),
  ].sort((a, b) => a - b);

  return {
    os: { id, versionId, name, prettyName },
    kernel: (await on('uname -r')).trim(),
    hostname: (await on('hostname')).trim(),
    packages,
    users,
    tcpListenPorts,
  };
}

/** The SSH inventory part of a host record (the collector's CI, merged into `ci`). */
function sshCi(host: HostRecord): SshCi {
  return host.ci as unknown as SshCi;
}

/** Asserts that a host record says what the host says about itself. */
function assertMatchesTruth(host: HostRecord, truth: HostTruth): void {
  const at = host.address;
  assert.deepEqual(
    host.protocols.map((a) => [a.protocol, a.status]),
    [['ssh', 'success']],
    `${at}: ${JSON.stringify(host.protocols)}`,
  );
  for (const s of ['os', 'software', 'users', 'connections'] as const) {
    assert.equal(host.sections[s], 'complete', `${at} section ${s}`);
  }
  const ci = sshCi(host);
  assert.equal(ci.os.id, truth.os.id, `${at} os id`);
  assert.equal(ci.os.version, truth.os.versionId, `${at} os version`);
  assert.equal(ci.os.name, truth.os.name, `${at} os name`);
  assert.equal(ci.os.prettyName, truth.os.prettyName, `${at} os pretty name`);
  assert.equal(ci.os.kernel, truth.kernel, `${at} kernel`);
  assert.equal(ci.identity.hostname, truth.hostname, `${at} hostname`);

  assert.ok(truth.packages.length > 0, `${at}: the host has packages`);
  assert.equal(ci.software.length, truth.packages.length, `${at} package count`);
  assert.deepEqual(ci.software.map((p) => p.name).sort(), truth.packages, `${at} package names`);

  assert.deepEqual(ci.users.map((u) => u.name).sort(), truth.users, `${at} non-system users`);

  const listening = [
    ...new Set(
      ci.connections
        .filter((c) => c.proto === 'tcp' && c.state === 'LISTEN')
        .map((c) => c.localPort),
    ),
  ].sort((a, b) => a - b);
  assert.deepEqual(listening, truth.tcpListenPorts, `${at} listening TCP ports`);
}

describe('scan --protocols ssh against the two lab OS identities', labOnly(), () => {
  let dataDir = '';

  async function cli(args: string[], stdin?: string): Promise<{ code: number; err: string }> {
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir }, stdin });
    const code = await main(args, io);
    return { code, err: io.err() };
  }

  /** `scan TARGETS --protocols ssh --json FILE`, read back from FILE. */
  async function scanSsh(
    name: string,
    targets: string[],
  ): Promise<{ scan: ScanSummary; hosts: HostRecord[]; text: string }> {
    const file = join(dataDir, `${name}.json`);
    const { code, err } = await cli([
      'scan',
      ...targets,
      '--protocols',
      'ssh',
      '--no-dns',
      '--no-progress',
      '--json',
      file,
    ]);
    assert.equal(code, 0, err);
    const text = readFileSync(file, 'utf8');
    return { ...(JSON.parse(text) as { scan: ScanSummary; hosts: HostRecord[] }), text };
  }

  const byAddress = (hosts: HostRecord[], address: string): HostRecord => {
    const host = hosts.find((h) => h.address === address);
    assert.ok(host, `${address} was not reported`);
    return host;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-ssh-identity-lab-'));
    const stored: [string, string, { username: string; password: string }][] = [
      ['lab-ubuntu-admin', HOSTS.ssh2, SSH2_USERS.admin],
      ['lab-debian-admin', HOSTS.ssh, SSH_USERS.admin],
    ];
    for (const [name, scope, user] of stored) {
      const add = await cli(
        [
          'credentials',
          'add',
          'ssh',
          '--name',
          name,
          '--username',
          user.username,
          '--sudo',
          'nopasswd',
          '--scope',
          scope,
          '--stdin',
        ],
        JSON.stringify({ password: user.password }),
      );
      assert.equal(add.code, 0, add.err);
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('scan of 198.18.1.11 returns the Ubuntu identity the host itself reports', async () => {
    const truth = await hostTruth('sshd2');
    // The lab is what lab-hosts.ts says: its users and its extra listener are there.
    assert.ok(truth.users.includes(SSH2_USERS.admin.username), JSON.stringify(truth.users));
    assert.ok(truth.users.includes(SSH2_USERS.dev.username), JSON.stringify(truth.users));
    assert.ok(truth.tcpListenPorts.includes(22) && truth.tcpListenPorts.includes(SSH2_HTTP_PORT));

    const { hosts, text } = await scanSsh('ssh2', [HOSTS.ssh2]);
    assert.deepEqual(
      hosts.map((h) => h.address),
      [HOSTS.ssh2],
    );
    const host = byAddress(hosts, HOSTS.ssh2);
    assertMatchesTruth(host, truth);
    assert.ok(
      host.hostnames.some((h) => h.source === 'ssh' && h.name === truth.hostname),
      JSON.stringify(host.hostnames),
    );
    assert.ok(!text.includes(SSH2_USERS.admin.password), 'the password leaked into the results');
  });

  test('198.18.0.10 and 198.18.1.11 are scanned as two different OS identities', async () => {
    const [debian, ubuntu] = await Promise.all([hostTruth('sshd'), hostTruth('sshd2')]);
    const { hosts } = await scanSsh('both', [HOSTS.ssh, HOSTS.ssh2]);
    const first = byAddress(hosts, HOSTS.ssh);
    const second = byAddress(hosts, HOSTS.ssh2);
    assertMatchesTruth(first, debian);
    assertMatchesTruth(second, ubuntu);

    const a = sshCi(first);
    const b = sshCi(second);
    assert.notEqual(a.os.id, b.os.id, 'os id');
    assert.notEqual(a.os.version, b.os.version, 'os version');
    assert.notEqual(a.software.length, b.software.length, 'package count');
    assert.notEqual(a.identity.hostname, b.identity.hostname, 'hostname');
    assert.notDeepEqual(
      a.users.map((u) => u.name).sort(),
      b.users.map((u) => u.name).sort(),
      'non-system users',
    );
  });
});
