// Smb2Client fault injection against in-process fake servers, plus request encodings cross-checked
// with impacket and the signing/encryption primitives.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';
import { Smb2Client } from './smb2-client.js';
import { buildCreate, buildIoctl, buildRead, buildTreeConnect } from './smb2-commands.js';
import { CIPHERS, SIGNING_ALGORITHMS } from './smb2-negotiate.js';
import {
  NonceSource,
  decryptMessage,
  deriveSmb2Keys,
  encryptMessage,
  signMessage,
  verifySignature,
} from './smb2-security.js';

const capture = (name: string): Buffer =>
  readHexCapture(new URL(`./testdata/${name}`, import.meta.url));
const hex = (b: Buffer): string => b.toString('hex');
const call = (timeoutMs = 2000) => ({ signal: new AbortController().signal, timeoutMs });
const creds = { username: 'u', domain: 'D', password: 'p' };

const servers: Server[] = [];
const peers: Socket[] = [];
after(() => {
  peers.forEach((s) => s.destroy());
  servers.forEach((s) => s.close());
});

/**
 * A fake SMB server: answers NEGOTIATE with Samba 4.17's captured response (its MessageId
 * rewritten), then hands each later request to `onRequest`.
 */
async function fakeServer(onRequest: (s: Socket, req: Buffer, n: number) => void): Promise<number> {
  const negotiate = capture('samba-4.17-negotiate-response.hex');
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let n = 0;
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const msg = buf.subarray(4, 4 + buf.readUInt32BE(0));
        buf = buf.subarray(4 + msg.length);
        if (msg.readUInt16LE(12) === 0) {
          s.write(frame(negotiate));
        } else {
          onRequest(s, msg, n++);
        }
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const frame = (b: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(b.length, 0);
  return Buffer.concat([head, b]);
};

/** A SESSION_SETUP response to `req` with `status` and an ERROR-style body. */
function setupReply(req: Buffer, status: number): Buffer {
  const r = Buffer.alloc(64 + 9);
  req.copy(r, 0, 0, 64);
  r.writeUInt32LE(status, 8);
  r.writeUInt16LE(1, 14);
  r.writeUInt32LE(1, 16);
  r.writeUInt16LE(9, 64);
  return r;
}

async function connect(port: number, timeoutMs = 2000): Promise<Smb2Client> {
  return Smb2Client.connect('127.0.0.1', port, call(timeoutMs));
}

test('a server that never answers SESSION_SETUP gives ERR_TIMEOUT naming the phase', async () => {
  const port = await fakeServer(() => undefined);
  const c = await connect(port);
  assert.equal(c.dialect, '3.1.1');
  await assert.rejects(
    c.login(creds, { call: call(150) }),
    (e) =>
      hasCode(e, 'ERR_TIMEOUT') &&
      /session setup timed out after 150 ms/.test((e as Error).message),
  );
  c.close();
});

test('a connection dropped mid-call fails every pending call with ERR_PROTOCOL', async () => {
  // The negotiate response grants one credit: the first login's request goes out, the second
  // waits for credits. The server hangs up on the first request, with both calls pending.
  const port = await fakeServer((s) => s.destroy());
  const c = await connect(port);
  const results = await Promise.allSettled([c.login(creds), c.login(creds)]);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const e = (r as PromiseRejectedResult).reason as Error;
    assert.ok(
      hasCode(e, 'ERR_PROTOCOL') && /connection closed by the server/.test(e.message),
      e.message,
    );
  }
  // Later calls fail at once with the same error, which the client keeps as its failure.
  await assert.rejects(c.login(creds), (e) => hasCode(e, 'ERR_PROTOCOL'));
  assert.match(c.failure?.message ?? '', /connection closed by the server/);
  c.close();
});

test('a frame length beyond the limit is ERR_PROTOCOL before the body is buffered', async () => {
  const port = await fakeServer((s) => s.write(Buffer.from('00ffffff', 'hex')));
  const c = await connect(port);
  await assert.rejects(
    c.login(creds),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /exceeds/.test((e as Error).message),
  );
  c.close();
});

test('a security buffer that points outside the message is ERR_PROTOCOL', async () => {
  const port = await fakeServer((s, req) => {
    const r = capture('samba-4.17-session-setup-response.hex');
    r.writeBigUInt64LE(req.readBigUInt64LE(24), 24);
    r.writeUInt16LE(0xfff0, 64 + 6); // SecurityBufferLength far past the end
    s.write(frame(r));
  });
  const c = await connect(port);
  await assert.rejects(c.login(creds), (e) => hasCode(e, 'ERR_PROTOCOL'));
  c.close();
});

test('STATUS_LOGON_FAILURE is ERR_AUTH_FAILED and STATUS_ACCESS_DENIED ERR_ACCESS_DENIED', async () => {
  const statuses = [0xc000006d, 0xc0000022, 0xc0000234];
  const port = await fakeServer((s, req) => s.write(frame(setupReply(req, statuses.shift()!))));
  const c = await connect(port);
  await assert.rejects(
    c.login(creds),
    (e) =>
      hasCode(e, 'ERR_AUTH_FAILED') &&
      /STATUS_LOGON_FAILURE \(0xC000006D\)/.test((e as Error).message),
  );
  await assert.rejects(c.login(creds), (e) => hasCode(e, 'ERR_ACCESS_DENIED'));
  await assert.rejects(
    c.login(creds),
    (e) => hasCode(e, 'ERR_AUTH_FAILED') && /STATUS_ACCOUNT_LOCKED_OUT/.test((e as Error).message),
  );
  c.close();
});

