// Tests for the vault: storage round trip, no secrets outside the ciphertext, tamper and key errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDataDir, type DataDir } from '../config/data-dir.js';
import { hasCode, ScannerError } from '../errors.js';
import { generateFernetKey } from './fernet.js';
import { dpapiKeyProtector, plainKeyProtector } from './key-protector.js';
import { Vault } from './vault.js';

const SECRET = 'S3cret-Tr0ub4dor&3';

async function withDir(fn: (dir: DataDir) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'ns-vault-'));
  try {
    await fn(await ensureDataDir(root));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const open = (dir: DataDir) => Vault.open(dir, { keyProtector: plainKeyProtector() });

test('Vault stores credentials that survive reopening, secrets only via unlock', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    assert.deepEqual(vault.list(), []);
    // An empty vault makes no files until something is stored.
    assert.deepEqual((await readdir(dir.root)).sort(), ['logs', 'results']);
    const added = await vault.add({
      name: 'linux-admin',
      kind: 'ssh',
      username: 'root',
      sudo: 'password',
      secrets: { password: SECRET },
    });
    assert.equal(added.kind, 'ssh');
    assert.equal('secrets' in added, false);

    const again = await open(dir);
    const [listed] = again.list();
    assert.ok(listed);
    assert.equal(JSON.stringify(again.list()).includes(SECRET), false);
    assert.deepEqual(listed, { ...added });
    assert.deepEqual(again.secretFields('LINUX-ADMIN'), ['password']);
    const sink = new Set<string>();
    const reopened = await Vault.open(dir, { keyProtector: plainKeyProtector(), secretSink: sink });
    const unlocked = reopened.unlock(listed.id);
    assert.equal(unlocked.secrets.password, SECRET);
    assert.ok(sink.has(SECRET));

    if (process.platform !== 'win32') {
      assert.equal((await stat(dir.keyFile)).mode & 0o777, 0o600);
      assert.equal((await stat(dir.credentialsFile)).mode & 0o777, 0o600);
    }
    // No plaintext secret anywhere in the data directory, and no temp or lock files left.
    assert.deepEqual((await readdir(dir.root)).sort(), [
      'credentials.enc',
      'key.enc',
      'logs',
      'results',
    ]);
    for (const f of [dir.keyFile, dir.credentialsFile]) {
      assert.equal((await readFile(f, 'latin1')).includes(SECRET), false, f);
    }
  });
});

test('Vault rejects a duplicate name, ignoring case', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    await vault.add({ name: 'snmp-ro', kind: 'snmp', secrets: { community: 'c1' } });
    await assert.rejects(
      vault.add({ name: 'SNMP-RO', kind: 'snmp', secrets: { community: 'c2' } }),
      (err) => hasCode(err, 'ERR_CONFIG_INVALID') && /already exists/.test((err as Error).message),
    );
    assert.equal(vault.list().length, 1);
  });
});

test('Vault.candidatesFor keeps insertion order and filters by kind and scope', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    await vault.add({ name: 'b-any', kind: 'ssh', username: 'u', secrets: { password: 'p' } });
    await vault.add({
      name: 'a-lab',
      kind: 'ssh',
      username: 'u',
      scope: ['10.0.0.0/24'],
      secrets: { password: 'p' },
    });
    await vault.add({
      name: 'c-win',
      kind: 'windows',
      username: 'CORP\\u',
      secrets: { password: 'p' },
    });
    await vault.add({
      name: 'd-host',
      kind: 'ssh',
      username: 'u',
      scope: ['db1.example'],
      secrets: { password: 'p' },
    });
    const names = (addr: string, hosts: string[] = []) =>
      vault.candidatesFor('ssh', addr, hosts).map((c) => c.name);
    assert.deepEqual(names('10.0.0.9'), ['b-any', 'a-lab']);
    assert.deepEqual(names('10.0.1.9'), ['b-any']);
    assert.deepEqual(names('10.0.1.9', ['DB1.example']), ['b-any', 'd-host']);
    assert.deepEqual(
      vault.candidatesFor('windows', '10.0.1.9').map((c) => c.name),
      ['c-win'],
    );
  });
});

test('Vault.update changes fields and revalidates; remove deletes', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    const first = await vault.add({
      name: 'w',
      kind: 'wmi',
      username: 'CORP\\ann',
      secrets: { password: 'p1' },
    });
    assert.equal(first.kind, 'windows');
    const changed = await vault.update('w', {
      name: 'w2',
      username: 'bob@corp.example',
      secrets: { password: 'p2' },
    });
    assert.equal(changed.id, first.id);
    assert.deepEqual(
      [
        changed.name,
        changed.kind === 'windows' && changed.username,
        changed.kind === 'windows' && changed.domain,
      ],
      ['w2', 'bob', 'corp.example'],
    );
    assert.equal((await open(dir)).unlock(first.id).secrets.password, 'p2');
    await assert.rejects(vault.update('w2', { port: 5 }), (err) =>
      hasCode(err, 'ERR_CONFIG_INVALID'),
    );
    const removed = await vault.remove('w2');
    assert.equal(removed.id, first.id);
    assert.deepEqual((await open(dir)).list(), []);
    await assert.rejects(vault.remove('w2'), (err) => hasCode(err, 'ERR_CREDENTIAL_NOT_FOUND'));
  });
});

