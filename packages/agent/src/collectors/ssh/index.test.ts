// Tests of collectSshInventory over fake sessions: a local shell, replayed output, and failing channels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ScannerError } from '../../errors.js';
import type { ExecOptions, ExecResult } from '../../transports/ssh/ssh-session.js';
import { collectSshInventory, SSH_SECTIONS, type SshExecutor } from './index.js';

const td = (path: string): string =>
  readFileSync(new URL(`./parsers/testdata/${path}`, import.meta.url), 'utf8');

interface Call {
  cmd: string;
  opts: ExecOptions;
}

/** The nonce the collector put in the script it sent. */
function nonceOf(opts: ExecOptions): string {
  const m = /_ns_m='@@NOPESIGHT-([0-9a-f]+)'/.exec(String(opts.stdin));
  assert.ok(m, 'script carries its marker');
  return m[1] as string;
}

/** A session that answers with `reply(nonce)` and records the calls. */
function replaying(reply: (nonce: string) => Partial<ExecResult>): SshExecutor & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    exec(cmd: string, opts: ExecOptions): Promise<ExecResult> {
      calls.push({ cmd, opts });
      return Promise.resolve({
        stdout: '',
        stderr: '',
        exitCode: 0,
        exitSignal: null,
        truncated: false,
        timedOut: false,
        ...reply(nonceOf(opts)),
      });
    },
  };
}

function failing(err: Error): SshExecutor {
  return { exec: () => Promise.reject(err) };
}

/** Script-shaped output from Debian 12 captures. */
function debianOutput(nonce: string): string {
  const m = `@@NOPESIGHT-${nonce}`;
  const sections: [string, string][] = [
    ['meta', 'uid=1000\npriv=denied\ntimeout=timeout 20\nhead=1\n'],
    ['uname', td('system/uname-snrm-debian12.txt')],
    ['hostname', td('system/hostname-debian12.txt')],
    ['date', td('system/date-epoch-debian12.txt')],
    ['os-release', td('system/os-release-debian12.txt')],
    ['uptime', td('system/proc-uptime-debian12.txt')],
    ['lscpu', td('hardware/lscpu-debian12.txt')],
    ['meminfo', td('hardware/proc-meminfo-debian12.txt')],
    ['lsblk', td('hardware/lsblk-debian12.json')],
    ['df', td('hardware/df-pk-debian12.txt')],
    ['ip-addr', td('network/ip-j-addr-debian12.json')],
    ['ip-route', td('network/ip-j-route-debian12.json')],
    ['resolv', td('network/resolv-conf-debian12.txt')],
    ['dpkg', td('packages/debian12-dpkg-query.txt')],
    ['ps', td('processes/debian12-ps-procps.txt')],
    ['sysv', td('services/debian12-service-status-all.txt')],
    ['ss', td('connections/debian12-ss-tunapH.txt')],
    ['passwd', td('users/debian12-getent-passwd.txt')],
    ['group', td('users/debian12-getent-group.txt')],
    ['login-defs', td('users/debian12-login-defs.txt')],
    ['virt', td('virtualization/debian12-firecracker-kvm-docker.txt')],
  ];
  const body = sections.map(([n, t]) => `${m} begin ${n}@@\n${t}\n${m} end ${n} 0@@\n`).join('');
  return `\n${body}\n${m} skip dmi absent@@\n\n${m} done@@\n`;
}

const base = { signal: new AbortController().signal, timeoutMs: 60_000, sudo: 'none' as const };

