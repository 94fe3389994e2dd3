// Tests openSsh/SshSession against hostile and broken hosts played by the in-process fault server.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SshCredential } from '../../vault/credential-types.js';
import { openSsh, type ExecOptions, type SshSession } from './ssh-session.js';
import { rejectsWithCode } from '../../../../../test/support/errors.js';
import {
  startFaultServer,
  type ExecFault,
  type FaultAuth,
  type FaultServer,
} from '../../../../../test/support/ssh-fault-server.js';

const PASSWORD = 'unit-Fault-Password-4';
const servers: FaultServer[] = [];

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(exec: (cmd: string) => ExecFault, auth?: FaultAuth): Promise<FaultServer> {
  const s = await startFaultServer({ password: PASSWORD, auth, exec });
  servers.push(s);
  return s;
}

const cred = (port: number): SshCredential => ({
  id: 'cred-ssh-fault',
  name: 'unit fault',
  kind: 'ssh',
  scope: [],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  username: 'nopesight',
  port,
  sudo: 'none',
});

function login(s: FaultServer): Promise<SshSession> {
  return openSsh(
    '127.0.0.1',
    { credential: cred(s.port), secrets: { password: PASSWORD } },
    { signal: AbortSignal.timeout(30_000), connectTimeoutMs: 5000, authTimeoutMs: 10_000 },
  );
}

/** Generous limits: every test ends by the behaviour under test, never by these. */
const execOpts = (over: Partial<ExecOptions> = {}): ExecOptions => ({
  signal: AbortSignal.timeout(30_000),
  timeoutMs: 20_000,
  maxBytes: 64 * 1024,
  ...over,
});