test('Vault refuses a tampered credentials.enc and never overwrites it', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    await vault.add({
      name: 'v',
      kind: 'vcenter',
      username: 'administrator@vsphere.local',
      secrets: { password: 'p' },
    });
    const token = await readFile(dir.credentialsFile, 'utf8');
    const raw = Buffer.from(token, 'base64url');
    raw[40] = raw[40]! ^ 0xff;
    const tampered = raw.toString('base64url');
    await writeFile(dir.credentialsFile, tampered);
    await assert.rejects(open(dir), (err) => {
      assert.ok(err instanceof ScannerError);
      assert.equal(err.code, 'ERR_VAULT_CORRUPT');
      assert.match(err.message, /modified or damaged, or key\.enc is not the key/);
      return true;
    });
    // The instance opened before the damage re-reads before writing, so it refuses too.
    await assert.rejects(
      vault.add({ name: 'x', kind: 'snmp', secrets: { community: 'c' } }),
      (err) => hasCode(err, 'ERR_VAULT_CORRUPT'),
    );
    assert.equal(await readFile(dir.credentialsFile, 'utf8'), tampered);
  });
});

test('Vault refuses a wrong key and leaves both files as they were', async () => {
  await withDir(async (dir) => {
    await (await open(dir)).add({ name: 'v', kind: 'snmp', secrets: { community: 'c' } });
    const before = await readFile(dir.credentialsFile, 'utf8');
    const otherKey = generateFernetKey();
    await writeFile(dir.keyFile, otherKey);
    await assert.rejects(open(dir), (err) => hasCode(err, 'ERR_VAULT_CORRUPT'));
    assert.equal(await readFile(dir.credentialsFile, 'utf8'), before);
    assert.equal(await readFile(dir.keyFile, 'utf8'), otherKey);
    await writeFile(dir.keyFile, 'garbage');
    await assert.rejects(open(dir), (err) => hasCode(err, 'ERR_VAULT_KEY'));
  });
});

test('Vault never makes a new key when credentials.enc exists without key.enc', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    await vault.add({ name: 'v', kind: 'snmp', secrets: { community: 'c' } });
    await rm(dir.keyFile);
    await assert.rejects(
      open(dir),
      (err) => hasCode(err, 'ERR_VAULT_KEY') && /missing/.test((err as Error).message),
    );
    await assert.rejects(
      vault.add({ name: 'x', kind: 'snmp', secrets: { community: 'c' } }),
      (err) => hasCode(err, 'ERR_VAULT_KEY'),
    );
    await assert.rejects(stat(dir.keyFile), { code: 'ENOENT' });
  });
});

test('Vault refuses to write while another live process holds the lock', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    await writeFile(`${dir.credentialsFile}.lock`, String(process.pid));
    await assert.rejects(
      vault.add({ name: 'x', kind: 'snmp', secrets: { community: 'c' } }),
      (err) => hasCode(err, 'ERR_IO') && /being changed/.test((err as Error).message),
    );
    // A lock left by a process that is gone is taken over.
    await writeFile(`${dir.credentialsFile}.lock`, '999999999');
    await vault.add({ name: 'x', kind: 'snmp', secrets: { community: 'c' } });
  });
});

test('dpapiKeyProtector passes the key on stdin, never in the script', async () => {
  const calls: { script: string; input: string }[] = [];
  const fake = async (script: string, input: string) => {
    calls.push({ script, input });
    return Buffer.from(`wrapped:${Buffer.from(input, 'base64').toString()}`).toString('base64');
  };
  const p = dpapiKeyProtector('LocalMachine', fake);
  const out = await p.protect(Buffer.from('the-key'));
  assert.equal(out.toString(), 'wrapped:the-key');
  assert.equal(calls[0]!.input, Buffer.from('the-key').toString('base64'));
  assert.equal(calls[0]!.script.includes('the-key'), false);
  assert.match(
    calls[0]!.script,
    /ProtectedData\]::Protect\(.*DataProtectionScope\]::LocalMachine\)/,
  );
  const failing = dpapiKeyProtector('CurrentUser', async () => {
    throw new Error('powershell exited with 1');
  });
  await assert.rejects(failing.unprotect(Buffer.from('x')), (err) => hasCode(err, 'ERR_VAULT_KEY'));
});

const pythonHasFernet =
  spawnSync('/usr/bin/python3', ['-c', 'import cryptography.fernet']).status === 0;

