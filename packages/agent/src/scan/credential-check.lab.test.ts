// checkCredential against the lab's real sshd, snmpd, snmpsim and vCenter simulator (scanner namespace).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  CredentialBase,
  CredentialSecrets,
  SnmpCredential,
  SshCredential,
  UnlockedCredential,
  VcenterCredential,
} from '../vault/credential-types.js';
import {
  DROP_CIDR,
  HOSTNAMES,
  HOSTS,
  LAB_STATE_DIR,
  SNMP,
  SNMPD_SYSTEM,
  SSH_USERS,
  VCENTER,
  VCENTER_TLS,
  sshKeyPath,
} from '../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../test/lab/lab.js';
import { checkCredential, type CredentialCheck } from './credential-check.js';

const WRONG = 'lab-Wrong-Secret-9';
const KEY_PASSPHRASE = 'lab-Key-Passphrase-9';
const DROP_PREFIX = DROP_CIDR.split('.').slice(0, 3).join('.');
/** Answers ARP, drops every IP packet: TCP connects get no answer. */
const SILENT_HOST = `${DROP_PREFIX}.5`;
/** Nobody owns it: ARP fails, connect ends in EHOSTUNREACH. */
const ABSENT_HOST = `${DROP_PREFIX}.200`;

const base: Omit<CredentialBase, 'kind'> = {
  id: 'cred-lab-1',
  name: 'lab',
  scope: [],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};
const sshCred = (username: string, port = 22): SshCredential => ({
  ...base,
  kind: 'ssh',
  username,
  port,
  sudo: 'none',
});
const snmpCred = (over: Partial<SnmpCredential>): SnmpCredential => ({
  ...base,
  kind: 'snmp',
  version: '2c',
  port: 161,
  ...over,
});
const v3 = (over: Partial<SnmpCredential> = {}): SnmpCredential =>
  snmpCred({
    version: '3',
    username: SNMP.v3.username,
    securityLevel: 'authPriv',
    authProtocol: SNMP.v3.authProtocol,
    privProtocol: SNMP.v3.privProtocol,
    ...over,
  });
const vcCred = (over: Partial<VcenterCredential>): VcenterCredential => ({
  ...base,
  kind: 'vcenter',
  username: VCENTER.username,
  port: 443,
  tlsVerify: true,
  ...over,
});

/** Every secret any test here uses: none may appear in any result. */
const ALL_SECRETS = [
  WRONG,
  KEY_PASSPHRASE,
  SSH_USERS.admin.password,
  SSH_USERS.plain.password,
  SNMP.community,
  SNMP.v3.authPassword,
  SNMP.v3.privPassword,
  VCENTER.password,
];

async function check(
  credential: UnlockedCredential['credential'],
  secrets: CredentialSecrets,
  address: string,
  timeoutMs = 10_000,
): Promise<CredentialCheck> {
  const result = await checkCredential({ credential, secrets }, address, {
    signal: AbortSignal.timeout(60_000),
    timeoutMs,
  });
  const text = JSON.stringify(result);
  for (const s of ALL_SECRETS) assert.ok(!text.includes(s), `secret leaked: ${text}`);
  assert.ok(!text.includes('PRIVATE KEY'), `key leaked: ${text}`);
  assert.equal(result.attempt.credentialId, 'cred-lab-1');
  return result;
}

