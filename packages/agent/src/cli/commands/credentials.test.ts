// Tests for `credentials`, driven through main() with in-memory io and a temp data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ProtocolAttempt } from '@nopesight/model';
import { ensureDataDir } from '../../config/data-dir.js';
import { generateFernetKey } from '../../vault/fernet.js';
import { Vault } from '../../vault/vault.js';
import type { UnlockedCredential } from '../../vault/credential-types.js';
import type { CliIo } from '../io.js';
import { main, reportError } from '../main.js';
import { createCredentialsCommand } from './credentials.js';

const SECRET = 'Pl4intext-Secret-0f-Ann';
const SUDO_SECRET = 'Sud0-Secret-0f-Ann';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function memoryIo(
  dataDir: string,
  stdinText: string | null,
  tty = false,
): { io: CliIo; out: () => Run } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough() as PassThrough & {
    isTTY?: boolean;
    setRawMode?: (raw: boolean) => void;
  };
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (b: Buffer) => chunks.out.push(b));
  stderr.on('data', (b: Buffer) => chunks.err.push(b));
  if (tty) {
    stdin.isTTY = true;
    stdin.setRawMode = () => undefined;
  }
  if (stdinText !== null) stdin.end(stdinText);
  else if (!tty) stdin.end();
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: { NOPESIGHT_DATA_DIR: dataDir },
    signal: new AbortController().signal,
  };
  return {
    io,
    out: () => ({
      code: -1,
      stdout: Buffer.concat(chunks.out).toString(),
      stderr: Buffer.concat(chunks.err).toString(),
    }),
  };
}

async function cli(dataDir: string, args: string[], stdinText: string | null = null): Promise<Run> {
  const { io, out } = memoryIo(dataDir, stdinText);
  const code = await main(['credentials', ...args], io);
  return { ...out(), code };
}

async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ns-cred-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every file under `dir`, recursively. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

const addSsh = (dir: string, name = 'linux-admin') =>
  cli(
    dir,
    [
      'add',
      'ssh',
      '--name',
      name,
      '--username',
      'root',
      '--sudo',
      'password',
      '--scope',
      '10.0.0.0/8',
      '--stdin',
    ],
    JSON.stringify({ password: SECRET, sudoPassword: SUDO_SECRET }),
  );

test('credentials add --stdin stores a credential that list shows without any secret', async () => {
  await withDataDir(async (dir) => {
    const added = await addSsh(dir);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added ssh credential 'linux-admin'/);

    const table = await cli(dir, ['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /linux-admin\s+ssh\s+root port 22 sudo password\s+10\.0\.0\.0\/8\s+password, sudoPassword/,
    );

    const json = await cli(dir, ['list', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const [entry] = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.equal(entry?.name, 'linux-admin');
    assert.deepEqual(entry?.secrets, ['password', 'sudoPassword']);

    for (const run of [added, table, json]) {
      for (const secret of [SECRET, SUDO_SECRET]) {
        assert.equal(run.stdout.includes(secret) || run.stderr.includes(secret), false);
      }
    }
    // The plaintext secrets are nowhere in the data directory: not in logs, config or the vault.
    const files = await allFiles(dir);
    assert.ok(files.includes(join(dir, 'credentials.enc')));
    assert.ok(files.includes(join(dir, 'logs', 'app.log')));
    for (const file of files) {
      const bytes = await readFile(file, 'latin1');
      for (const secret of [SECRET, SUDO_SECRET]) assert.equal(bytes.includes(secret), false, file);
    }
    assert.match(await readFile(join(dir, 'logs', 'app.log'), 'utf8'), /"msg":"credential added"/);
  });
});

test('credentials remove deletes the credential; removing it again is a usage error', async () => {
  await withDataDir(async (dir) => {
    assert.equal((await addSsh(dir)).code, 0);
    const removed = await cli(dir, ['remove', 'linux-admin']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed ssh credential 'linux-admin'/);
    assert.deepEqual(JSON.parse((await cli(dir, ['list', '--json'])).stdout), []);
    const again = await cli(dir, ['remove', 'linux-admin']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /ERR_CREDENTIAL_NOT_FOUND/);
  });
});

test('credentials add rejects a duplicate name', async () => {
  await withDataDir(async (dir) => {
    assert.equal((await addSsh(dir)).code, 0);
    const dup = await addSsh(dir, 'Linux-Admin');
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already exists/);
    assert.equal(JSON.parse((await cli(dir, ['list', '--json'])).stdout).length, 1);
  });
});

test('credentials add refuses secrets given as arguments', async () => {
  await withDataDir(async (dir) => {
    for (const flag of [
      ['--password', 'x'],
      ['--password=x'],
      ['--community', 'x'],
      ['--sudo-password', 'x'],
    ]) {
      const r = await cli(dir, ['add', 'ssh', '--name', 'a', '--username', 'root', ...flag]);
      assert.equal(r.code, 2, flag.join(' '));
      assert.match(r.stderr, /never accepted as arguments.*--stdin/);
    }
    await assert.rejects(stat(join(dir, 'credentials.enc')), { code: 'ENOENT' });
  });
});

test('credentials add needs --stdin or a terminal, and never echoes bad JSON', async () => {
  await withDataDir(async (dir) => {
    const noTty = await cli(dir, ['add', 'windows', '--name', 'w', '--username', 'CORP\\ann']);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /--stdin/);
    const bad = await cli(
      dir,
      ['add', 'windows', '--name', 'w', '--username', 'CORP\\ann', '--stdin'],
      `{"password": ${SECRET}}`,
    );
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.includes(SECRET), false);
    assert.match(bad.stderr, /not one valid JSON object/);
    const unknown = await cli(dir, ['add', 'snmp', '--name', 's', '--stdin'], '{"pasword": "x"}');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown key 'pasword'/);
  });
});