test(
  'Python Fernet reads the whole credentials.enc with key.enc',
  { skip: pythonHasFernet ? false : '/usr/bin/python3 lacks the cryptography module' },
  async () => {
    await withDir(async (dir) => {
      await (
        await open(dir)
      ).add({ name: 'py', kind: 'ssh', username: 'u', secrets: { password: SECRET } });
      const r = spawnSync(
        '/usr/bin/python3',
        [
          '-c',
          [
            'import json, sys',
            'from cryptography.fernet import Fernet',
            'key = open(sys.argv[1], "rb").read()',
            'doc = json.loads(Fernet(key).decrypt(open(sys.argv[2], "rb").read()))',
            'print(doc["version"], doc["credentials"][0]["name"], doc["credentials"][0]["secrets"]["password"])',
          ].join('\n'),
          dir.keyFile,
          dir.credentialsFile,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `1 py ${SECRET}`);
    });
  },
);

test('an ssh jump host names another stored ssh credential by name, kept as its id', async () => {
  await withDir(async (dir) => {
    const vault = await open(dir);
    const bastion = await vault.add({
      name: 'bastion',
      kind: 'ssh',
      username: 'jump',
      secrets: { password: SECRET },
    });
    const inner = await vault.add({
      name: 'inner',
      kind: 'ssh',
      username: 'ops',
      jump: { address: 'bastion.example', credential: 'BASTION' },
      secrets: { password: SECRET },
    });
    assert.deepEqual(inner.kind === 'ssh' && inner.jump, {
      address: 'bastion.example',
      port: 22,
      credentialId: bastion.id,
    });
    // Renaming the jump credential keeps the link; an update of the user keeps the jump.
    await vault.update('bastion', { name: 'bastion-2' });
    const updated = await vault.update('inner', { username: 'ops2' });
    assert.equal(updated.kind === 'ssh' && updated.jump?.credentialId, bastion.id);

    const refuse = async (p: Promise<unknown>, message: RegExp) =>
      assert.rejects(
        p,
        (e) => hasCode(e, 'ERR_CONFIG_INVALID') && message.test((e as Error).message),
      );
    await refuse(vault.remove('bastion-2'), /logs in to the jump host of 'inner'/);
    await refuse(
      vault.add({
        name: 'two-hops',
        kind: 'ssh',
        username: 'x',
        jump: { address: '198.18.0.10', credential: 'inner' },
        secrets: { password: SECRET },
      }),
      /only one hop is supported/,
    );
    await refuse(
      vault.add({
        name: 'nowhere',
        kind: 'ssh',
        username: 'x',
        jump: { address: '198.18.0.10', credential: 'missing' },
        secrets: { password: SECRET },
      }),
      /no stored credential 'missing'/,
    );
    await refuse(
      vault.add({
        name: 'bad-host',
        kind: 'ssh',
        username: 'x',
        jump: { address: 'bad host!', credential: 'bastion-2' },
        secrets: { password: SECRET },
      }),
      /is not an IP address or host name/,
    );
    await vault.add({ name: 'snmp', kind: 'snmp', secrets: { community: 'c0mmunity-x' } });
    await refuse(
      vault.add({
        name: 'via-snmp',
        kind: 'ssh',
        username: 'x',
        jump: { address: '198.18.0.10', credential: 'snmp' },
        secrets: { password: SECRET },
      }),
      /is snmp, not ssh/,
    );
    // Nothing refused was stored.
    assert.deepEqual(
      (await open(dir)).list().map((c) => c.name),
      ['bastion-2', 'inner', 'snmp'],
    );
  });
});

test('a windows credential keeps its WinRM settings through the vault, encrypted, and on edits', async () => {
  const pem = await readFile(
    new URL('../transports/wsman/testdata/peer-cert.pem', import.meta.url),
    'utf8',
  );
  const pin = `SHA256:${'0A:'.repeat(31)}0A`;
  await withDir(async (dir) => {
    const vault = await open(dir);
    await vault.add({
      name: 'win-https',
      kind: 'windows',
      username: '.\\scan',
      winrmAuth: 'basic',
      winrmCa: pem,
      winrmCertFingerprints: [pin.toLowerCase()],
      secrets: { password: SECRET },
    });
    const file = await readFile(dir.credentialsFile, 'utf8');
    assert.ok(
      !file.includes('BEGIN CERTIFICATE') && !file.includes('basic'),
      'inside the ciphertext',
    );
    const again = (await open(dir)).get('win-https');
    assert.ok(again.kind === 'windows');
    assert.deepEqual(
      [again.winrmAuth, again.winrmCa, again.winrmCertFingerprints],
      ['basic', `${pem.trim()}\n`, [pin]],
    );
    // An edit of another field keeps them; an empty CA and pin list clear them.
    const renamed = await vault.update('win-https', { remoteExec: true });
    assert.ok(renamed.kind === 'windows' && renamed.winrmCa && renamed.winrmAuth === 'basic');
    const cleared = await vault.update('win-https', {
      winrmAuth: 'ntlm',
      winrmCa: '',
      winrmCertFingerprints: [],
    });
    assert.ok(cleared.kind === 'windows');
    assert.deepEqual(
      [cleared.winrmAuth, cleared.winrmCa, cleared.winrmCertFingerprints],
      ['ntlm', undefined, undefined],
    );
  });
});