describe('checkCredential over ssh in the lab', labOnly(), () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsl-check-lab-'));
  let plainKey = '';
  let encryptedKey = '';

  before(() => {
    plainKey = readFileSync(sshKeyPath, 'utf8');
    // The same key pair, encrypted: proves passphrase handling against the real server.
    copyFileSync(sshKeyPath, join(dir, 'key'));
    execFileSync('ssh-keygen', [
      '-q',
      '-p',
      '-P',
      '',
      '-N',
      KEY_PASSPHRASE,
      '-f',
      join(dir, 'key'),
    ]);
    encryptedKey = readFileSync(join(dir, 'key'), 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a password login succeeds and reports hostname, uname and the host key', async () => {
    const { attempt, facts } = await check(
      sshCred(SSH_USERS.admin.username),
      { password: SSH_USERS.admin.password },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(attempt.protocol, 'ssh');
    assert.equal(attempt.error, null);
    assert.equal(facts['hostname'], HOSTNAMES.ssh);
    assert.match(facts['uname'] ?? '', /^Linux /);
    assert.equal(facts['authMethod'], 'password');
    // The fingerprint is the one ssh-keygen prints for the key file of the negotiated type.
    const type = (facts['hostKeyType'] ?? '')
      .replace(/^ssh-/, '')
      .replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa');
    const pub = join(LAB_STATE_DIR, 'ssh', `ssh_host_${type}_key.pub`);
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub])
      .toString()
      .split(' ')[1];
    assert.equal(facts['hostKeyFingerprint'], expected);
  });

  test('the user without sudo logs in with its password too', async () => {
    const { attempt } = await check(
      sshCred(SSH_USERS.plain.username),
      { password: SSH_USERS.plain.password },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
  });

  test('a wrong password is unauthorized', async () => {
    const { attempt } = await check(
      sshCred(SSH_USERS.admin.username),
      { password: WRONG },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'unauthorized');
    assert.equal(attempt.error?.code, 'ERR_AUTH_FAILED');
  });

  test('the key-only user logs in with its key', async () => {
    const { attempt, facts } = await check(
      sshCred(SSH_USERS.keyOnly.username),
      { privateKey: plainKey },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['authMethod'], 'publickey');
  });

  test('the encrypted key works with its passphrase and is unauthorized with a wrong one', async () => {
    const good = await check(
      sshCred(SSH_USERS.keyOnly.username),
      { privateKey: encryptedKey, passphrase: KEY_PASSPHRASE },
      HOSTS.ssh,
    );
    assert.equal(good.attempt.status, 'success', JSON.stringify(good.attempt));
    const bad = await check(
      sshCred(SSH_USERS.keyOnly.username),
      { privateKey: encryptedKey, passphrase: WRONG },
      HOSTS.ssh,
    );
    assert.equal(bad.attempt.status, 'unauthorized');
    assert.match(bad.attempt.error?.message ?? '', /passphrase/);
  });

  test('the key-only user with a password is unauthorized (the server offers only publickey)', async () => {
    const { attempt } = await check(
      sshCred(SSH_USERS.keyOnly.username),
      { password: SSH_USERS.admin.password },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'unauthorized');
    assert.match(attempt.error?.message ?? '', /server offers: publickey/);
  });

  test('a closed port is no_access (the host is up and refuses the port)', async () => {
    const { attempt } = await check(
      sshCred(SSH_USERS.admin.username, 2222),
      { password: WRONG },
      HOSTS.ssh,
    );
    assert.equal(attempt.status, 'no_access');
    assert.equal(attempt.error?.code, 'ERR_PORT_CLOSED');
  });

  test('a host that drops packets is a connect timeout naming the limit', async () => {
    // The budget (8 s) outlasts the connect limit (5 s), so the connect phase is what expires.
    const { attempt } = await check(
      sshCred(SSH_USERS.admin.username),
      { password: WRONG },
      SILENT_HOST,
      8000,
    );
    assert.equal(attempt.status, 'timeout');
    assert.match(attempt.error?.message ?? '', /ssh connect timed out after 5000ms/);
  });

  test('an address nobody owns is unreachable', async () => {
    const { attempt } = await check(
      sshCred(SSH_USERS.admin.username),
      { password: WRONG },
      ABSENT_HOST,
      10_000,
    );
    assert.equal(attempt.status, 'unreachable', JSON.stringify(attempt));
  });
});