test('credentials add validates per protocol and accepts wmi for windows', async () => {
  await withDataDir(async (dir) => {
    const v3 = await cli(
      dir,
      [
        'add',
        'snmp',
        '--name',
        'core',
        '--snmp-version',
        '3',
        '--username',
        'mon',
        '--auth-protocol',
        'sha256',
        '--stdin',
      ],
      '{"authPassword": "short", "privPassword": "long enough"}',
    );
    assert.equal(v3.code, 2);
    assert.match(v3.stderr, /authPassword must be at least 8 characters/);
    const wmi = await cli(
      dir,
      ['add', 'wmi', '--name', 'corp', '--username', 'ann@corp.example', '--stdin'],
      '{"password": "p"}',
    );
    assert.equal(wmi.code, 0, wmi.stderr);
    const [entry] = JSON.parse((await cli(dir, ['list', '--json'])).stdout) as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      [entry?.kind, entry?.username, entry?.domain],
      ['windows', 'ann', 'corp.example'],
    );
    const badScope = await cli(
      dir,
      ['add', 'snmp', '--name', 'x', '--scope', '10.0.0.300', '--stdin'],
      '{"community": "c"}',
    );
    assert.equal(badScope.code, 2);
    assert.match(badScope.stderr, /ERR_TARGET_INVALID.*10\.0\.0\.300/);
  });
});

test('credentials add prompts on a terminal without echoing the secret', async () => {
  await withDataDir(async (dir) => {
    const { io, out } = memoryIo(dir, null, true);
    const running = main(
      [
        'credentials',
        'add',
        'vcenter',
        '--name',
        'vc',
        '--username',
        'administrator@vsphere.local',
      ],
      io,
    );
    (io.stdin as PassThrough).write(`${SECRET}\r`);
    const code = await running;
    const run = out();
    assert.equal(code, 0, run.stderr);
    assert.match(run.stderr, /Password: /);
    assert.equal(run.stdout.includes(SECRET) || run.stderr.includes(SECRET), false);
    assert.deepEqual(JSON.parse((await cli(dir, ['list', '--json'])).stdout)[0].secrets, [
      'password',
    ]);
  });
});

test('credentials commands exit 3 on a tampered credentials.enc and leave it unchanged', async () => {
  await withDataDir(async (dir) => {
    assert.equal((await addSsh(dir)).code, 0);
    const file = join(dir, 'credentials.enc');
    const raw = Buffer.from(await readFile(file, 'utf8'), 'base64url');
    raw[raw.length - 40] = raw[raw.length - 40]! ^ 0x55;
    const tampered = raw.toString('base64url');
    await writeFile(file, tampered);
    for (const args of [['list'], ['remove', 'linux-admin']]) {
      const r = await cli(dir, args);
      assert.equal(r.code, 3, args.join(' '));
      assert.match(r.stderr, /ERR_VAULT_CORRUPT/);
    }
    const add = await addSsh(dir, 'other');
    assert.equal(add.code, 3);
    assert.equal(await readFile(file, 'utf8'), tampered);
  });
});