describe('collectSshInventory', () => {
  test('collectSshInventory runs one exec with the script on stdin and maps the sections', async () => {
    const session = replaying((nonce) => ({ stdout: debianOutput(nonce) }));
    const inv = await collectSshInventory(session, base);
    assert.equal(session.calls.length, 1);
    assert.equal(session.calls[0]?.cmd, 'sh -s');
    assert.equal(session.calls[0]?.opts.timeoutMs, 60_000);
    assert.equal(inv.error, null);
    assert.equal(inv.stats.done, true);
    assert.equal(inv.stats.roundTrips, 1);
    assert.equal(inv.sections.software, 'complete');
    assert.equal(inv.sections.dmi, 'unsupported');
    assert.equal(inv.ci.os.id, 'debian');
    assert.ok(inv.ci.software.length > 100);
  });

  test('collectSshInventory keeps the script deadline inside the exec limit', async () => {
    const session = replaying((nonce) => ({ stdout: debianOutput(nonce) }));
    await collectSshInventory(session, { ...base, timeoutMs: 30_000 });
    const script = String(session.calls[0]?.opts.stdin);
    assert.match(script, /_ns_deadline=\$\(\( \$\(_ns_now\) \+ 25 \)\)/);
    assert.match(script, /_ns_to=7\n/);
  });

  test('collectSshInventory sends a sudo password only on stdin', async () => {
    const pw = 'Sudo-Pass-Unit-1';
    const session = replaying((nonce) => ({ stdout: debianOutput(nonce) }));
    const inv = await collectSshInventory(session, { ...base, sudo: 'password', sudoPassword: pw });
    assert.ok(!session.calls[0]?.cmd.includes(pw));
    assert.ok(String(session.calls[0]?.opts.stdin).includes(pw));
    assert.ok(!JSON.stringify(inv).includes(pw));
  });

  test('collectSshInventory marks the sections after a truncation as timeout', async () => {
    const session = replaying((nonce) => {
      const full = debianOutput(nonce);
      return {
        stdout: full.slice(0, full.indexOf('begin ps@@') + 2000),
        truncated: true,
        exitCode: null,
      };
    });
    const inv = await collectSshInventory(session, base);
    assert.equal(inv.error, null);
    assert.equal(inv.stats.truncated, true);
    assert.equal(inv.stats.done, false);
    assert.equal(inv.sections.software, 'complete');
    assert.equal(inv.sections.processes, 'partial');
    assert.equal(inv.sections.users, 'timeout');
    assert.equal(inv.sections.connections, 'timeout');
    assert.ok(inv.stats.warnings.some((w) => /output cut at/.test(w)));
  });

  test('collectSshInventory returns timeout sections when the exec times out silent', async () => {
    const session = replaying(() => ({ stdout: '', exitCode: null, timedOut: true }));
    const inv = await collectSshInventory(session, base);
    assert.equal(inv.error?.code, 'ERR_TIMEOUT');
    assert.match(inv.error?.message ?? '', /timed out after 60000ms before any section/);
    assert.equal(inv.stats.timedOut, true);
    for (const s of SSH_SECTIONS) assert.equal(inv.sections[s], 'timeout');
  });

  test('collectSshInventory keeps the sections read before the exec timed out', async () => {
    const session = replaying((nonce) => {
      const full = debianOutput(nonce);
      return { stdout: full.slice(0, full.indexOf('begin ps@@') + 2000), timedOut: true };
    });
    const inv = await collectSshInventory(session, base);
    assert.equal(inv.error?.code, 'ERR_TIMEOUT');
    assert.match(
      inv.error?.message ?? '',
      /ssh command timed out after 60000ms; \d+ sections read/,
    );
    assert.equal(inv.sections.software, 'complete');
    assert.equal(inv.ci.os.id, 'debian');
    assert.equal(inv.sections.processes, 'partial');
    assert.match(inv.notes.processes?.[0] ?? '', /no end marker: ssh command timed out/);
    assert.equal(inv.sections.users, 'timeout');
    assert.match(inv.notes.users?.[0] ?? '', /timed out after 60000ms before this section/);
  });

  test('collectSshInventory still maps a thrown ERR_TIMEOUT to timeout sections', async () => {
    const inv = await collectSshInventory(
      failing(new ScannerError('ERR_TIMEOUT', 'ssh command timed out after 10ms')),
      base,
    );
    assert.equal(inv.error?.code, 'ERR_TIMEOUT');
    for (const s of SSH_SECTIONS) assert.equal(inv.sections[s], 'timeout');
  });

  test('collectSshInventory does not throw when the channel is refused', async () => {
    const inv = await collectSshInventory(
      failing(new ScannerError('ERR_PROTOCOL', 'ssh exec: the server refused the channel')),
      base,
    );
    assert.equal(inv.error?.code, 'ERR_PROTOCOL');
    assert.equal(inv.sections.os, 'unsupported');
  });

  test('collectSshInventory rethrows when the scan is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      collectSshInventory(failing(new ScannerError('ERR_ABORTED', 'aborted')), {
        ...base,
        signal: ac.signal,
      }),
      /aborted/,
    );
  });

  test('collectSshInventory reports a host without a POSIX shell, redacting an echoed password', async () => {
    const pw = 'Echoed-Pass-2';
    const session: SshExecutor = {
      exec: (_cmd, opts) =>
        Promise.resolve({
          stdout: `% Invalid input detected\n${String(opts.stdin)}`,
          stderr: '',
          exitCode: 1,
          exitSignal: null,
          truncated: false,
          timedOut: false,
        }),
    };
    const inv = await collectSshInventory(session, { ...base, sudo: 'password', sudoPassword: pw });
    assert.equal(inv.error?.code, 'ERR_PROTOCOL');
    assert.match(inv.error?.message ?? '', /produced no sections/);
    assert.ok(!JSON.stringify(inv).includes(pw));
    assert.equal(inv.sections.software, 'unsupported');
  });

  test('collectSshInventory collects this machine through a local shell', async () => {
    // The fake session runs the script in the local sh, as sshd would run it for the user.
    const local: SshExecutor = {
      exec: (cmd, opts) => {
        const r = spawnSync('/bin/sh', ['-c', cmd], {
          input: opts.stdin,
          encoding: 'utf8',
          timeout: opts.timeoutMs,
          maxBuffer: opts.maxBytes,
        });
        return Promise.resolve({
          stdout: r.stdout,
          stderr: r.stderr,
          exitCode: r.status,
          exitSignal: r.signal,
          truncated: false,
          timedOut: false,
        });
      },
    };
    const inv = await collectSshInventory(local, base);
    assert.equal(inv.error, null);
    assert.equal(inv.stats.done, true);
    for (const s of ['os', 'users', 'processes', 'interfaces'] as const) {
      assert.ok(
        inv.sections[s] === 'complete' || inv.sections[s] === 'partial',
        `${s}: ${inv.sections[s]}`,
      );
    }
    assert.ok(inv.ci.processes.length > 0);
    assert.ok(inv.ci.os.kernelName);
  });
});