describe('checkCredential over snmp in the lab', labOnly(), () => {
  test('v2c with the community succeeds and reports the system group', async () => {
    const { attempt, facts } = await check(
      snmpCred({ version: '2c' }),
      { community: SNMP.community },
      HOSTS.snmp,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['sysName'], SNMPD_SYSTEM.sysName);
    assert.match(facts['sysDescr'] ?? '', /Linux/);
    assert.match(facts['sysObjectID'] ?? '', /^1\.3\.6\.1\.4\.1\.8072\./);
  });

  test('v1 with the community succeeds', async () => {
    const { attempt } = await check(
      snmpCred({ version: '1' }),
      { community: SNMP.community },
      HOSTS.snmp,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
  });

  test('a recorded device on snmpsim answers its community', async () => {
    const { attempt, facts } = await check(
      snmpCred({ version: '2c' }),
      { community: 'linux-host' },
      HOSTS.snmpsim,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['sysName'], 'tt');
  });

  test('v2c with a wrong community is a timeout', async () => {
    const { attempt } = await check(
      snmpCred({ version: '2c' }),
      { community: WRONG },
      HOSTS.snmp,
      2000,
    );
    assert.equal(attempt.status, 'timeout');
  });

  test('v3 authPriv with the lab user succeeds', async () => {
    const { attempt, facts } = await check(
      v3(),
      { authPassword: SNMP.v3.authPassword, privPassword: SNMP.v3.privPassword },
      HOSTS.snmp,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['sysName'], SNMPD_SYSTEM.sysName);
  });

  test('v3 with a wrong authentication password is unauthorized', async () => {
    const { attempt } = await check(
      v3(),
      { authPassword: WRONG, privPassword: SNMP.v3.privPassword },
      HOSTS.snmp,
    );
    assert.equal(attempt.status, 'unauthorized');
    assert.match(attempt.error?.message ?? '', /Wrong Digest/);
  });

  test('v3 with an unknown user is unauthorized', async () => {
    const { attempt } = await check(
      v3({ username: 'nobody' }),
      { authPassword: SNMP.v3.authPassword, privPassword: SNMP.v3.privPassword },
      HOSTS.snmp,
    );
    assert.equal(attempt.status, 'unauthorized');
  });
});

describe('checkCredential over vcenter in the lab', labOnly(), () => {
  test('with verification on and no CA the self-signed certificate fails clearly', async () => {
    const { attempt } = await check(vcCred({}), { password: VCENTER.password }, HOSTS.vcenter);
    assert.equal(attempt.status, 'failed');
    assert.equal(attempt.error?.code, 'ERR_PROTOCOL');
    assert.match(attempt.error?.message ?? '', /TLS certificate not trusted/);
  });

  test("with the simulator's certificate as CA the login succeeds and reports about", async () => {
    const { attempt, facts } = await check(
      vcCred({ caFile: VCENTER_TLS.certPath }),
      { password: VCENTER.password },
      HOSTS.vcenter,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['apiType'], 'VirtualCenter');
    assert.equal(facts['tlsVerify'], 'on');
    assert.equal(facts['sessionUser'], VCENTER.username);
  });

  test('with tlsVerify off the login succeeds and says verification was off', async () => {
    const { attempt, facts } = await check(
      vcCred({ tlsVerify: false }),
      { password: VCENTER.password },
      HOSTS.vcenter,
    );
    assert.equal(attempt.status, 'success', JSON.stringify(attempt));
    assert.equal(facts['tlsVerify'], 'off');
  });

  test('a wrong password is unauthorized', async () => {
    const { attempt } = await check(
      vcCred({ caFile: VCENTER_TLS.certPath }),
      { password: WRONG },
      HOSTS.vcenter,
    );
    assert.equal(attempt.status, 'unauthorized');
    assert.match(attempt.error?.message ?? '', /InvalidLogin/);
  });

  test('a closed port is no_access (the host is up and refuses the port)', async () => {
    const { attempt } = await check(vcCred({ port: 8443 }), { password: WRONG }, HOSTS.vcenter);
    assert.equal(attempt.status, 'no_access');
    assert.equal(attempt.error?.code, 'ERR_PORT_CLOSED');
  });
});
