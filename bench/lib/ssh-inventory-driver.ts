// Bench driver: one full SSH inventory of the lab's sshd host through openSsh + collectSshInventory.
// Prints one JSON line: phase times, SSH connections and exec channels it opened, what it collected.
import { readFileSync } from 'node:fs';
import { collectSshInventory } from '../../packages/agent/src/collectors/ssh/index.js';
import { openSsh, type ExecOptions } from '../../packages/agent/src/transports/ssh/ssh-session.js';
import type { SshCredential, SudoMode } from '../../packages/agent/src/vault/credential-types.js';
import { HOSTS, SSH_USERS, sshKeyPath } from '../../test/lab/lab-hosts.js';
import { oursCounts, type DriverReport } from './ssh-inventory-lib.js';

/** The lab user to log in as: `admin` (password, passwordless sudo) or `key` (key only, no sudo). */
const who = process.argv.includes('--user=key') ? 'key' : 'admin';
const sudo: SudoMode = who === 'admin' ? 'nopasswd' : 'none';
const user = who === 'admin' ? SSH_USERS.admin : SSH_USERS.keyOnly;
const secrets =
  who === 'admin'
    ? { password: SSH_USERS.admin.password }
    : { privateKey: readFileSync(sshKeyPath, 'utf8') };
const at = new Date(0).toISOString();
const credential: SshCredential = {
  ...{ id: `bench-${user.username}`, name: `bench ${user.username}`, kind: 'ssh', scope: [] },
  ...{ createdAt: at, updatedAt: at, username: user.username, port: 22, sudo },
};

const signal = AbortSignal.timeout(150_000);
const started = performance.now();
const session = await openSsh(
  HOSTS.ssh,
  { credential, secrets },
  { signal, connectTimeoutMs: 5000, authTimeoutMs: 15_000 },
);
const connected = performance.now();
// Count what the collector really asks of the transport, not what its stats claim.
let execChannels = 0;
const counting = {
  exec: (cmd: string, opts: ExecOptions) => {
    execChannels++;
    return session.exec(cmd, opts);
  },
};
try {
  const inv = await collectSshInventory(counting, { signal, timeoutMs: 120_000, sudo });
  const collected = performance.now();
  const report: DriverReport = {
    connectMs: Math.round(connected - started),
    collectMs: Math.round(collected - connected),
    tcpConnections: 1,
    execChannels,
    statsRoundTrips: inv.stats.roundTrips,
    stdoutBytes: inv.stats.stdoutBytes,
    error: inv.error?.code ?? null,
    privilege: inv.run.privilege,
    sections: inv.sections,
    counts: oursCounts(inv.ci),
  };
  process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  await session.close();
}
