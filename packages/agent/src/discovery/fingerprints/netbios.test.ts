// queryNetbiosNames against in-process UDP peers: the right reply wins, strays and faults do not.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { queryNetbiosNames } from './netbios.js';

/** nmbd's captured answer (transports/netbios/testdata), re-addressed to a new transaction id. */
function nmbdReply(transactionId: number): Buffer {
  const text = readFileSync(
    new URL('../../transports/netbios/testdata/nmbd-4.17-nbstat-response.hex', import.meta.url),
    'utf8',
  );
  const b = Buffer.from(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('')
      .trim(),
    'hex',
  );
  b.writeUInt16BE(transactionId, 0);
  return b;
}

const sockets: Socket[] = [];
after(() => sockets.forEach((s) => s.close()));

async function udpPeer(
  address: string,
  onQuery?: (q: Buffer, reply: (b: Buffer, from?: Socket) => void) => void,
): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  if (onQuery)
    s.on('message', (q, r) => onQuery(q, (b, from = s) => from.send(b, r.port, r.address)));
  return s;
}
const ctx = (timeoutMs: number, signal: AbortSignal = new AbortController().signal) => ({
  signal,
  timeoutMs,
});

test('queryNetbiosNames skips wrong ids and spoofed sources and returns the names', async () => {
  const spoofer = await udpPeer('127.0.0.4');
  const nbns = await udpPeer('127.0.0.1', (q, reply) => {
    const id = q.readUInt16BE(0);
    reply(nmbdReply((id + 1) & 0xffff));
    reply(nmbdReply(id), spoofer);
    reply(Buffer.from('junk'));
    reply(nmbdReply(id));
  });
  const facts = await queryNetbiosNames('127.0.0.1', ctx(2000), { port: nbns.address().port });
  assert.deepEqual(facts, {
    names: [
      { name: 'LABSMB', suffix: 0x00, group: false },
      { name: 'LABSMB', suffix: 0x03, group: false },
      { name: 'LABSMB', suffix: 0x20, group: false },
      { name: 'NOPELAB', suffix: 0x00, group: true },
      { name: 'NOPELAB', suffix: 0x1e, group: true },
    ],
  });
});

test('a silent host gives ERR_TIMEOUT naming the limit, after the retries were sent', async () => {
  let queries = 0;
  const nbns = await udpPeer('127.0.0.1', () => queries++);
  await assert.rejects(
    queryNetbiosNames('127.0.0.1', ctx(300), { port: nbns.address().port, retries: 2 }),
    (e) => hasCode(e, 'ERR_TIMEOUT') && /300 ms/.test((e as Error).message),
  );
  assert.equal(queries, 3);
});

test('a malformed reply with the right id is ERR_PROTOCOL', async () => {
  const nbns = await udpPeer('127.0.0.1', (q, reply) =>
    reply(nmbdReply(q.readUInt16BE(0)).subarray(0, 60)),
  );
  await assert.rejects(
    queryNetbiosNames('127.0.0.1', ctx(2000), { port: nbns.address().port }),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
});

test('a flood of stray datagrams is cut off at the datagram limit', async () => {
  const nbns = await udpPeer('127.0.0.1', (_q, reply) => {
    for (let i = 0; i < 200; i++) reply(Buffer.alloc(512, 0xee));
  });
  await assert.rejects(
    queryNetbiosNames('127.0.0.1', ctx(5000), { port: nbns.address().port, maxDatagrams: 50 }),
    (e) => hasCode(e, 'ERR_PROTOCOL') && /stray/.test((e as Error).message),
  );
});

test('IPv6 is ERR_NOT_SUPPORTED and an abort is ERR_ABORTED', async () => {
  await assert.rejects(queryNetbiosNames('::1', ctx(100)), (e) => hasCode(e, 'ERR_NOT_SUPPORTED'));
  const nbns = await udpPeer('127.0.0.1', () => undefined);
  const ac = new AbortController();
  const pending = queryNetbiosNames('127.0.0.1', ctx(60_000, ac.signal), {
    port: nbns.address().port,
  });
  setImmediate(() => ac.abort());
  await assert.rejects(pending, (e) => hasCode(e, 'ERR_ABORTED'));
});
