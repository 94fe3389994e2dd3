// Collects the lab's sshd host over SSH and compares the inventory with the host's own truth.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { HOSTNAMES, HOSTS, SSH_USERS, sshKeyPath } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { openSsh, type SshSession } from '../../transports/ssh/ssh-session.js';
import type { SshCredential, SudoMode } from '../../vault/credential-types.js';
import { collectSshInventory, type SshCollection } from './index.js';

const LIMITS = { timeoutMs: 120_000 };

function credential(username: string, sudo: SudoMode): SshCredential {
  const at = new Date(0).toISOString();
  return {
    id: `lab-${username}`,
    name: `lab ${username}`,
    kind: 'ssh',
    scope: [],
    createdAt: at,
    updatedAt: at,
    username,
    port: 22,
    sudo,
  };
}

type LabUser = { username: string; password?: string; privateKey?: string };

async function withSession<T>(
  user: LabUser,
  sudo: SudoMode,
  fn: (s: SshSession) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(LIMITS.timeoutMs);
  const session = await openSsh(
    HOSTS.ssh,
    {
      credential: credential(user.username, sudo),
      secrets: { password: user.password, privateKey: user.privateKey },
    },
    { signal, connectTimeoutMs: 5000, authTimeoutMs: 15_000 },
  );
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** The host's own answer to `cmd`, over a separate exec on the same session. */
async function truth(session: SshSession, cmd: string): Promise<string> {
  const r = await session.exec(cmd, {
    signal: AbortSignal.timeout(30_000),
    timeoutMs: 30_000,
    maxBytes: 4 << 20,
  });
  assert.equal(r.exitCode, 0, `truth command failed: ${cmd}: ${r.stderr}`);
  return r.stdout;
}

const TRUTH = {
  osId: '. /etc/os-release && echo "$ID"',
  packages: "dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -c '^.[iUFWHt]'",
  // Non-system users: UID_MIN from login.defs (default 1000), overflow ids excluded.
  users:
    'min=$(awk \'$1=="UID_MIN"{print $2}\' /etc/login.defs 2>/dev/null); getent passwd | awk -F: -v min="${min:-1000}" \'$3>=min && $3!=65534 && $3!=4294967294 {print $1}\' | sort',
  tcpListen: "ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -un",
  hostname: 'hostname',
};

async function collectAndCompare(
  user: LabUser,
  sudo: SudoMode,
  sudoPassword?: string,
): Promise<SshCollection> {
  return withSession(user, sudo, async (session) => {
    const inv = await collectSshInventory(session, {
      signal: AbortSignal.timeout(LIMITS.timeoutMs),
      timeoutMs: 90_000,
      sudo,
      sudoPassword,
    });
    assert.equal(inv.error, null, JSON.stringify(inv.error));
    assert.equal(inv.stats.done, true);
    assert.equal(inv.stats.roundTrips, 1);

    assert.equal(inv.ci.os.id, (await truth(session, TRUTH.osId)).trim());
    assert.equal(inv.ci.identity.hostname, HOSTNAMES.ssh);
    assert.equal(inv.ci.identity.hostname, (await truth(session, TRUTH.hostname)).trim());

    const pkgCount = Number((await truth(session, TRUTH.packages)).trim());
    assert.ok(pkgCount > 0);
    assert.equal(inv.ci.software.length, pkgCount);
    assert.equal(inv.sections.software, 'complete');

    const users = (await truth(session, TRUTH.users)).trim().split('\n').filter(Boolean);
    assert.deepEqual(inv.ci.users.map((u) => u.name).sort(), users);
    assert.ok(users.includes(SSH_USERS.admin.username));

    const ports = (await truth(session, TRUTH.tcpListen))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    const seen = [
      ...new Set(
        inv.ci.connections
          .filter((c) => c.proto === 'tcp' && c.state === 'LISTEN')
          .map((c) => c.localPort),
      ),
    ].sort((a, b) => a - b);
    assert.deepEqual(seen, ports);
    assert.ok(ports.includes(22));

    for (const s of [
      'identity',
      'os',
      'processes',
      'users',
      'connections',
      'interfaces',
    ] as const) {
      assert.ok(
        inv.sections[s] === 'complete' || inv.sections[s] === 'partial',
        `${s}: ${inv.sections[s]} ${JSON.stringify(inv.notes[s])}`,
      );
    }
    assert.ok(inv.ci.processes.some((p) => p.name === 'sshd' || /sshd/.test(p.commandLine)));
    assert.ok(inv.ci.interfaces.some((i) => i.ipv4.some((a) => a.address === HOSTS.ssh)));
    return inv;
  });
}

describe('collectSshInventory against the lab sshd', labOnly(), () => {
  test('collectSshInventory as labadmin with nopasswd sudo matches the host truth', async () => {
    const inv = await collectAndCompare(SSH_USERS.admin, 'nopasswd');
    assert.equal(inv.run.privilege, 'sudo-n');
    assert.notEqual(inv.sections.dmi, 'denied');
  });

  test('collectSshInventory as labadmin with a sudo password uses sudo -S', async () => {
    const inv = await collectAndCompare(SSH_USERS.admin, 'password', SSH_USERS.admin.password);
    assert.equal(inv.run.privilege, 'sudo-S');
  });

  test('collectSshInventory as labplain runs in basic mode and still matches', async () => {
    const inv = await collectAndCompare(SSH_USERS.plain, 'nopasswd');
    assert.equal(inv.run.privilege, 'denied');
    assert.ok(inv.ci.users.some((u) => u.name === SSH_USERS.plain.username));
  });

  test('collectSshInventory as the key-only labkey matches the host truth', async () => {
    const privateKey = readFileSync(sshKeyPath, 'utf8');
    const inv = await collectAndCompare(
      { username: SSH_USERS.keyOnly.username, privateKey },
      'none',
    );
    assert.equal(inv.run.privilege, 'none');
  });

  test('collectSshInventory as labplain with a wrong sudo password is basic mode, no leak', async () => {
    const inv = await collectAndCompare(SSH_USERS.plain, 'password', 'not-the-Password-9');
    assert.equal(inv.run.privilege, 'denied');
    assert.ok(!JSON.stringify(inv).includes('not-the-Password-9'));
  });
});