/** Runs `fn` on a logged-in session to `s`, closing it afterwards. */
async function withSession<T>(s: FaultServer, fn: (session: SshSession) => Promise<T>): Promise<T> {
  const session = await login(s);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

describe('SshSession.exec on hostile hosts', () => {
  test('exec of a command that hangs times out with timedOut, closes the channel and the session goes on', async () => {
    const s = await server((cmd) =>
      cmd === 'echo ok' ? { stdout: 'ok\n', then: 'exit' } : { then: 'hang' },
    );
    await withSession(s, async (session) => {
      const r = await session.exec('hang', execOpts({ timeoutMs: 1000 }));
      assert.deepEqual(
        { ...r },
        {
          stdout: '',
          stderr: '',
          exitCode: null,
          exitSignal: null,
          truncated: false,
          timedOut: true,
        },
      );
      await (
        await s.execStarted(0)
      ).whenClosed;
      const next = await session.exec('echo ok', execOpts());
      assert.equal(next.stdout, 'ok\n');
      assert.equal(next.exitCode, 0);
    });
  });

  test('exec keeps the output a slow command printed before its timeout', async () => {
    const s = await server(() => ({ stdout: 'part one\n', stderr: 'warn\n', then: 'hang' }));
    await withSession(s, async (session) => {
      const r = await session.exec('slow', execOpts({ timeoutMs: 2000 }));
      assert.equal(r.timedOut, true);
      assert.equal(r.stdout, 'part one\n');
      assert.equal(r.stderr, 'warn\n');
      assert.equal(r.exitCode, null);
    });
  });

  test('exec of a flood keeps maxBytes, closes the channel and the server stops writing', async () => {
    const limit = 64 * 1024 * 1024;
    const s = await server(() => ({ then: 'flood' }));
    await withSession(s, async (session) => {
      const r = await session.exec('flood', execOpts({ maxBytes: 100_000 }));
      assert.equal(r.truncated, true);
      assert.equal(r.timedOut, false);
      assert.equal(Buffer.byteLength(r.stdout), 100_000);
      assert.equal(r.exitCode, null);
      const rec = await s.execStarted(0);
      await rec.whenClosed;
      // Stopped by the client's close, far below the server's own hard limit.
      assert.equal(rec.floodEnd, 'closed');
      assert.ok(rec.stdoutBytes < limit, `${rec.stdoutBytes} bytes written`);
    });
  });

  test('exec of a flood stops at a cap that falls exactly on a chunk boundary', async () => {
    // The flood arrives in 32 KiB packets: the cap is reached exactly, and the next byte past it
    // must still close the channel (it used to be read and dropped until the timeout).
    const s = await server(() => ({ then: 'flood' }));
    await withSession(s, async (session) => {
      const r = await session.exec('flood', execOpts({ maxBytes: 128 * 1024 }));
      assert.equal(r.truncated, true);
      assert.equal(r.timedOut, false);
      assert.equal(Buffer.byteLength(r.stdout), 128 * 1024);
      const rec = await s.execStarted(0);
      await rec.whenClosed;
      assert.equal(rec.floodEnd, 'closed');
    });
  });

  test('exec of output exactly maxBytes long is complete, not truncated', async () => {
    const s = await server(() => ({ stdout: 'x'.repeat(4096), then: 'exit' }));
    await withSession(s, async (session) => {
      const r = await session.exec('exact', execOpts({ maxBytes: 4096 }));
      assert.equal(r.truncated, false);
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout.length, 4096);
    });
  });

  test('exec of non-UTF-8 bytes returns bounded text with replacement characters', async () => {
    const junk = Buffer.from([0x66, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a]);
    const s = await server(() => ({ stdout: Buffer.concat([junk, junk]), then: 'exit' }));
    await withSession(s, async (session) => {
      const r = await session.exec('junk', execOpts({ maxBytes: 12 }));
      assert.equal(r.truncated, true);
      assert.ok(r.stdout.includes('\ufffd'));
      assert.ok(r.stdout.startsWith('f'));
      assert.ok(Buffer.byteLength(r.stdout) <= 12 * 3, 'at most one replacement per byte kept');
    });
  });

  test('exec of a channel closed mid-stream returns its output with no exit status', async () => {
    const s = await server(() => ({ stdout: 'half a li', then: 'close' }));
    await withSession(s, async (session) => {
      const r = await session.exec('cut', execOpts());
      assert.equal(r.stdout, 'half a li');
      assert.equal(r.exitCode, null);
      assert.equal(r.timedOut, false);
      assert.equal(r.truncated, false);
    });
  });

  test('exec on a connection dropped mid-stream ends without waiting for its limit', async () => {
    const s = await server(() => ({ stdout: 'before the drop\n', then: 'disconnect' }));
    await withSession(s, async (session) => {
      const r = await session.exec('drop', execOpts({ timeoutMs: 600_000 }));
      assert.equal(r.stdout, 'before the drop\n');
      assert.equal(r.exitCode, null);
      assert.equal(r.timedOut, false);
      await rejectsWithCode(session.exec('again', execOpts()), 'ERR_PROTOCOL');
    });
  });

  test('exec refused by the server is ERR_PROTOCOL', async () => {
    const s = await server(() => ({ refuse: true }));
    await withSession(s, async (session) => {
      const err = await rejectsWithCode(session.exec('x', execOpts()), 'ERR_PROTOCOL');
      assert.match(err.message, /refused the channel/);
    });
  });

  test('an abort (Ctrl-C) stops a hung exec with ERR_ABORTED and closes its channel', async () => {
    const s = await server(() => ({ then: 'hang' }));
    await withSession(s, async (session) => {
      const ctl = new AbortController();
      const p = session.exec('hang', execOpts({ signal: ctl.signal, timeoutMs: 600_000 }));
      const rec = await s.execStarted(0);
      ctl.abort();
      await rejectsWithCode(p, 'ERR_ABORTED');
      await rec.whenClosed;
      assert.equal(rec.closed, true);
    });
  });
});

describe('openSsh against a server demanding a password change', () => {
  test('a password change request (USERAUTH_PASSWD_CHANGEREQ) is ERR_AUTH_FAILED and no new password is sent', async () => {
    const s = await server(() => ({ then: 'hang' }), 'password-change');
    const err = await rejectsWithCode(login(s), 'ERR_AUTH_FAILED', [PASSWORD]);
    assert.match(err.message, /demands a password change for user nopesight/);
    assert.deepEqual(s.answers, []);
  });

  test('a keyboard-interactive change dialogue is ERR_AUTH_FAILED and gets no answer', async () => {
    const s = await server(() => ({ then: 'hang' }), 'keyboard-password-change');
    const err = await rejectsWithCode(login(s), 'ERR_AUTH_FAILED', [PASSWORD]);
    assert.match(err.message, /demands a password change/);
    // The password answered the login prompt only: nothing went to Current/New/Retype.
    assert.deepEqual(s.answers, [{ prompt: 'Password: ', answer: PASSWORD }]);
  });

  test('the fault server logs in with the right password (control)', async () => {
    const s = await server(() => ({ stdout: 'hi\n', then: 'exit', exitCode: 4 }));
    await withSession(s, async (session) => {
      assert.equal(session.authMethod, 'password');
      const r = await session.exec('hi', execOpts());
      assert.equal(r.stdout, 'hi\n');
      assert.equal(r.exitCode, 4);
    });
  });
});