test('endless STATUS_PENDING interim responses are cut off', async () => {
  const port = await fakeServer((s, req) => {
    const interim = setupReply(req, 0x103);
    interim.writeUInt32LE(0x3, 16); // response + async
    for (let i = 0; i < 40; i++) s.write(frame(interim));
  });
  const c = await connect(port);
  await assert.rejects(
    c.login(creds),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /interim/.test((e as Error).message),
  );
  c.close();
});

test('aborting the signal ends a waiting call with ERR_ABORTED', async () => {
  const port = await fakeServer(() => undefined);
  const c = await connect(port);
  const ac = new AbortController();
  const pending = c.login(creds, { call: { signal: ac.signal, timeoutMs: 60_000 } });
  setImmediate(() => ac.abort());
  await assert.rejects(pending, (e) => hasCode(e, 'ERR_ABORTED'));
  c.close();
});

test('a refused connection is ERR_PORT_CLOSED', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  await assert.rejects(connect(port), (e) => hasCode(e, 'ERR_PORT_CLOSED'));
});

test('request bodies match impacket 0.10’s smb3structs encodings', () => {
  // Produced with /usr/bin/python3 and python3-impacket 0.10 (impacket.smb3structs):
  // SMB2TreeConnect(Buffer=path), SMB2Create(ImpersonationLevel=2, DesiredAccess=0x12019f,
  // ShareAccess=3, CreateDisposition=1, CreateOptions=0x40, name 'srvsvc'),
  // SMB2Ioctl(CtlCode=0x11c017, FileID=bytes(range(16)), InputOffset=0x78, input 05000b,
  // MaxOutputResponse=4280, Flags=1) and SMB2Read(Padding=0x50, Length=4280, same FileID).
  const fileId = Buffer.from([...Array(16).keys()]);
  assert.equal(
    hex(buildTreeConnect('\\\\198.18.0.30\\IPC$')),
    '09000000480024005c005c003100390038002e00310038002e0030002e00330030005c004900500043002400',
  );
  assert.equal(
    hex(
      buildCreate({
        name: 'srvsvc',
        desiredAccess: 0x0012019f,
        shareAccess: 3,
        disposition: 1,
        options: 0x40,
      }),
    ),
    '3900000002000000000000000000000000000000000000009f0112000000000003000000010000004000000078000c000000000000000000730072007600730076006300',
  );
  assert.equal(
    hex(buildIoctl(0x0011c017, fileId, Buffer.from('05000b', 'hex'), 4280)),
    '3900000017c01100000102030405060708090a0b0c0d0e0f7800000003000000000000000000000000000000b8100000010000000000000005000b',
  );
  assert.equal(
    hex(buildRead(fileId, 4280, 0n)),
    '31005000b81000000000000000000000000102030405060708090a0b0c0d0e0f0000000000000000000000000000000000',
  );
});

test('signatures verify for every algorithm and fail when one bit changes', () => {
  const keys = deriveSmb2Keys(0x0311, Buffer.alloc(16, 7), Buffer.alloc(64, 1));
  for (const alg of Object.values(SIGNING_ALGORITHMS)) {
    const msg = Buffer.concat([capture('samba-4.17-session-setup-request.hex')]);
    signMessage(msg, keys.signingKey, alg);
    assert.ok(verifySignature(msg, keys.signingKey, alg), `alg ${alg}`);
    msg[70] = msg[70]! ^ 1;
    assert.ok(!verifySignature(msg, keys.signingKey, alg), `alg ${alg} tampered`);
  }
});

test('TRANSFORM_HEADER encryption round-trips for CCM and GCM and rejects tampering', () => {
  const key = Buffer.alloc(16, 9);
  const msg = capture('samba-4.17-session-setup-request.hex');
  const nonces = new NonceSource();
  for (const cipher of [CIPHERS.aes128Ccm, CIPHERS.aes128Gcm]) {
    const sealed = encryptMessage(msg, 42n, key, cipher, nonces.next(16));
    assert.equal(sealed.readUInt32LE(36), msg.length);
    assert.ok(decryptMessage(sealed, key, cipher).equals(msg));
    const bad = Buffer.from(sealed);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    assert.throws(
      () => decryptMessage(bad, key, cipher),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    const lying = Buffer.from(sealed);
    lying.writeUInt32LE(msg.length + 1, 36);
    assert.throws(
      () => decryptMessage(lying, key, cipher),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
  }
  // Nonces never repeat.
  assert.notEqual(hex(nonces.next(12)), hex(nonces.next(12)));
});

test('SMB 3.0 keys use the fixed labels; 2.x signs with the session key itself', () => {
  const sk = Buffer.from([...Array(16).keys()]);
  // Cross-checked with impacket: KDF_CounterMode(sk, b"SMB2AESCMAC\x00", b"SmbSign\x00", 128).
  assert.equal(hex(deriveSmb2Keys(0x0300, sk).signingKey), '6234814cbb8ea9227440ebfeb5eacbe1');
  assert.equal(hex(deriveSmb2Keys(0x0210, sk).signingKey), hex(sk));
});