test('credentials commands exit 3 with a wrong key', async () => {
  await withDataDir(async (dir) => {
    assert.equal((await addSsh(dir)).code, 0);
    const before = await readFile(join(dir, 'credentials.enc'));
    await writeFile(join(dir, 'key.enc'), generateFernetKey());
    const r = await cli(dir, ['list']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /key\.enc is not the key it was written with/);
    assert.equal((await addSsh(dir, 'other')).code, 3);
    assert.deepEqual(await readFile(join(dir, 'credentials.enc')), before);
  });
});

test('credentials test prints the attempt and exits 0 only on success', async () => {
  await withDataDir(async (dir) => {
    assert.equal((await addSsh(dir)).code, 0);
    const seen: { unlocked: UnlockedCredential; address: string }[] = [];
    let status: ProtocolAttempt['status'] = 'success';
    const command = createCredentialsCommand({
      checkCredential: async (unlocked, address) => {
        seen.push({ unlocked, address });
        return {
          attempt: {
            protocol: 'ssh',
            status,
            credentialId: unlocked.credential.id,
            durationMs: 12,
            error:
              status === 'success'
                ? null
                : { code: 'ERR_AUTH_FAILED', message: `denied for ${SECRET}` },
          },
          facts: (status === 'success' ? { hostname: 'db1' } : {}) as Record<string, string>,
        };
      },
      resolve: async (name) => {
        assert.equal(name, 'db1.example');
        return [{ address: '10.0.0.7', family: 4 }];
      },
    });
    const run = async (args: string[]) => {
      const { io, out } = memoryIo(dir, null);
      let code: number;
      try {
        code = await command.run(['test', ...args], io);
      } catch (err) {
        code = reportError(err, io);
      }
      return { ...out(), code };
    };
    const ok = await run(['linux-admin', 'db1.example']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /ssh with 'linux-admin' on db1\.example \(10\.0\.0\.7\): success \(12 ms\)/,
    );
    assert.match(ok.stdout, /^ {2}hostname: db1$/m);
    assert.equal(seen[0]?.address, '10.0.0.7');
    assert.equal(seen[0]?.unlocked.secrets.password, SECRET);

    status = 'unauthorized';
    const denied = await run(['linux-admin', '192.0.2.9']);
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /unauthorized \(12 ms\): ERR_AUTH_FAILED: denied for \[redacted\]/);
    assert.match(denied.stderr, /outside the scope/);
    assert.equal(denied.stdout.includes(SECRET), false);

    const missing = await run(['nobody', '192.0.2.9']);
    assert.equal(missing.code, 2);
  });
});

test('credentials --help shows every subcommand with examples; bad usage exits 2', async () => {
  await withDataDir(async (dir) => {
    const help = await cli(dir, ['add', '--help']);
    assert.equal(help.code, 0);
    for (const text of [
      'credentials add PROTOCOL',
      'credentials list',
      'credentials remove',
      'credentials test',
      'Examples:',
    ]) {
      assert.ok(help.stdout.includes(text), text);
    }
    assert.equal((await cli(dir, [])).code, 2);
    assert.equal((await cli(dir, ['frobnicate'])).code, 2);
    assert.equal((await cli(dir, ['add', 'telnet', '--name', 'x', '--stdin'], '{}')).code, 2);
    assert.equal((await cli(dir, ['list', '--bogus'])).code, 2);
  });
});

test('credentials add warns when vCenter TLS verification is turned off', async () => {
  await withDataDir(async (dir) => {
    const r = await cli(
      dir,
      [
        'add',
        'vcenter',
        '--name',
        'vc',
        '--username',
        'administrator@vsphere.local',
        '--tls-verify',
        'false',
        '--stdin',
      ],
      '{"password": "p"}',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /will not verify the vCenter certificate/);
    const [entry] = JSON.parse((await cli(dir, ['list', '--json'])).stdout) as Record<
      string,
      unknown
    >[];
    assert.equal(entry?.tlsVerify, false);
    assert.match(
      await readFile(join(dir, 'logs', 'app.log'), 'utf8'),
      /"level":"warn","msg":"TLS verification turned off/,
    );
  });
});

