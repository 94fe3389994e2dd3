// Unit tests of SnmpProbe against a real snmpd on loopback and against hostile fake peers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { TAG, encodeInteger, encodeOid, encodeTlv } from '../../transports/snmp-ber/ber.js';
import {
  OID_SYS_DESCR,
  PDU,
  SNMP_VERSION,
  decodeMessage,
  type SnmpVersion,
} from '../../transports/snmp-ber/snmp-message.js';
import { SnmpProbe, canonicalAddress, nextRequestId } from './snmp-probe.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const SNMPD = '/usr/sbin/snmpd';
const ctx = (timeoutMs: number, signal: AbortSignal = new AbortController().signal) => ({
  signal,
  timeoutMs,
});

/** A GetResponse as an agent would send it (the fake peers' encoder). */
function response(
  version: SnmpVersion,
  community: string,
  requestId: number,
  sysDescr: string,
): Buffer {
  const vb = encodeTlv(
    TAG.sequence,
    encodeOid(OID_SYS_DESCR),
    encodeTlv(TAG.octetString, Buffer.from(sysDescr)),
  );
  const pdu = encodeTlv(
    PDU.response,
    encodeInteger(requestId),
    encodeInteger(0),
    encodeInteger(0),
    encodeTlv(TAG.sequence, vb),
  );
  return encodeTlv(
    TAG.sequence,
    encodeInteger(SNMP_VERSION[version]),
    encodeTlv(TAG.octetString, Buffer.from(community)),
    pdu,
  );
}

/** A UDP peer on a loopback address; `onRequest` decides what to send back. Closed in after(). */
async function fakeAgent(
  address: string,
  onRequest: (
    req: ReturnType<typeof decodeMessage>,
    reply: (b: Buffer, from?: Socket) => void,
    raw: Buffer,
  ) => void,
  port = 0,
): Promise<{ socket: Socket; port: number }> {
  // A large receive buffer: the concurrency test bursts thousands of requests at once.
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  socket.on('message', (msg, rinfo) => {
    const req = decodeMessage(msg);
    onRequest(req, (b, from = socket) => from.send(b, rinfo.port, rinfo.address), msg);
  });
  return { socket, port: socket.address().port };
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  s.close();
  return port;
}

test('nextRequestId wraps from 2^31-1 to 1 and skips ids in use', () => {
  assert.equal(
    nextRequestId(0x7fffffff, () => false, 0),
    1,
  );
  assert.equal(
    nextRequestId(5, () => false, 0),
    6,
  );
  const used = new Set([1, 2, 3]);
  assert.equal(
    nextRequestId(0x7fffffff, (id) => used.has(id), used.size),
    4,
  );
  assert.equal(
    nextRequestId(0x7ffffffe, (id) => used.has(id), used.size),
    0x7fffffff,
  );
  assert.throws(
    () => nextRequestId(1, () => true, 3),
    (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
  );
});

test('canonicalAddress makes IPv6 spellings comparable to rinfo.address', () => {
  assert.equal(canonicalAddress('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalAddress('FE80:0:0::1'), 'fe80::1');
  assert.equal(canonicalAddress('127.0.0.1'), '127.0.0.1');
});

describe(
  'SnmpProbe against a local snmpd',
  { skip: existsSync(SNMPD) ? false : `${SNMPD} not installed` },
  () => {
    let dir: string;
    let child: ChildProcess | undefined;
    let port: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nopesight-snmpd-'));
      port = await freeUdpPort();
      writeFileSync(
        join(dir, 'snmpd.conf'),
        [
          `agentAddress udp:127.0.0.1:${port}`,
          'rocommunity lab-public 127.0.0.1',
          // A community only SNMPv1 may use: v2c requests with it get no answer at all.
          'com2sec v1sec 127.0.0.1 v1-only',
          'group v1grp v1 v1sec',
          'view all included .1',
          'access v1grp "" v1 noauth exact all none none',
          'sysDescr NopeSight unit snmpd',
          '',
        ].join('\n'),
      );
      child = spawn(
        SNMPD,
        ['-f', '-C', '-c', join(dir, 'snmpd.conf'), '-Lf', join(dir, 'snmpd.log')],
        {
          env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist') },
          stdio: 'ignore',
        },
      );
      // Ready when it answers; bounded to 50 tries.
      const probe = new SnmpProbe({ retries: 0, port });
      try {
        for (let i = 0; i < 50; i++) {
          if (await probe.probe('127.0.0.1', ['lab-public'], ctx(200))) return;
        }
        throw new Error('snmpd did not answer');
      } finally {
        probe.close();
      }
    });

    after(async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    });

    test('probe returns the community snmpd accepts, sending one GET per community', async () => {
      const probe = new SnmpProbe({ retries: 0, port });
      try {
        const hit = await probe.probe('127.0.0.1', ['wrong-1', 'lab-public', 'wrong-2'], ctx(2000));
        assert.deepEqual(hit, {
          community: 'lab-public',
          sysDescr: 'NopeSight unit snmpd',
          version: '2c',
        });
        assert.equal(probe.stats().sent, 3);
        assert.equal(probe.stats().outstanding, 0);
      } finally {
        probe.close();
      }
    });

    test('probe returns null when no community is accepted', async () => {
      const probe = new SnmpProbe({ retries: 1, port });
      try {
        assert.equal(await probe.probe('127.0.0.1', ['nope', 'also-nope'], ctx(600)), null);
        assert.equal(probe.stats().sent, 4);
        assert.equal(probe.stats().received, 0);
      } finally {
        probe.close();
      }
    });

    test('v1Fallback finds a community only SNMPv1 may use; without it the probe returns null', async () => {
      const plain = new SnmpProbe({ retries: 0, port });
      const fallback = new SnmpProbe({ retries: 0, port, v1Fallback: true });
      try {
        assert.equal(await plain.probe('127.0.0.1', ['v1-only'], ctx(500)), null);
        const hit = await fallback.probe('127.0.0.1', ['v1-only'], ctx(1000));
        assert.deepEqual(hit, {
          community: 'v1-only',
          sysDescr: 'NopeSight unit snmpd',
          version: '1',
        });
        assert.equal(fallback.stats().sent, 2);
      } finally {
        plain.close();
        fallback.close();
      }
    });
  },
);

