// Smb2Client against a Samba that *requires* signing, and one that encrypts every session: each
// its own smbd in the lab's Samba namespace (testdata/lab-smbd.ts), since both settings are global
// and the shared smbd keeps the defaults. Login and signing on every dialect, IPC$ and a share,
// an SMB2 echo, session-wide encryption with both ciphers, and the guest/anonymous and SMB 2.1
// cases refused with clear errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';
import { Smb2Client } from './smb2-client.js';
import { CIPHERS } from './smb2-negotiate.js';
import { LAB_SMBD_SHARE, startLabSmbd, type LabSmbd } from './testdata/lab-smbd.js';

const call = (timeoutMs = 10_000) => ({ signal: new AbortController().signal, timeoutMs });
const creds = { username: SMB.username, domain: SMB.netbiosName, password: SMB.password };
const BIND = readHexCapture(new URL('./testdata/impacket-srvsvc-bind.hex', import.meta.url));
/** Ports of the two extra smbds on the Samba host (445 and 139 are the shared smbd's). */
const SIGNING_PORT = 4445;
const ENCRYPT_PORT = 4446;

const DIALECTS: [number, string][] = [
  [0x0210, '2.1'],
  [0x0300, '3.0'],
  [0x0302, '3.0.2'],
  [0x0311, '3.1.1'],
];

async function withClient<T>(
  port: number,
  opts: { dialects?: number[]; ciphers?: number[] },
  fn: (c: Smb2Client) => Promise<T>,
): Promise<T> {
  const c = await Smb2Client.connect(HOSTS.smb, port, { ...call(), ...opts });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** srvsvc on IPC$ answers a DCE/RPC bind with a bind_ack through FSCTL_PIPE_TRANSCEIVE. */
async function bindSrvsvc(c: Smb2Client, encrypted: boolean): Promise<void> {
  const ipc = await c.treeConnect('IPC$');
  assert.equal(ipc.encrypted, encrypted);
  const pipe = await ipc.openPipe('srvsvc');
  const reply = await pipe.transceive(BIND, 4280);
  assert.deepEqual([reply[0], reply[2], reply.readUInt16LE(8)], [5, 12, reply.length]);
  await pipe.close();
  await ipc.disconnect();
}

/** Writes a file on the share, reads it back and deletes it. */
async function roundTrip(c: Smb2Client, encrypted: boolean): Promise<void> {
  const tree = await c.treeConnect(LAB_SMBD_SHARE);
  assert.equal(tree.encrypted, encrypted);
  const name = `ns-required-${process.pid}-${c.dialect}.txt`;
  const data = Buffer.alloc(100_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;
  const w = await tree.openFile(name, 'write');
  assert.equal(await w.write(data, 0n), data.length);
  await w.close();
  const r = await tree.openFile(name, 'read');
  assert.ok((await r.readAll(1 << 20)).equals(data));
  await r.close();
  await tree.deleteFile(name);
  await tree.disconnect();
}

describe('a Samba with server signing = mandatory', labOnly(), () => {
  let smbd: LabSmbd | null = null;
  before(async () => {
    smbd = await startLabSmbd(SIGNING_PORT, {
      'server signing': 'mandatory',
      'map to guest': 'bad user',
    });
  });
  after(() => smbd?.stop());

  for (const [revision, name] of DIALECTS) {
    test(`SMB ${name}: login, signed IPC$ pipe, echo and a share round trip`, async () => {
      await withClient(SIGNING_PORT, { dialects: [revision] }, async (c) => {
        assert.equal(c.dialect, name);
        assert.equal(c.serverInfo.signingRequired, true);
        await c.login(creds);
        assert.deepEqual(
          { signed: c.sessionSecurity?.signed, encrypted: c.sessionSecurity?.encrypted },
          { signed: true, encrypted: false },
        );
        await bindSrvsvc(c, false);
        await c.echo();
        await roundTrip(c, false);
        await c.logoff();
      });
    });
  }

  test('a user Samba maps to guest is refused: no signing key', async () => {
    await withClient(SIGNING_PORT, {}, async (c) => {
      await assert.rejects(
        c.login({ username: 'no-such-lab-user', domain: '', password: 'x' }),
        (e) =>
          hasCode(e, 'ERR_PROTOCOL') &&
          /requires signing but logged us in as guest/.test((e as Error).message),
      );
    });
  });

  test('an anonymous login is refused: no signing key', async () => {
    await withClient(SIGNING_PORT, {}, async (c) => {
      await assert.rejects(
        c.login({ username: '', domain: '', password: '' }),
        (e) =>
          hasCode(e, 'ERR_PROTOCOL') &&
          /requires signing but logged us in as guest/.test((e as Error).message),
      );
    });
  });
});

describe('a Samba with smb encrypt = required (every session encrypted)', labOnly(), () => {
  let smbd: LabSmbd | null = null;
  before(async () => {
    smbd = await startLabSmbd(ENCRYPT_PORT, {
      'smb encrypt': 'required',
      'map to guest': 'bad user',
    });
  });
  after(() => smbd?.stop());

  for (const [cipher, cipherName, dialect] of [
    [CIPHERS.aes128Gcm, 'AES-128-GCM', 0x0311],
    [CIPHERS.aes128Ccm, 'AES-128-CCM', 0x0311],
    [CIPHERS.aes128Ccm, 'AES-128-CCM', 0x0302],
    [CIPHERS.aes128Ccm, 'AES-128-CCM', 0x0300],
  ] as const) {
    test(`${cipherName} on 0x0${dialect.toString(16)}: the session is encrypted, IPC$ and the share work`, async () => {
      await withClient(ENCRYPT_PORT, { dialects: [dialect], ciphers: [cipher] }, async (c) => {
        await c.login(creds);
        assert.equal(c.sessionSecurity?.encrypted, true);
        if (dialect === 0x0311) assert.equal(c.serverInfo.cipher, cipher);
        await bindSrvsvc(c, true);
        await c.echo();
        await roundTrip(c, true);
        await c.logoff();
      });
    });
  }

  test('SMB 2.1 (no encryption) is refused with a clear error', async () => {
    await withClient(ENCRYPT_PORT, { dialects: [0x0210] }, async (c) => {
      await assert.rejects(c.login(creds), (e) => {
        assert.ok(hasCode(e, 'ERR_ACCESS_DENIED'), String(e));
        assert.match((e as Error).message, /STATUS_ACCESS_DENIED/);
        return true;
      });
    });
  });

  test('a guest login is refused', async () => {
    await withClient(ENCRYPT_PORT, {}, async (c) => {
      await assert.rejects(
        c.login({ username: 'no-such-lab-user', domain: '', password: 'x' }),
        (e) => {
          assert.ok(hasCode(e, 'ERR_ACCESS_DENIED'), String(e));
          return true;
        },
      );
    });
  });
});
