// Tests for credential validation per kind: accepted forms, defaults, and clear rejections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScannerError } from '../errors.js';
import { buildCredential, parseWindowsAccount, type CredentialInput } from './credential-input.js';
import { ed25519KeyPair } from '../../../../test/support/ssh-keys.js';

const meta = {
  id: 'id-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const build = (input: CredentialInput) => buildCredential(input, meta);

function rejects(input: CredentialInput, pattern: RegExp): void {
  assert.throws(
    () => build(input),
    (err) => {
      assert.ok(err instanceof ScannerError, String(err));
      assert.equal(err.code, 'ERR_CONFIG_INVALID');
      assert.match(err.message, pattern);
      return true;
    },
    pattern.source,
  );
}

test('parseWindowsAccount accepts DOMAIN\\user, user@domain, .\\user and a plain user', () => {
  assert.deepEqual(parseWindowsAccount('c', 'CORP\\ann', undefined), {
    username: 'ann',
    domain: 'CORP',
  });
  assert.deepEqual(parseWindowsAccount('c', 'ann@corp.example', undefined), {
    username: 'ann',
    domain: 'corp.example',
  });
  assert.deepEqual(parseWindowsAccount('c', '.\\Administrator', undefined), {
    username: 'Administrator',
    domain: '.',
  });
  assert.deepEqual(parseWindowsAccount('c', 'ann', undefined), { username: 'ann', domain: '.' });
  assert.deepEqual(parseWindowsAccount('c', 'ann', 'CORP'), { username: 'ann', domain: 'CORP' });
  assert.deepEqual(parseWindowsAccount('c', 'CORP\\ann', 'corp'), {
    username: 'ann',
    domain: 'corp',
  });
  assert.throws(() => parseWindowsAccount('c', 'CORP\\ann', 'OTHER'), /contradicts/);
  assert.throws(() => parseWindowsAccount('c', 'CORP\\', undefined), /cannot read a user name/);
  assert.throws(() => parseWindowsAccount('c', '\\ann', undefined), /domain .* is empty/);
});

test('buildCredential applies defaults per kind', () => {
  const ssh = build({
    name: 's',
    kind: 'ssh',
    username: 'root',
    secrets: { password: 'p' },
  }).credential;
  assert.deepEqual(
    [ssh.kind, ssh.kind === 'ssh' && ssh.port, ssh.kind === 'ssh' && ssh.sudo],
    ['ssh', 22, 'none'],
  );
  const snmp = build({ name: 'n', kind: 'snmp', secrets: { community: 'public' } }).credential;
  assert.deepEqual(snmp, { ...meta, name: 'n', scope: [], kind: 'snmp', version: '2c', port: 161 });
  const v3 = build({
    name: 'n3',
    kind: 'snmp',
    version: '3',
    username: 'mon',
    secrets: { authPassword: 'authpass1', privPassword: 'privpass1' },
  }).credential;
  assert.ok(v3.kind === 'snmp');
  assert.deepEqual(
    [v3.securityLevel, v3.authProtocol, v3.privProtocol],
    ['authPriv', 'sha', 'aes'],
  );
  const vc = build({
    name: 'v',
    kind: 'vcenter',
    username: 'administrator@vsphere.local',
    secrets: { password: 'p' },
  }).credential;
  assert.ok(vc.kind === 'vcenter');
  assert.deepEqual([vc.port, vc.tlsVerify, vc.caFile], [443, true, undefined]);
});

test('buildCredential rejects what a kind cannot use, naming the field', () => {
  rejects({ name: 'w', kind: 'windows', username: 'ann' }, /need a password/);
  rejects(
    { name: 'w', kind: 'windows', username: 'ann', port: 5985, secrets: { password: 'p' } },
    /port does not apply/,
  );
  rejects(
    { name: 'w', kind: 'windows', username: 'ann', secrets: { password: 'p', community: 'c' } },
    /do not use a community/,
  );
  rejects({ name: 's', kind: 'ssh', username: 'root' }, /password or a privateKey/);
  rejects({ name: 's', kind: 'ssh', username: 'ro ot', secrets: { password: 'p' } }, /spaces/);
  rejects(
    { name: 's', kind: 'ssh', username: 'root', port: 0, secrets: { password: 'p' } },
    /port must be/,
  );
  rejects(
    { name: 's', kind: 'ssh', username: 'root', secrets: { privateKey: 'nope' } },
    /not PEM or OpenSSH/,
  );
  rejects(
    {
      name: 's',
      kind: 'ssh',
      username: 'root',
      sudo: 'password',
      secrets: { privateKey: ed25519() },
    },
    /needs a sudoPassword/,
  );
  rejects(
    { name: 's', kind: 'ssh', username: 'root', secrets: { password: 'p', sudoPassword: 'x' } },
    /only used with sudo mode 'password'/,
  );
  rejects(
    { name: 'n', kind: 'snmp', version: '2c', username: 'u', secrets: { community: 'c' } },
    /username is for SNMPv3/,
  );
  rejects(
    { name: 'n', kind: 'snmp', version: '3', username: 'u', secrets: { community: 'c' } },
    /does not use a community/,
  );
  rejects(
    {
      name: 'n',
      kind: 'snmp',
      version: '3',
      username: 'u',
      securityLevel: 'authNoPriv',
      secrets: { authPassword: 'short' },
    },
    /authPassword must be at least 8 characters \(RFC 3414\)/,
  );
  rejects(
    {
      name: 'n',
      kind: 'snmp',
      version: '3',
      username: 'u',
      securityLevel: 'authNoPriv',
      privProtocol: 'aes',
      secrets: { authPassword: 'longenough' },
    },
    /privProtocol needs security level authPriv/,
  );
  rejects(
    {
      name: 'n',
      kind: 'snmp',
      version: '3',
      username: 'u',
      authProtocol: 'sha1' as 'sha',
      secrets: { authPassword: 'longenough', privPassword: 'longenough' },
    },
    /authProtocol must be one of md5, sha, sha224, sha256, sha384, sha512/,
  );
  rejects(
    { name: 'n', kind: 'snmp', version: '4' as '3', secrets: {} },
    /version must be one of 1, 2c, 3/,
  );
  rejects({ name: '', kind: 'snmp', secrets: { community: 'c' } }, /invalid credential name/);
  rejects({ name: 'x', kind: 'telnet' as 'ssh', secrets: {} }, /unknown credential kind 'telnet'/);
});

test('buildCredential never puts a secret value in an error message', () => {
  const secret = 'hunter2-is-secret';
  for (const input of [
    {
      name: 'n',
      kind: 'snmp',
      version: '3',
      username: 'u',
      securityLevel: 'authNoPriv',
      secrets: { authPassword: 'short!' },
    },
    {
      name: 'w',
      kind: 'windows',
      username: 'ann',
      secrets: { password: secret, privateKey: secret },
    },
    { name: 's', kind: 'ssh', username: 'root', secrets: { privateKey: secret } },
  ] as CredentialInput[]) {
    assert.throws(
      () => build(input),
      (err) =>
        !(err as Error).message.includes(secret) && !(err as Error).message.includes('short!'),
    );
  }
});

test('buildCredential checks a private key and its passphrase', () => {
  const plain = ed25519();
  const locked = ed25519('right horse');
  const ok = build({ name: 's', kind: 'ssh', username: 'u', secrets: { privateKey: plain } });
  assert.deepEqual(Object.keys(ok.secrets), ['privateKey']);
  build({
    name: 's',
    kind: 'ssh',
    username: 'u',
    secrets: { privateKey: locked, passphrase: 'right horse' },
  });
  rejects(
    { name: 's', kind: 'ssh', username: 'u', secrets: { privateKey: locked } },
    /encrypted: give its passphrase/,
  );
  rejects(
    { name: 's', kind: 'ssh', username: 'u', secrets: { privateKey: locked, passphrase: 'wrong' } },
    /passphrase does not decrypt/,
  );
  rejects(
    { name: 's', kind: 'ssh', username: 'u', secrets: { password: 'p', passphrase: 'x' } },
    /only used with a privateKey/,
  );
});

test('buildCredential checks scope tokens', () => {
  assert.throws(
    () =>
      build({
        name: 'n',
        kind: 'snmp',
        scope: ['10.0.0.0/8', '10.0.0.999'],
        secrets: { community: 'c' },
      }),
    (err) =>
      err instanceof ScannerError &&
      err.code === 'ERR_TARGET_INVALID' &&
      err.message.includes('10.0.0.999'),
  );
});

function ed25519(passphrase?: string): string {
  const pair = passphrase
    ? ed25519KeyPair({ passphrase, cipher: 'aes256-ctr', rounds: 4 })
    : ed25519KeyPair();
  return pair.private;
}

test('buildCredential stores one scope token per target', () => {
  const { credential } = build({
    name: 'n',
    kind: 'snmp',
    scope: ['10.0.0.0/24 10.0.1.0/24', ' db1.example ,'],
    secrets: { community: 'c' },
  });
  assert.deepEqual(credential.scope, ['10.0.0.0/24', '10.0.1.0/24', 'db1.example']);
});

test('buildCredential keeps remote execution off for windows unless asked, and only for windows', () => {
  const w = { name: 'w', kind: 'windows', username: 'ann', secrets: { password: 'p' } } as const;
  const off = build(w).credential;
  assert.equal(off.kind === 'windows' && off.remoteExec, false);
  const on = build({ ...w, remoteExec: true }).credential;
  assert.equal(on.kind === 'windows' && on.remoteExec, true);
  rejects(
    { name: 's', kind: 'ssh', username: 'u', secrets: { password: 'p' }, remoteExec: true },
    /remoteExec does not apply to ssh/,
  );
  rejects(
    { name: 'v', kind: 'snmp', secrets: { community: 'c' }, remoteExec: true },
    /remoteExec does not apply to snmp/,
  );
});

const PEER_CERT = readFileSync(
  new URL('../transports/wsman/testdata/peer-cert.pem', import.meta.url),
  'utf8',
);
const PEER_FP = `SHA256:${new X509Certificate(PEER_CERT).fingerprint256}`;
const win = (extra: Partial<CredentialInput>): CredentialInput => ({
  name: 'w',
  kind: 'windows',
  username: 'CORP\\scan',
  secrets: { password: 'p' },
  ...extra,
});

test('windows WinRM settings: auth mode, CA bundle kept as its certificates, pins normalised', () => {
  const plain = build(win({})).credential;
  assert.equal('winrmAuth' in plain, false, 'absent unless given (older vaults stay as they are)');
  const c = build(
    win({
      winrmAuth: 'basic',
      winrmCa: `comment line\n${PEER_CERT}`,
      winrmCertFingerprints: [PEER_FP.toLowerCase(), PEER_FP.replace('SHA256:', ''), ' '],
    }),
  ).credential;
  assert.ok(c.kind === 'windows');
  assert.equal(c.winrmAuth, 'basic');
  assert.equal(c.winrmCa, `${PEER_CERT.trim()}\n`);
  assert.deepEqual(c.winrmCertFingerprints, [PEER_FP], 'one pin, duplicates dropped');
  const cleared = build(win({ winrmCa: ' ', winrmCertFingerprints: [] })).credential;
  assert.equal('winrmCa' in cleared || 'winrmCertFingerprints' in cleared, false);
});

test('windows WinRM settings: clear rejections, and none on other kinds', () => {
  rejects(win({ winrmAuth: 'kerberos' as never }), /winrmAuth must be one of ntlm, basic/);
  rejects(win({ winrmCa: 'not a certificate' }), /winrmCa: no PEM certificate/);
  rejects(win({ winrmCertFingerprints: ['a'.repeat(40)] }), /SHA-1 thumbprint/);
  rejects(win({ winrmCertFingerprints: ['12:34'] }), /winrmCertFingerprints: .*not a SHA-256/);
  rejects(
    { name: 's', kind: 'ssh', username: 'u', secrets: { password: 'p' }, winrmAuth: 'basic' },
    /winrmAuth does not apply to ssh/,
  );
  rejects(
    { name: 'v', kind: 'vcenter', username: 'u', secrets: { password: 'p' }, winrmCa: PEER_CERT },
    /winrmCa does not apply to vcenter/,
  );
  rejects(
    { name: 'n', kind: 'snmp', secrets: { community: 'c' }, winrmCertFingerprints: [PEER_FP] },
    /winrmCertFingerprints does not apply to snmp/,
  );
});
