// Fault injection for SmbConnection: in-process TCP peers that stall, lie, flood, refuse or hang up.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { SmbConnection } from './smb2-connection.js';
import { buildNegotiateRequest } from './smb2-negotiate.js';

const servers: Server[] = [];
const peers: Socket[] = [];
after(() => {
  peers.forEach((s) => s.destroy());
  servers.forEach((s) => s.close());
});

/** A loopback TCP server whose connections are handed to `onConn`. */
async function peer(onConn: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => undefined);
    onConn(s);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

const call = (timeoutMs: number, signal: AbortSignal = new AbortController().signal) => ({
  signal,
  timeoutMs,
});
const negotiate = buildNegotiateRequest({ clientGuid: Buffer.alloc(16), salt: Buffer.alloc(32) });

async function exchangeWith(port: number, timeoutMs = 2000, netbios = false): Promise<Buffer> {
  const conn = await SmbConnection.connect('127.0.0.1', port, {
    ...call(timeoutMs),
    ...(netbios ? { netbiosSession: { calledName: '*SMBSERVER', callingName: 'NOPESIGHT' } } : {}),
  });
  try {
    return await conn.exchange(negotiate, 'negotiate', call(timeoutMs));
  } finally {
    conn.close();
  }
}

test('a peer that accepts and stays silent gives ERR_TIMEOUT naming the phase and the limit', async () => {
  const port = await peer(() => undefined);
  await assert.rejects(
    exchangeWith(port, 150),
    (e) =>
      hasCode(e, 'ERR_TIMEOUT') && /negotiate timed out after 150 ms/.test((e as Error).message),
  );
});

test('a frame length over the limit is ERR_PROTOCOL before the body arrives', async () => {
  const port = await peer((s) => s.once('data', () => s.write(Buffer.from('00ffffff', 'hex'))));
  await assert.rejects(
    exchangeWith(port),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /exceeds/.test((e as Error).message),
  );
});

test('a peer that floods small frames is cut off at the queue limit', async () => {
  const port = await peer((s) =>
    s.once('data', () => {
      // Keep-alives are skipped a bounded number of times; then the queue limit trips.
      s.write(Buffer.alloc(4 * 10_000, Buffer.from([0x85, 0, 0, 0])));
    }),
  );
  await assert.rejects(exchangeWith(port), (e) => hasCode(e, 'ERR_PROTOCOL'));
});

test('a peer that streams endless large interim frames is cut off', async () => {
  // 0xff00-byte frames, each a STATUS_PENDING interim response the connection must skip.
  const body = Buffer.alloc(0xff00);
  Buffer.from([0xfe, 0x53, 0x4d, 0x42, 64]).copy(body);
  body.writeUInt32LE(0x103, 8);
  body.writeUInt32LE(0x3, 16);
  const chunk = Buffer.concat([Buffer.from('0000ff00', 'hex'), body]);
  const port = await peer((s) => {
    s.once('data', () => {
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && !s.destroyed && s.write(chunk)) sent++;
        if (sent < 64 && !s.destroyed) s.once('drain', pump);
      };
      pump();
    });
  });
  await assert.rejects(
    exchangeWith(port),
    (e) =>
      hasCode(e, 'ERR_PROTOCOL') && /interim|bytes received|unsolicited/.test((e as Error).message),
  );
});

test('a peer that hangs up mid-exchange gives ERR_PROTOCOL', async () => {
  const port = await peer((s) => s.once('data', () => s.end()));
  await assert.rejects(
    exchangeWith(port),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /closed/.test((e as Error).message),
  );
});

test('a refused connection gives ERR_PORT_CLOSED', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  await assert.rejects(exchangeWith(port), (e) => hasCode(e, 'ERR_PORT_CLOSED'));
});

test('aborting the signal ends a waiting exchange with ERR_ABORTED', async () => {
  const port = await peer(() => undefined);
  const conn = await SmbConnection.connect('127.0.0.1', port, call(2000));
  const ac = new AbortController();
  const pending = conn.exchange(negotiate, 'negotiate', call(60_000, ac.signal));
  setImmediate(() => ac.abort());
  await assert.rejects(pending, (e) => hasCode(e, 'ERR_ABORTED'));
  conn.close();
});

test('a NetBIOS NEGATIVE SESSION RESPONSE is ERR_PROTOCOL with its reason', async () => {
  const port = await peer((s) => s.once('data', () => s.write(Buffer.from('8300000182', 'hex'))));
  await assert.rejects(
    exchangeWith(port, 2000, true),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /called name not present/.test((e as Error).message),
  );
});

test('STATUS_PENDING interim responses are skipped until the final one', async () => {
  const interim = Buffer.alloc(64 + 9);
  Buffer.from([0xfe, 0x53, 0x4d, 0x42, 64]).copy(interim);
  interim.writeUInt32LE(0x103, 8);
  interim.writeUInt32LE(0x3, 16); // response + async
  const final = Buffer.from(interim);
  final.writeUInt32LE(0, 8);
  final.writeUInt32LE(0x1, 16);
  const frame = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const port = await peer((s) =>
    s.once('data', () => s.write(Buffer.concat([frame(interim), frame(interim), frame(final)]))),
  );
  const msg = await exchangeWith(port);
  assert.equal(msg.readUInt32LE(8), 0);
});
