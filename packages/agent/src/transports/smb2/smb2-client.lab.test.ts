// Smb2Client against the lab's Samba 4.17: NTLMv2 login with signing on every dialect, encryption,
// the srvsvc pipe, file write/read/delete, and the failures a scanner meets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';
import { Smb2Client } from './smb2-client.js';
import { Smb2StatusError } from './smb2-status.js';
import { CIPHERS, SIGNING_ALGORITHMS } from './smb2-negotiate.js';

const call = (timeoutMs = 10_000) => ({ signal: new AbortController().signal, timeoutMs });
const creds = { username: SMB.username, domain: SMB.netbiosName, password: SMB.password };
const BIND = readHexCapture(new URL('./testdata/impacket-srvsvc-bind.hex', import.meta.url));

async function withClient<T>(
  dialects: number[] | undefined,
  fn: (c: Smb2Client) => Promise<T>,
  extra: { signingAlgorithms?: number[]; ciphers?: number[] } = {},
): Promise<T> {
  const c = await Smb2Client.connect(HOSTS.smb, 445, {
    ...call(),
    ...(dialects ? { dialects } : {}),
    ...extra,
  });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Opens srvsvc on IPC$ and checks a DCE/RPC bind_ack comes back through FSCTL_PIPE_TRANSCEIVE. */
async function bindSrvsvc(c: Smb2Client): Promise<void> {
  const ipc = await c.treeConnect('IPC$');
  const pipe = await ipc.openPipe('srvsvc');
  const reply = await pipe.transceive(BIND, 4280);
  assert.equal(reply[0], 5, 'RPC version 5');
  assert.equal(reply[2], 12, 'bind_ack');
  assert.equal(reply.readUInt32LE(12), 1, 'call_id');
  assert.equal(reply.readUInt16LE(8), reply.length, 'frag_length covers the reply');
  await pipe.close();
  await ipc.disconnect();
}

const DIALECTS: [number, string][] = [
  [0x0210, '2.1'],
  [0x0300, '3.0'],
  [0x0302, '3.0.2'],
  [0x0311, '3.1.1'],
];

for (const [revision, name] of DIALECTS) {
  test(
    `NTLMv2 login with signing on SMB ${name}, then srvsvc bind over IPC$`,
    labOnly(),
    async () => {
      await withClient([revision], async (c) => {
        assert.equal(c.dialect, name);
        await c.login(creds);
        assert.deepEqual(
          { signed: c.sessionSecurity?.signed, encrypted: c.sessionSecurity?.encrypted },
          { signed: true, encrypted: false },
        );
        assert.equal(c.serverInfo.nbComputerName, SMB.netbiosName);
        await bindSrvsvc(c);
        await c.logoff();
      });
    },
  );
}

test('SMB 3.1.1 signs with AES-CMAC when GMAC is not offered', labOnly(), async () => {
  await withClient(
    [0x0311],
    async (c) => {
      await c.login(creds);
      assert.equal(c.sessionSecurity?.signingAlgorithm, SIGNING_ALGORITHMS.aesCmac);
      await bindSrvsvc(c);
    },
    { signingAlgorithms: [SIGNING_ALGORITHMS.aesCmac] },
  );
});

test('a wrong password is ERR_AUTH_FAILED naming STATUS_LOGON_FAILURE', labOnly(), async () => {
  await withClient(undefined, async (c) => {
    await assert.rejects(
      c.login({ ...creds, password: 'not-the-password' }),
      (e) => hasCode(e, 'ERR_AUTH_FAILED') && /STATUS_LOGON_FAILURE/.test((e as Error).message),
    );
  });
});

test('write, read back and delete a file on the read-write share', labOnly(), async () => {
  await withClient(undefined, async (c) => {
    await c.login(creds);
    const tree = await c.treeConnect('labshare');
    const name = `ns-transport-${process.pid}.txt`;
    // Larger than one 64 KiB credit so the multi-credit charge is exercised.
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const w = await tree.openFile(name, 'create');
    assert.equal(await w.write(data, 0n), data.length);
    await w.close();
    const r = await tree.openFile(name, 'read');
    assert.equal(r.size, BigInt(data.length));
    assert.ok((await r.readAll(1 << 20)).equals(data));
    await r.close();
    await tree.deleteFile(name);
    await assert.rejects(
      tree.openFile(name, 'read'),
      (e) => e instanceof Smb2StatusError && /STATUS_OBJECT_NAME_NOT_FOUND/.test(e.message),
    );
    await tree.disconnect();
  });
});

for (const [cipher, cipherName, dialect] of [
  [CIPHERS.aes128Gcm, 'AES-128-GCM', 0x0311],
  [CIPHERS.aes128Ccm, 'AES-128-CCM', 0x0311],
  [CIPHERS.aes128Ccm, 'AES-128-CCM', 0x0300],
] as const) {
  test(
    `a share with smb encrypt = required works encrypted (${cipherName}, 0x0${dialect.toString(16)})`,
    labOnly(),
    async () => {
      await withClient(
        [dialect],
        async (c) => {
          await c.login(creds);
          const tree = await c.treeConnect('encshare');
          assert.equal(tree.encrypted, true);
          const name = `ns-enc-${process.pid}.txt`;
          const f = await tree.openFile(name, 'write');
          await f.write(Buffer.from('sealed'), 0n);
          await f.close();
          const r = await tree.openFile(name, 'read');
          assert.equal((await r.readAll(100)).toString(), 'sealed');
          await r.close();
          await tree.deleteFile(name);
        },
        { ciphers: [cipher] },
      );
    },
  );
}

test(
  'an encrypted share refuses SMB 2.1 (no encryption): ERR_ACCESS_DENIED',
  labOnly(),
  async () => {
    await withClient([0x0210], async (c) => {
      await c.login(creds);
      await assert.rejects(c.treeConnect('encshare'), (e) => hasCode(e, 'ERR_ACCESS_DENIED'));
    });
  },
);

test('a closed port is ERR_PORT_CLOSED', labOnly(), async () => {
  await assert.rejects(Smb2Client.connect(HOSTS.smb, 446, call()), (e) =>
    hasCode(e, 'ERR_PORT_CLOSED'),
  );
});