describe('SnmpProbe against hostile peers', () => {
  const sockets: Socket[] = [];
  after(() => sockets.forEach((s) => s.close()));

  test('ignores garbage, wrong ids, wrong community, wrong version and a spoofed source', async () => {
    const spoofer = createSocket('udp4');
    await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.2', resolve));
    sockets.push(spoofer);
    const agent = await fakeAgent('127.0.0.1', (req, reply) => {
      const id = req.requestId;
      reply(Buffer.from('not snmp at all'));
      reply(Buffer.from('3084ffffffff', 'hex'));
      reply(response('2c', 'public', (id + 1) | 0, 'wrong id'));
      reply(response('2c', 'other', id, 'wrong community'));
      reply(response('1', 'public', id, 'wrong version'));
      reply(response('2c', 'public', id, 'spoofed'), spoofer);
      reply(response('2c', 'public', id, 'genuine'));
    });
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    try {
      const hit = await probe.probe('127.0.0.1', ['public'], ctx(2000));
      assert.deepEqual(hit, { community: 'public', sysDescr: 'genuine', version: '2c' });
      // Replies sent after the genuine one may still be in flight; those before it were counted.
      assert.ok(probe.stats().malformed >= 2);
      assert.ok(probe.stats().ignored >= 4);
    } finally {
      probe.close();
    }
  });

  test('a reply that only comes from a spoofed source leaves the probe at null', async () => {
    const spoofer = createSocket('udp4');
    await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.3', resolve));
    sockets.push(spoofer);
    let replies = 0;
    const agent = await fakeAgent('127.0.0.1', (req, reply) => {
      replies++;
      reply(response('2c', req.community, req.requestId, 'spoofed'), spoofer);
    });
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 1, port: agent.port });
    try {
      assert.equal(await probe.probe('127.0.0.1', ['public'], ctx(400)), null);
      assert.equal(replies, 2);
      assert.equal(probe.stats().ignored, 2);
    } finally {
      probe.close();
    }
  });

  test('a flood of 5,000 junk datagrams does not stop the genuine answer', async () => {
    const agent = await fakeAgent('127.0.0.1', (req, reply) => {
      for (let i = 0; i < 5000; i++)
        reply(
          i % 2 ? Buffer.alloc(1400, i) : response('2c', req.community, i + 7, 'x'.repeat(1000)),
        );
      reply(response('2c', req.community, req.requestId, 'after the flood'));
    });
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    try {
      const hit = await probe.probe('127.0.0.1', ['public'], ctx(5000));
      assert.equal(hit?.sysDescr, 'after the flood');
    } finally {
      probe.close();
    }
  });

  test('one instance carries 3,000 concurrent probes over 10 addresses and matches each reply', async () => {
    const addresses = Array.from({ length: 10 }, (_, i) => `127.0.1.${i + 1}`);
    const port = await freeUdpPort();
    for (const a of addresses) {
      const agent = await fakeAgent(
        a,
        (req, reply) =>
          reply(response('2c', req.community, req.requestId, `${a} ${req.community}`)),
        port,
      );
      sockets.push(agent.socket);
    }
    const probe = new SnmpProbe({ retries: 2, port });
    try {
      const jobs = Array.from({ length: 3000 }, (_, i) => {
        const address = addresses[i % addresses.length]!;
        return probe
          .probe(address, [`c${i}`, `d${i}`], ctx(10_000))
          .then((hit) => ({ address, i, hit }));
      });
      // One address no one listens on: its probe ends null while the others succeed.
      const silent = probe.probe('127.0.2.1', ['c'], ctx(300));
      for (const { address, i, hit } of await Promise.all(jobs)) {
        assert.ok(hit, `probe ${i}`);
        assert.ok(
          hit.sysDescr === `${address} c${i}` || hit.sysDescr === `${address} d${i}`,
          hit.sysDescr,
        );
      }
      assert.equal(await silent, null);
      assert.equal(probe.stats().outstanding, 0);
    } finally {
      probe.close();
    }
  });

  test('abort rejects with ERR_ABORTED and close() ends waiting probes', async () => {
    const agent = await fakeAgent('127.0.0.1', () => undefined);
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    const ac = new AbortController();
    const aborted = probe.probe('127.0.0.1', ['public'], ctx(60_000, ac.signal));
    const closed = probe.probe('127.0.0.1', ['public'], ctx(60_000));
    setImmediate(() => ac.abort());
    await assert.rejects(aborted, (e) => hasCode(e, 'ERR_ABORTED'));
    probe.close();
    await assert.rejects(closed, (e) => hasCode(e, 'ERR_ABORTED'));
    assert.equal(probe.stats().outstanding, 0);
    await assert.rejects(probe.probe('127.0.0.1', ['public'], ctx(100)), (e) =>
      hasCode(e, 'ERR_ABORTED'),
    );
  });
});
