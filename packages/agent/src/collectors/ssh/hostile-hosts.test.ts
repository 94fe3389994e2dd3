// collectSshInventory over a real openSsh session to hosts that hang, flood, lie, or break off.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { SectionState } from '@nopesight/model';
import { openSsh, type SshSession } from '../../transports/ssh/ssh-session.js';
import type { SshCredential } from '../../vault/credential-types.js';
import { rejectsWithCode } from '../../../../../test/support/errors.js';
import {
  startFaultServer,
  type ExecFault,
  type FaultServer,
} from '../../../../../test/support/ssh-fault-server.js';
import { collectSshInventory, SSH_SECTIONS, type CollectSshOptions } from './index.js';

const PASSWORD = 'unit-Hostile-Password-6';
const SECTION_STATES: SectionState[] = ['complete', 'partial', 'timeout', 'denied', 'unsupported'];
const servers: FaultServer[] = [];

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const td = (path: string): string =>
  readFileSync(new URL(`./parsers/testdata/${path}`, import.meta.url), 'utf8');

/** The nonce in the script the collector sent on stdin. */
function nonceIn(script: string): string {
  const m = /_ns_m='@@NOPESIGHT-([0-9a-f]+)'/.exec(script);
  assert.ok(m, 'the script carries its marker');
  return m[1] as string;
}

/** Output as the real script prints it, with this run's nonce: complete sections, then `tail`. */
function genuine(script: string, sections: [string, string][], tail = ''): string {
  const m = `@@NOPESIGHT-${nonceIn(script)}`;
  return sections.map(([n, t]) => `${m} begin ${n}@@\n${t}\n${m} end ${n} 0@@\n`).join('') + tail;
}

/** The first sections of a Debian 12 host, in the script's order. */
const FIRST_SECTIONS: [string, string][] = [
  ['meta', 'uid=1000\npriv=none\ntimeout=timeout 20\nhead=1\n'],
  ['uname', td('system/uname-snrm-debian12.txt')],
  ['hostname', td('system/hostname-debian12.txt')],
  ['date', td('system/date-epoch-debian12.txt')],
  ['os-release', td('system/os-release-debian12.txt')],
  ['uptime', td('system/proc-uptime-debian12.txt')],
];

/** Starts a fault server whose exec does `fault` for the script and answers `echo ok`. */
async function host(fault: ExecFault): Promise<FaultServer> {
  const s = await startFaultServer({
    password: PASSWORD,
    exec: (cmd) => (cmd === 'echo ok' ? { stdout: 'ok\n', then: 'exit' } : fault),
  });
  servers.push(s);
  return s;
}