test('credentials add reads several prompted answers typed ahead, with backspace', async () => {
  await withDataDir(async (dir) => {
    const { io, out } = memoryIo(dir, null, true);
    const running = main(
      ['credentials', 'add', 'snmp', '--name', 'v3', '--snmp-version', '3', '--username', 'mon'],
      io,
    );
    // Both answers arrive in one chunk, as a paste would; "x\x7f" is a typo and a backspace.
    (io.stdin as PassThrough).write('authpass1x\x7f\r\nprivpass1\r');
    const code = await running;
    const run = out();
    assert.equal(code, 0, run.stderr);
    assert.match(run.stderr, /Auth password.*\n.*Privacy password/s);
    const vault = await Vault.open(await ensureDataDir(dir));
    assert.deepEqual(vault.unlock('v3').secrets, {
      authPassword: 'authpass1',
      privPassword: 'privpass1',
    });
  });
});

test('credentials add stops at Ctrl-C on the prompt and stores nothing', async () => {
  await withDataDir(async (dir) => {
    const { io, out } = memoryIo(dir, null, true);
    const running = main(['credentials', 'add', 'windows', '--name', 'w', '--username', 'ann'], io);
    (io.stdin as PassThrough).write('half\u0003');
    const code = await running;
    assert.equal(code, 130, out().stderr);
    await assert.rejects(stat(join(dir, 'credentials.enc')), { code: 'ENOENT' });
  });
});

test('credentials add checks the other fields before prompting for secrets', async () => {
  await withDataDir(async (dir) => {
    const { io, out } = memoryIo(dir, null, true);
    const code = await main(
      ['credentials', 'add', 'snmp', '--name', 's', '--snmp-version', '2c', '--username', 'mon'],
      io,
    );
    const run = out();
    assert.equal(code, 2);
    assert.match(run.stderr, /username is for SNMPv3/);
    assert.doesNotMatch(run.stderr, /Community:/);
  });
});

test('credentials add windows stores the WinRM auth, CA bundle and pins; list shows them', async () => {
  const pem = await readFile(
    new URL('../../transports/wsman/testdata/peer-cert.pem', import.meta.url),
    'utf8',
  );
  const pin = `SHA256:${'5A:'.repeat(31)}5A`;
  const other = `${'c3'.repeat(32)}`;
  await withDataDir(async (dir) => {
    const caFile = join(dir, 'corp-ca.pem');
    await writeFile(caFile, pem);
    const r = await cli(
      dir,
      [
        'add',
        'windows',
        '--name',
        'win-https',
        '--username',
        '.\\scan',
        '--winrm-auth',
        'BASIC',
        '--winrm-ca',
        caFile,
        '--winrm-cert-fingerprint',
        `${pin.toLowerCase()},${other}`,
        '--stdin',
      ],
      `{"password": "${SECRET}"}`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Basic, over HTTPS \(5986\) only/);
    const [entry] = JSON.parse((await cli(dir, ['list', '--json'])).stdout) as Record<
      string,
      unknown
    >[];
    assert.equal(entry?.winrmAuth, 'basic');
    assert.equal(entry?.winrmCa, `${pem.trim()}\n`, 'the PEM itself, not the path');
    assert.deepEqual(entry?.winrmCertFingerprints, [pin, `SHA256:${'C3:'.repeat(31)}C3`]);
    const table = (await cli(dir, ['list'])).stdout;
    assert.match(table, /winrm-auth basic winrm-ca 1 cert winrm-pins 2/);
  });
});

test('credentials add windows checks the WinRM options before asking for the password', async () => {
  await withDataDir(async (dir) => {
    const notPem = join(dir, 'not-a-ca.pem');
    await writeFile(notPem, 'hello');
    const cases: [string[], RegExp][] = [
      [['--winrm-auth', 'kerberos'], /--winrm-auth must be one of ntlm, basic/],
      [['--winrm-ca', join(dir, 'missing.pem')], /--winrm-ca .*missing\.pem: ENOENT/],
      [['--winrm-ca', notPem], /--winrm-ca .*not-a-ca\.pem: no PEM certificate/],
      [['--winrm-cert-fingerprint', 'ab'.repeat(20)], /SHA-1 thumbprint/],
    ];
    for (const [flags, pattern] of cases) {
      // No stdin and no terminal: reaching the secrets step would fail differently.
      const r = await cli(dir, ['add', 'windows', '--name', 'w', '--username', 'u', ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    const ssh = await cli(
      dir,
      ['add', 'ssh', '--name', 's', '--username', 'u', '--winrm-auth', 'basic', '--stdin'],
      '{"password": "p"}',
    );
    assert.equal(ssh.code, 2);
    assert.match(ssh.stderr, /winrmAuth does not apply to ssh/);
  });
});
