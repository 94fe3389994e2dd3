// Tests checkCredential's attempts on failure paths (peers on 127.0.0.1) and that no secret leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type {
  CredentialBase,
  CredentialSecrets,
  UnlockedCredential,
} from '../vault/credential-types.js';
import { checkCredential, type CredentialCheck } from './credential-check.js';
import { ed25519KeyPair } from '../../../../test/support/ssh-keys.js';
import { freePort } from '../../../../test/support/ports.js';

const SECRETS: CredentialSecrets = {
  password: 'unit-Check-Password-6',
  passphrase: 'unit-Check-Passphrase-6',
  community: 'unit-Check-Community-6',
  authPassword: 'unit-Check-Auth-6',
  privPassword: 'unit-Check-Priv-6',
  sudoPassword: 'unit-Check-Sudo-6',
};
// An encrypted ed25519 key made here, so a wrong passphrase fails before anything is sent.
const ENCRYPTED_KEY = ed25519KeyPair({
  passphrase: 'right-passphrase',
  cipher: 'aes256-ctr',
  rounds: 16,
}).private;

const base: Omit<CredentialBase, 'kind'> = {
  id: 'cred-check-1',
  name: 'unit check',
  scope: [],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function assertClean(result: CredentialCheck): void {
  const text = JSON.stringify(result);
  for (const s of Object.values(SECRETS))
    assert.ok(!text.includes(s as string), `secret leaked: ${text}`);
  assert.ok(!text.includes('OPENSSH PRIVATE KEY'), `key leaked: ${text}`);
}

async function check(
  unlocked: UnlockedCredential,
  port: number,
  timeoutMs = 5000,
  signal?: AbortSignal,
) {
  void port;
  const result = await checkCredential(unlocked, '127.0.0.1', {
    signal: signal ?? AbortSignal.timeout(30_000),
    timeoutMs,
  });
  assertClean(result);
  assert.equal(result.attempt.credentialId, 'cred-check-1');
  assert.ok(result.attempt.durationMs >= 0);
  return result;
}

async function silentTcpPeer(): Promise<{ port: number; stop: () => void }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const ssh = (port: number, secrets: CredentialSecrets): UnlockedCredential => ({
  credential: { ...base, kind: 'ssh', username: 'nobody', port, sudo: 'none' },
  secrets,
});

test('checkCredential reports a closed ssh port as no_access (the host refused the port)', async () => {
  const port = await freePort();
  const { attempt, facts } = await check(ssh(port, SECRETS), port);
  assert.equal(attempt.protocol, 'ssh');
  assert.equal(attempt.status, 'no_access');
  assert.equal(attempt.error?.code, 'ERR_PORT_CLOSED');
  assert.deepEqual(facts, {});
});

test('checkCredential reports a silent ssh peer as timeout naming the limit', async () => {
  const peer = await silentTcpPeer();
  try {
    const { attempt } = await check(ssh(peer.port, SECRETS), peer.port, 300);
    assert.equal(attempt.status, 'timeout');
    assert.equal(attempt.error?.code, 'ERR_TIMEOUT');
    assert.match(attempt.error?.message ?? '', /after 300ms/);
  } finally {
    peer.stop();
  }
});

test('checkCredential reports a wrong key passphrase as unauthorized', async () => {
  const port = await freePort();
  const { attempt } = await check(
    ssh(port, { privateKey: ENCRYPTED_KEY, passphrase: SECRETS.passphrase }),
    port,
  );
  assert.equal(attempt.status, 'unauthorized');
  assert.equal(attempt.error?.code, 'ERR_AUTH_FAILED');
});

test('checkCredential reports a silent snmp agent as timeout (v2c cannot tell a wrong community)', async () => {
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  try {
    const { attempt } = await check(
      { credential: { ...base, kind: 'snmp', version: '2c', port }, secrets: SECRETS },
      port,
      400,
    );
    assert.equal(attempt.protocol, 'snmp');
    assert.equal(attempt.status, 'timeout');
    assert.equal(attempt.error?.code, 'ERR_TIMEOUT');
  } finally {
    udp.close();
  }
});

test('checkCredential reports a closed vcenter port as no_access', async () => {
  const port = await freePort();
  const { attempt } = await check(
    {
      credential: { ...base, kind: 'vcenter', username: 'u', port, tlsVerify: true },
      secrets: SECRETS,
    },
    port,
  );
  assert.equal(attempt.protocol, 'vcenter');
  assert.equal(attempt.status, 'no_access');
  assert.equal(attempt.error?.code, 'ERR_PORT_CLOSED');
});

test('checkCredential reports an unreadable vcenter CA file as failed ERR_CONFIG_INVALID', async () => {
  const { attempt } = await check(
    {
      credential: {
        ...base,
        kind: 'vcenter',
        username: 'u',
        port: 443,
        tlsVerify: true,
        caFile: '/nonexistent/nopesight-ca.pem',
      },
      secrets: SECRETS,
    },
    443,
  );
  assert.equal(attempt.status, 'failed');
  assert.equal(attempt.error?.code, 'ERR_CONFIG_INVALID');
});

test('checkCredential refuses a Windows credential without a password before connecting', async () => {
  const { attempt } = await check(
    { credential: { ...base, kind: 'windows', username: 'u', domain: '.' }, secrets: {} },
    445,
  );
  assert.deepEqual(
    { ...attempt, durationMs: 0 },
    {
      protocol: 'windows',
      status: 'failed',
      credentialId: 'cred-check-1',
      durationMs: 0,
      error: { code: 'ERR_CONFIG_INVALID', message: 'windows credential has no password' },
    },
  );
});

test('checkCredential reports a caller abort as failed ERR_ABORTED', async () => {
  const peer = await silentTcpPeer();
  const ctl = new AbortController();
  try {
    const pending = check(ssh(peer.port, SECRETS), peer.port, 30_000, ctl.signal);
    ctl.abort();
    const { attempt } = await pending;
    assert.equal(attempt.status, 'failed');
    assert.equal(attempt.error?.code, 'ERR_ABORTED');
  } finally {
    peer.stop();
  }
});
