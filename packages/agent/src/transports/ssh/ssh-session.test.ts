// Tests openSsh/SshSession against a real OpenSSH sshd started on 127.0.0.1 with a temporary config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SshCredential } from '../../vault/credential-types.js';
import { openSsh, type SshConnectOptions } from './ssh-session.js';
import ssh2 from 'ssh2';
import { hostKeyFacts } from './host-key.js';
import { redactError } from '../safe-errors.js';
import { assertNoSecrets, rejectsWithCode } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';
import { ed25519KeyPair } from '../../../../../test/support/ssh-keys.js';
import { freePort } from '../../../../../test/support/ports.js';

const SSHD = '/usr/sbin/sshd';
const PASSPHRASE = 'unit-Key-Passphrase-7';
const WRONG_PASSWORD = 'unit-Wrong-Password-7';
const haveTools = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');

/** Waits for `needle` on a child's stderr (bounded by the child's own exit). */
function waitForLine(child: ChildProcess, needle: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (needle.test(seen)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ready: ${seen}`)));
  });
}

/** Every message, stack and property in an error's cause chain, as one string. */
const rejectsWith = (p: Promise<unknown>, code: string, secrets: string[] = []) =>
  rejectsWithCode(p, code, [...secrets, PASSPHRASE, WRONG_PASSWORD]);

describe(
  'openSsh against a real sshd',
  { skip: !haveTools && 'sshd or ssh-keygen missing' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsl-ssh-unit-'));
    const user = userInfo().username;
    let sshd: ChildProcess | null = null;
    let agent: ChildProcess | null = null;
    let port = 0;
    let hostFingerprint = '';
    let encryptedKey = '';
    let plainKey = '';
    const agentSock = join(dir, 'agent.sock');

    const cred = (over: Partial<SshCredential> = {}): SshCredential => ({
      id: 'cred-ssh-1',
      name: 'unit ssh',
      kind: 'ssh',
      scope: [],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      username: user,
      port,
      sudo: 'none',
      ...over,
    });
    const opts = (over: Partial<SshConnectOptions> = {}): SshConnectOptions => ({
      signal: AbortSignal.timeout(30_000),
      connectTimeoutMs: 5000,
      authTimeoutMs: 10_000,
      agentSocket: '',
      ...over,
    });

    before(async () => {
      const keygen = (file: string, pass: string) =>
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', pass, '-f', join(dir, file)]);
      keygen('host_ed25519', '');
      keygen('user_enc', PASSPHRASE);
      keygen('user_plain', '');
      encryptedKey = readFileSync(join(dir, 'user_enc'), 'utf8');
      plainKey = readFileSync(join(dir, 'user_plain'), 'utf8');
      writeFileSync(
        join(dir, 'authorized_keys'),
        readFileSync(join(dir, 'user_enc.pub'), 'utf8') +
          readFileSync(join(dir, 'user_plain.pub'), 'utf8'),
      );
      hostFingerprint = execFileSync('ssh-keygen', [
        '-l',
        '-E',
        'sha256',
        '-f',
        join(dir, 'host_ed25519.pub'),
      ])
        .toString()
        .split(' ')[1] as string;
      port = await freePort();
      const isRoot = process.getuid?.() === 0;
      writeFileSync(
        join(dir, 'sshd_config'),
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${join(dir, 'host_ed25519')}`,
          `PidFile ${join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'StrictModes no',
          'UsePAM no',
          // Password auth is on so a wrong password is really sent and refused (no PAM: the
          // password is checked against the shadow entry, which never matches WRONG_PASSWORD).
          'PasswordAuthentication yes',
          'KbdInteractiveAuthentication no',
          'PubkeyAuthentication yes',
          `AllowUsers ${user}`,
          `PermitRootLogin ${isRoot ? 'yes' : 'no'}`,
          'LogLevel INFO',
        ].join('\n') + '\n',
      );
      // As root sshd wants /run/sshd for privilege separation; give it a private, empty /run
      // rather than touching the real one.
      const cmd = isRoot
        ? [
            'unshare',
            [
              '--mount',
              '--propagation',
              'private',
              'sh',
              '-c',
              `mount -t tmpfs none /run && mkdir /run/sshd && exec ${SSHD} -D -e -f ${join(dir, 'sshd_config')}`,
            ],
          ]
        : [SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')]];
      sshd = spawn(cmd[0] as string, cmd[1] as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitForLine(sshd, /Server listening on 127\.0\.0\.1 port/);

      agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: ['ignore', 'pipe', 'pipe'] });
      for (let i = 0; i < 50 && !existsSync(agentSock); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      execFileSync('ssh-add', ['-q', join(dir, 'user_plain')], {
        env: { ...process.env, SSH_AUTH_SOCK: agentSock },
        stdio: 'ignore',
      });
    });

    after(async () => {
      await Promise.all([stopChild(sshd), stopChild(agent)]);
      rmSync(dir, { recursive: true, force: true });
    });

    test('openSsh logs in with an encrypted key and reports the host key like ssh-keygen', async () => {
      const session = await openSsh(
        '127.0.0.1',
        { credential: cred(), secrets: { privateKey: encryptedKey, passphrase: PASSPHRASE } },
        opts(),
      );
      try {
        assert.equal(session.authMethod, 'publickey');
        assert.equal(session.hostKey.fingerprintSha256, hostFingerprint);
        assert.equal(session.hostKey.keyType, 'ssh-ed25519');
        const r = await session.exec('echo hello; echo oops >&2; exit 3', {
          signal: AbortSignal.timeout(10_000),
          timeoutMs: 10_000,
          maxBytes: 1024,
        });
        assert.deepEqual(r, {
          stdout: 'hello\n',
          stderr: 'oops\n',
          exitCode: 3,
          exitSignal: null,
          truncated: false,
          timedOut: false,
        });
      } finally {
        await session.close();
      }
    });

    test('exec feeds stdin and truncates output past maxBytes', async () => {
      const session = await openSsh(
        '127.0.0.1',
        { credential: cred(), secrets: { privateKey: plainKey } },
        opts(),
      );
      try {
        const echoed = await session.exec('cat', {
          signal: AbortSignal.timeout(10_000),
          timeoutMs: 10_000,
          maxBytes: 1024,
          stdin: 'from stdin',
        });
        assert.equal(echoed.stdout, 'from stdin');
        assert.equal(echoed.exitCode, 0);
        const big = await session.exec('yes nopesight', {
          signal: AbortSignal.timeout(10_000),
          timeoutMs: 10_000,
          maxBytes: 1000,
        });
        assert.equal(big.truncated, true);
        assert.equal(big.stdout.length, 1000);
        assert.equal(big.exitCode, null);
      } finally {
        await session.close();
      }
    });

    test('exec times out keeping what was read and the session stays usable', async () => {
      const session = await openSsh(
        '127.0.0.1',
        { credential: cred(), secrets: { privateKey: plainKey } },
        opts(),
      );
      try {
        // The output printed before the limit is kept (2 s is ample for `echo` to arrive).
        const slow = await session.exec('echo first; sleep 30; echo never', {
          signal: AbortSignal.timeout(10_000),
          timeoutMs: 2000,
          maxBytes: 64,
        });
        assert.deepEqual(
          { ...slow },
          {
            stdout: 'first\n',
            stderr: '',
            exitCode: null,
            exitSignal: null,
            truncated: false,
            timedOut: true,
          },
        );
        const r = await session.exec('echo still', {
          signal: AbortSignal.timeout(10_000),
          timeoutMs: 10_000,
          maxBytes: 64,
        });
        assert.equal(r.stdout, 'still\n');
      } finally {
        await session.close();
      }
    });

    test('openSsh uses ssh-agent when the credential has no secret', async () => {
      const session = await openSsh(
        '127.0.0.1',
        { credential: cred(), secrets: {} },
        opts({ agentSocket: agentSock }),
      );
      assert.equal(session.authMethod, 'agent');
      await session.close();
    });

    test('openSsh without any secret or agent is a configuration error', async () => {
      await rejectsWith(
        openSsh('127.0.0.1', { credential: cred(), secrets: {} }, opts()),
        'ERR_CONFIG_INVALID',
      );
    });

    test('a wrong key passphrase is an authentication failure without leaking it', async () => {
      const wrong = 'unit-Wrong-Passphrase-9';
      const err = await rejectsWith(
        openSsh(
          '127.0.0.1',
          { credential: cred(), secrets: { privateKey: encryptedKey, passphrase: wrong } },
          opts(),
        ),
        'ERR_AUTH_FAILED',
        [wrong, encryptedKey.split('\n')[2] as string],
      );
      assert.match(err.message, /passphrase/);
    });

    test('a wrong password is refused as ERR_AUTH_FAILED without leaking it', async () => {
      const err = await rejectsWith(
        openSsh('127.0.0.1', { credential: cred(), secrets: { password: WRONG_PASSWORD } }, opts()),
        'ERR_AUTH_FAILED',
      );
      assert.match(err.message, /tried: password/);
    });

    test('a password for a user the server does not allow is ERR_AUTH_FAILED', async () => {
      await rejectsWith(
        openSsh(
          '127.0.0.1',
          {
            credential: cred({ username: 'nopesight-no-such-user' }),
            secrets: { password: WRONG_PASSWORD },
          },
          opts(),
        ),
        'ERR_AUTH_FAILED',
      );
    });

    test('a rejected host key is ERR_PROTOCOL naming the fingerprint', async () => {
      const seen: string[] = [];
      const err = await rejectsWith(
        openSsh(
          '127.0.0.1',
          { credential: cred(), secrets: { privateKey: plainKey } },
          opts({
            hostKey: {
              verify: async (fp, type) => {
                seen.push(`${type} ${fp}`);
                return false;
              },
            },
          }),
        ),
        'ERR_PROTOCOL',
      );
      assert.deepEqual(seen, [`ssh-ed25519 ${hostFingerprint}`]);
      assert.ok(err.message.includes(hostFingerprint));
    });

    test('an accepted host key check lets the login through', async () => {
      const session = await openSsh(
        '127.0.0.1',
        { credential: cred(), secrets: { privateKey: plainKey } },
        opts({ hostKey: { verify: (fp) => fp === hostFingerprint } }),
      );
      await session.close();
    });
  },
);

describe('openSsh failure paths without a server', () => {
  const cred = (port: number): SshCredential => ({
    id: 'cred-ssh-2',
    name: 'unit ssh',
    kind: 'ssh',
    scope: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    username: 'nobody',
    port,
    sudo: 'none',
  });
  const opts: SshConnectOptions = {
    signal: AbortSignal.timeout(30_000),
    connectTimeoutMs: 5000,
    authTimeoutMs: 400,
    agentSocket: '',
  };

  test('a closed port is ERR_PORT_CLOSED', async () => {
    const port = await freePort();
    await rejectsWith(
      openSsh('127.0.0.1', { credential: cred(port), secrets: { password: WRONG_PASSWORD } }, opts),
      'ERR_PORT_CLOSED',
    );
  });

  test('a peer that accepts and stays silent is ERR_TIMEOUT naming the phase and limit', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await rejectsWith(
        openSsh(
          '127.0.0.1',
          { credential: cred(port), secrets: { password: WRONG_PASSWORD } },
          opts,
        ),
        'ERR_TIMEOUT',
      );
      assert.match(err.message, /ssh handshake and authentication timed out after 400ms/);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('an already aborted signal stops before connecting', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await rejectsWith(
      openSsh(
        '127.0.0.1',
        { credential: cred(1), secrets: { password: WRONG_PASSWORD } },
        { ...opts, signal: ctl.signal },
      ),
      'ERR_ABORTED',
    );
  });

  test('a peer speaking something else is ERR_PROTOCOL', async () => {
    const server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await rejectsWith(
        openSsh(
          '127.0.0.1',
          { credential: cred(port), secrets: { password: WRONG_PASSWORD } },
          opts,
        ),
        'ERR_PROTOCOL',
      );
    } finally {
      server.close();
    }
  });
});

test('hostKeyFacts reads the key type from the blob', () => {
  const blob = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.alloc(36),
  ]);
  const facts = hostKeyFacts(blob);
  assert.equal(facts.keyType, 'ssh-ed25519');
  assert.match(facts.fingerprintSha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('redactError masks secrets and drops library state', () => {
  const secret = 'unit-Secret-Value-3';
  const inner = Object.assign(new Error(`bad digest for ${secret}`), {
    code: 'E1',
    info: { user: { key: secret } },
  });
  const outer = new Error('outer', { cause: inner });
  const safe = redactError(outer, [secret]);
  assertNoSecrets(safe, [secret]);
  assert.equal((safe.cause as Error & { code: string }).code, 'E1');
  assert.equal('info' in (safe.cause as object), false);
});

describe('openSsh keyboard-interactive (a peer that offers nothing else)', () => {
  // A real SSH server implementation (ssh2's) stands in for PAM-only devices: it offers only
  // keyboard-interactive and asks one "Password:" prompt; the lab's sshd always offers password too.
  const KBD_PASSWORD = 'unit-Kbd-Password-8';
  let server: InstanceType<typeof ssh2.Server>;
  let port = 0;
  const prompts: string[] = [];

  before(async () => {
    const hostKey = ed25519KeyPair().private;
    server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'keyboard-interactive') {
          ctx.reject(['keyboard-interactive']);
          return;
        }
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          prompts.push('Password: ');
          if (answers[0] === KBD_PASSWORD) ctx.accept();
          else ctx.reject(['keyboard-interactive']);
        });
      });
      client.on('ready', () => client.end());
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  after(() => {
    server.close();
  });

  const cred = (): SshCredential => ({
    id: 'cred-ssh-3',
    name: 'unit kbd',
    kind: 'ssh',
    scope: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    username: 'kbd',
    port,
    sudo: 'none',
  });
  const opts = (): SshConnectOptions => ({
    signal: AbortSignal.timeout(30_000),
    connectTimeoutMs: 5000,
    authTimeoutMs: 10_000,
    agentSocket: '',
  });

  test('the password answers the password prompt', async () => {
    const session = await openSsh(
      '127.0.0.1',
      { credential: cred(), secrets: { password: KBD_PASSWORD } },
      opts(),
    );
    assert.equal(session.authMethod, 'keyboard-interactive');
    assert.deepEqual(prompts, ['Password: ']);
    await session.close();
  });

  test('a wrong password through keyboard-interactive is ERR_AUTH_FAILED without leaking it', async () => {
    const err = await rejectsWith(
      openSsh('127.0.0.1', { credential: cred(), secrets: { password: WRONG_PASSWORD } }, opts()),
      'ERR_AUTH_FAILED',
      [KBD_PASSWORD],
    );
    assert.match(err.message, /tried: keyboard-interactive/);
  });
});