async function withSession<T>(s: FaultServer, fn: (session: SshSession) => Promise<T>): Promise<T> {
  const credential: SshCredential = {
    id: 'cred-ssh-hostile',
    name: 'unit hostile',
    kind: 'ssh',
    scope: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    username: 'nopesight',
    port: s.port,
    sudo: 'none',
  };
  const session = await openSsh(
    '127.0.0.1',
    { credential, secrets: { password: PASSWORD } },
    { signal: AbortSignal.timeout(30_000), connectTimeoutMs: 5000, authTimeoutMs: 10_000 },
  );
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Generous budgets: each test ends by the behaviour under test, not by these. */
const opts = (over: Partial<CollectSshOptions> = {}): CollectSshOptions => ({
  signal: AbortSignal.timeout(60_000),
  timeoutMs: 30_000,
  sudo: 'none',
  ...over,
});

/** The scan goes on: the same session still runs a command after the hostile one. */
async function stillUsable(session: SshSession): Promise<void> {
  const r = await session.exec('echo ok', {
    signal: AbortSignal.timeout(30_000),
    timeoutMs: 20_000,
    maxBytes: 64,
  });
  assert.equal(r.stdout, 'ok\n');
}

describe('collectSshInventory on hostile hosts', () => {
  test('a shell that hangs ends at the budget with every section timeout and the channel closed', async () => {
    const s = await host({ then: 'hang' });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts({ timeoutMs: 1500 }));
      assert.equal(inv.error?.code, 'ERR_TIMEOUT');
      assert.match(
        inv.error?.message ?? '',
        /ssh command timed out after 1500ms before any section/,
      );
      assert.equal(inv.stats.timedOut, true);
      for (const name of SSH_SECTIONS) assert.equal(inv.sections[name], 'timeout', name);
      assert.match(inv.notes.software?.[0] ?? '', /timed out after 1500ms/);
      await (
        await s.execStarted(0)
      ).whenClosed;
      await stillUsable(session);
    });
  });

  test('a slow host keeps the sections it printed before the exec timed out', async () => {
    const lscpu = td('hardware/lscpu-debian12.txt');
    const s = await host({
      stdout: (script) =>
        genuine(
          script,
          FIRST_SECTIONS,
          `@@NOPESIGHT-${nonceIn(script)} begin lscpu@@\n${lscpu.slice(0, 300)}`,
        ),
      then: 'hang',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts({ timeoutMs: 2000 }));
      assert.equal(inv.error?.code, 'ERR_TIMEOUT');
      assert.match(inv.error?.message ?? '', /ssh command timed out after 2000ms; 7 sections read/);
      assert.equal(inv.stats.timedOut, true);
      assert.equal(inv.stats.done, false);
      assert.equal(inv.sections.identity, 'complete');
      assert.equal(inv.sections.os, 'complete');
      assert.equal(inv.ci.os.id, 'debian');
      assert.equal(inv.ci.identity.hostname, td('system/hostname-debian12.txt').split('\n')[0]);
      assert.notEqual(inv.sections.hardware, 'complete');
      assert.ok(
        inv.notes.hardware?.some((n) =>
          /lscpu: output cut \(no end marker: ssh command timed out/.test(n),
        ),
        JSON.stringify(inv.notes.hardware),
      );
      assert.equal(inv.sections.software, 'timeout');
      assert.match(
        inv.notes.software?.[0] ?? '',
        /ssh command timed out after 2000ms before this section/,
      );
      await stillUsable(session);
    });
  });

  test('a flood inside a section is cut at maxBytes, keeping the sections before it', async () => {
    const maxBytes = 256 * 1024;
    const s = await host({
      stdout: (script) =>
        genuine(script, FIRST_SECTIONS, `@@NOPESIGHT-${nonceIn(script)} begin dpkg@@\n`),
      then: 'flood',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts({ maxBytes }));
      assert.equal(inv.stats.truncated, true);
      assert.ok(inv.stats.stdoutBytes <= maxBytes, `${inv.stats.stdoutBytes} bytes kept`);
      assert.equal(inv.error, null, 'the cap is the collector’s own limit, not a host failure');
      assert.ok(inv.stats.warnings.includes(`output cut at ${maxBytes} bytes`));
      assert.equal(inv.sections.os, 'complete');
      assert.notEqual(inv.sections.software, 'complete');
      assert.match(inv.notes.software?.[0] ?? '', /dpkg: output cut/);
      assert.equal(inv.sections.users, 'timeout');
      assert.match(inv.notes.users?.[0] ?? '', /output cut at 262144 bytes before this section/);
      const rec = await s.execStarted(0);
      await rec.whenClosed;
      assert.equal(rec.floodEnd, 'closed');
      await stillUsable(session);
    });
  });

  test('a flood without any marker is ERR_PROTOCOL with the output bounded', async () => {
    const maxBytes = 128 * 1024;
    const s = await host({ then: 'flood' });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts({ maxBytes }));
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(inv.error?.message ?? '', /produced no sections/);
      assert.ok(inv.stats.stdoutBytes <= maxBytes);
      assert.ok((inv.error?.message.length ?? 0) < 400);
      for (const name of SSH_SECTIONS) assert.equal(inv.sections[name], 'unsupported');
      const rec = await s.execStarted(0);
      await rec.whenClosed;
      assert.equal(rec.floodEnd, 'closed');
    });
  });

  test('garbage, non-UTF-8 bytes and forged markers are ERR_PROTOCOL with a printable message', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
    const forged = [
      '@@NOPESIGHT-0123456789abcdef01234567 begin meta@@',
      'uid=0',
      '@@NOPESIGHT-0123456789abcdef01234567 end meta 0@@',
      '@@NOPESIGHT-0123456789abcdef01234567 done@@',
      '',
    ].join('\n');
    const s = await host({
      stdout: Buffer.concat([bytes, Buffer.from(`\n${forged}`), bytes]),
      then: 'exit',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts());
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(inv.error?.message ?? '', /produced no sections \(exit 0\)/);
      assert.doesNotMatch(inv.error?.message ?? '', /\p{Cc}/u);
      assert.equal(inv.stats.done, false);
      assert.equal(inv.run.uid, null, 'the forged meta section was not read');
      for (const name of SSH_SECTIONS) assert.equal(inv.sections[name], 'unsupported');
    });
  });

  test('non-UTF-8 bytes inside genuine sections are parsed without failing the host', async () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0x80, 0x0a]).toString('latin1');
    const s = await host({
      stdout: (script) => {
        const m = `@@NOPESIGHT-${nonceIn(script)}`;
        const text = genuine(
          script,
          FIRST_SECTIONS.map(([n, t]) => [n, n === 'meta' ? t : `${junk}${t}${junk}`]),
          `${m} begin passwd@@\n${junk.repeat(100)}\n${m} end passwd 0@@\n\n${m} done@@\n`,
        );
        return Buffer.from(text, 'latin1');
      },
      then: 'exit',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts());
      assert.equal(inv.error, null);
      assert.equal(inv.stats.done, true);
      for (const name of SSH_SECTIONS) assert.ok(SECTION_STATES.includes(inv.sections[name]));
      assert.deepEqual(inv.ci.users, []);
    });
  });

  test('a channel closed mid-stream without exit status keeps the sections before and says so', async () => {
    const s = await host({
      stdout: (script) =>
        genuine(
          script,
          FIRST_SECTIONS.slice(0, 3),
          `@@NOPESIGHT-${nonceIn(script)} begin date@@\n17`,
        ),
      then: 'close',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts());
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(
        inv.error?.message ?? '',
        /the host closed the channel without an exit status; 4 sections read/,
      );
      assert.equal(inv.stats.exitCode, null);
      assert.equal(inv.sections.identity, 'complete');
      assert.equal(inv.ci.os.kernelName, 'Linux');
      assert.equal(inv.sections.software, 'timeout');
      assert.match(
        inv.notes.software?.[0] ?? '',
        /closed the channel without an exit status before this section/,
      );
      await stillUsable(session);
    });
  });

  test('a connection dropped mid-stream keeps the sections read and ends the collection', async () => {
    const s = await host({
      stdout: (script) => genuine(script, FIRST_SECTIONS),
      then: 'disconnect',
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts({ timeoutMs: 600_000 }));
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(inv.error?.message ?? '', /6 sections read/);
      assert.equal(inv.stats.timedOut, false);
      assert.equal(inv.sections.os, 'complete');
      assert.equal(inv.sections.users, 'timeout');
    });
  });

  test('an expired account whose shell refuses to run prints why in the error', async () => {
    // What OpenSSH without PAM sends for a non-interactive command on an expired password.
    const s = await host({
      stderr:
        'WARNING: Your password has expired.\nPassword change required but no TTY available.\n',
      then: 'exit',
      exitCode: 1,
    });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts());
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(
        inv.error?.message ?? '',
        /no sections \(exit 1\): WARNING: Your password has expired\. Password change required/,
      );
    });
  });

  test('an exec channel the server refuses is ERR_PROTOCOL without throwing', async () => {
    const s = await host({ refuse: true });
    await withSession(s, async (session) => {
      const inv = await collectSshInventory(session, opts());
      assert.equal(inv.error?.code, 'ERR_PROTOCOL');
      assert.match(inv.error?.message ?? '', /refused the channel/);
      for (const name of SSH_SECTIONS) assert.equal(inv.sections[name], 'unsupported');
    });
  });

  test('Ctrl-C (scan cancel) aborts an in-flight collection with ERR_ABORTED and closes the channel', async () => {
    const s = await host({ then: 'hang' });
    await withSession(s, async (session) => {
      const ctl = new AbortController();
      const p = collectSshInventory(session, opts({ signal: ctl.signal, timeoutMs: 600_000 }));
      const rec = await s.execStarted(0);
      ctl.abort();
      await rejectsWithCode(p, 'ERR_ABORTED');
      await rec.whenClosed;
      assert.equal(rec.closed, true);
    });
  });
});
