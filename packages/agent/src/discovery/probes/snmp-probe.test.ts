// Unit tests of SnmpProbe against a real snmpd on loopback and against hostile fake peers.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { hasCode } from '../../errors.js';
import { TAG, encodeInteger, encodeOid, encodeTlv } from '../../transports/snmp-ber/ber.js';
import {
  OID_SYS_DESCR,
  PDU,
  SNMP_VERSION,
  decodeMessage,
  messageVersion,
  type SnmpVersion,
} from '../../transports/snmp-ber/snmp-message.js';
import {
  OID_SNMP_ENGINE_ID,
  decodeV3Message,
  type SnmpV3Message,
} from '../../transports/snmp-ber/snmp-v3.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';
import { SnmpProbe, canonicalAddress, nextRequestId } from './snmp-probe.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const SNMPD = '/usr/sbin/snmpd';
const SNMPGET = '/usr/bin/snmpget';
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

/** A captured v3 message (by default snmpd's Report to the discovery), re-addressed to `msgId`. */
function v3Report(msgId: number, file = 'v3-discovery-report.hex'): Buffer {
  const b = readHexCapture(new URL(`../../transports/snmp-ber/testdata/${file}`, import.meta.url));
  // The captures' msgIDs are 4-byte INTEGERs: overwrite the value in place.
  const old = Buffer.alloc(4);
  old.writeUInt32BE(decodeV3Message(b).msgId);
  b.writeUInt32BE(msgId, b.indexOf(old));
  return b;
}
const CAPTURED_ENGINE = {
  engineId: '80001f8880e5cc701946040c6b00000000',
  engineIdFormat: 'enterprise',
  enterpriseNumber: 8072,
  engineBoots: 1,
  engineTime: 2,
};

type Reply = (b: Buffer, from?: Socket) => void;

/**
 * A UDP peer on a loopback address; `onRequest` decides what to send back to v1/v2c requests,
 * `onV3` to SNMPv3 ones (ignored without it). Closed in after().
 */
async function fakeAgent(
  address: string,
  onRequest: (req: ReturnType<typeof decodeMessage>, reply: Reply, raw: Buffer) => void,
  port = 0,
  onV3?: (req: SnmpV3Message, reply: Reply) => void,
): Promise<{ socket: Socket; port: number }> {
  // A large receive buffer: the concurrency test bursts thousands of requests at once.
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  socket.on('message', (msg, rinfo) => {
    const reply: Reply = (b, from = socket) => from.send(b, rinfo.port, rinfo.address);
    if (messageVersion(msg) === 3) onV3?.(decodeV3Message(msg), reply);
    else onRequest(decodeMessage(msg), reply, msg);
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

/**
 * Runs an snmpd on 127.0.0.1 for the enclosing describe (its before/after hooks), configured with
 * `conf(port)`; ready once a probe with `readyCommunities` gets any answer (at most 50 tries).
 */
function useLocalSnmpd(
  conf: (port: number) => string[],
  readyCommunities: string[],
): { port: number } {
  const agent = { port: 0 };
  let dir = '';
  let child: ChildProcess | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nopesight-snmpd-'));
    agent.port = await freeUdpPort();
    writeFileSync(join(dir, 'snmpd.conf'), [...conf(agent.port), ''].join('\n'));
    child = spawn(
      SNMPD,
      ['-f', '-C', '-I', '-smux', '-c', join(dir, 'snmpd.conf'), '-Lf', join(dir, 'snmpd.log')],
      {
        env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: join(dir, 'persist') },
        stdio: 'ignore',
      },
    );
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    try {
      for (let i = 0; i < 50; i++) {
        if (await probe.probe('127.0.0.1', readyCommunities, ctx(200))) return;
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
  return agent;
}

describe(
  'SnmpProbe against a local snmpd',
  { skip: existsSync(SNMPD) ? false : `${SNMPD} not installed` },
  () => {
    const snmpd = useLocalSnmpd(
      (port) => [
        `agentAddress udp:127.0.0.1:${port}`,
        'rocommunity lab-public 127.0.0.1',
        // A community only SNMPv1 may use: v2c requests with it get no answer at all.
        'com2sec v1sec 127.0.0.1 v1-only',
        'group v1grp v1 v1sec',
        'view all included .1',
        'access v1grp "" v1 noauth exact all none none',
        'sysDescr NopeSight unit snmpd',
      ],
      ['lab-public'],
    );

    test('probe returns the community snmpd accepts, sending one GET per community', async () => {
      const probe = new SnmpProbe({ retries: 0, port: snmpd.port, v3Discovery: false });
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
      const probe = new SnmpProbe({ retries: 1, port: snmpd.port, v3Discovery: false });
      try {
        assert.equal(await probe.probe('127.0.0.1', ['nope', 'also-nope'], ctx(600)), null);
        assert.equal(probe.stats().sent, 4);
        assert.equal(probe.stats().received, 0);
      } finally {
        probe.close();
      }
    });

    test('v1Fallback finds a community only SNMPv1 may use; without it the probe returns null', async () => {
      const plain = new SnmpProbe({ retries: 0, port: snmpd.port, v3Discovery: false });
      const fallback = new SnmpProbe({
        retries: 0,
        port: snmpd.port,
        v1Fallback: true,
        v3Discovery: false,
      });
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

    test('with v1Fallback, a Report does not cut the v1 phase short', async () => {
      const probe = new SnmpProbe({ retries: 0, port: snmpd.port, v1Fallback: true });
      try {
        const hit = await probe.probe('127.0.0.1', ['v1-only'], ctx(60_000));
        assert.equal(hit?.community, 'v1-only');
        assert.equal(hit?.version, '1');
        assert.equal(hit?.snmpV3?.enterpriseNumber, 8072);
        // The discovery and the v2c GET, then the v1 GET.
        assert.equal(probe.stats().sent, 3);
      } finally {
        probe.close();
      }
    });

    test('by default the probe also sends one engine discovery and returns both answers', async () => {
      // A generous grace: the result must not depend on which of the two replies lands first.
      const probe = new SnmpProbe({ retries: 0, port: snmpd.port, answerGraceMs: 5000 });
      try {
        const hit = await probe.probe('127.0.0.1', ['wrong', 'lab-public'], ctx(5000));
        assert.equal(hit?.community, 'lab-public');
        assert.equal(hit?.sysDescr, 'NopeSight unit snmpd');
        assert.equal(hit?.version, '2c');
        // net-snmp's default engine ID: enterprise 8072, format 128 (random + time).
        assert.equal(hit?.snmpV3?.enterpriseNumber, 8072);
        assert.equal(hit?.snmpV3?.engineIdFormat, 'enterprise');
        assert.match(hit?.snmpV3?.engineId ?? '', /^80001f8880[0-9a-f]{24}$/);
        assert.equal(probe.stats().sent, 3);
        assert.equal(probe.stats().outstanding, 0);
      } finally {
        probe.close();
      }
    });
  },
);

describe(
  'SnmpProbe against a local SNMPv3-only snmpd',
  { skip: existsSync(SNMPD) ? false : `${SNMPD} not installed` },
  () => {
    const user = { name: 'unitv3', auth: 'Unit-Auth-Pass-1', priv: 'Unit-Priv-Pass-1' };
    const snmpd = useLocalSnmpd(
      (port) => [
        `agentAddress udp:127.0.0.1:${port}`,
        // No rocommunity/com2sec: v1/v2c requests get no answer at all.
        'engineID NopeSightUnit',
        `createUser ${user.name} SHA "${user.auth}" AES "${user.priv}"`,
        `rouser ${user.name} priv`,
      ],
      [],
    );

    test('without communities, the discovery alone finds the agent: one packet, its engine', async () => {
      const probe = new SnmpProbe({ retries: 0, port: snmpd.port });
      try {
        const hit = await probe.probe('127.0.0.1', [], ctx(2000));
        assert.deepEqual(Object.keys(hit ?? {}), ['snmpV3']);
        const v3 = hit!.snmpV3!;
        assert.equal(v3.engineId, `80001f8804${Buffer.from('NopeSightUnit').toString('hex')}`);
        assert.equal(v3.engineIdFormat, 'text');
        assert.equal(v3.engineIdValue, 'NopeSightUnit');
        assert.equal(v3.enterpriseNumber, 8072);
        assert.ok(v3.engineBoots >= 1);
        assert.ok(v3.engineTime >= 0);
        assert.equal(probe.stats().sent, 1);
      } finally {
        probe.close();
      }
    });

    test(
      'the engine ID is the one snmpd reports as snmpEngineID.0 to a valid v3 user',
      { skip: existsSync(SNMPGET) ? false : `${SNMPGET} not installed` },
      async () => {
        const { stdout } = await promisify(execFile)(
          SNMPGET,
          [
            ...['-v3', '-l', 'authPriv', '-u', user.name, '-a', 'SHA', '-A', user.auth],
            ...['-x', 'AES', '-X', user.priv, '-t', '2', '-r', '2', '-Oqvx'],
            `127.0.0.1:${snmpd.port}`,
            OID_SNMP_ENGINE_ID,
          ],
          { env: { ...process.env, MIBS: '' } },
        );
        const reported = stdout.replace(/[^0-9A-Fa-f]/g, '').toLowerCase();
        assert.match(reported, /^80001f8804/);
        const probe = new SnmpProbe({ retries: 1, port: snmpd.port });
        try {
          const hit = await probe.probe('127.0.0.1', [], ctx(2000));
          assert.equal(hit?.snmpV3?.engineId, reported);
        } finally {
          probe.close();
        }
      },
    );

    test('wrong communities: the engine alone, once the GETs had their grace, no retries', async () => {
      const probe = new SnmpProbe({ retries: 1, port: snmpd.port });
      try {
        const hit = await probe.probe('127.0.0.1', ['public', 'private'], ctx(60_000));
        assert.deepEqual(Object.keys(hit ?? {}), ['snmpV3']);
        // One burst (the discovery and two GETs): the Report stopped the re-sends.
        assert.equal(probe.stats().sent, 3);
        assert.equal(probe.stats().outstanding, 0);
      } finally {
        probe.close();
      }
    });

    test('without v3Discovery the v3-only agent is invisible (the gap this closes)', async () => {
      const probe = new SnmpProbe({ retries: 0, port: snmpd.port, v3Discovery: false });
      try {
        assert.equal(await probe.probe('127.0.0.1', ['public'], ctx(400)), null);
        assert.equal(await probe.probe('127.0.0.1', [], ctx(400)), null);
        assert.equal(probe.stats().sent, 1);
      } finally {
        probe.close();
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

  test('a v3 Report counts only with its msgID from the target; hostile answers are ignored', async () => {
    const spoofer = createSocket('udp4');
    await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.4', resolve));
    sockets.push(spoofer);
    const agent = await fakeAgent(
      '127.0.0.1',
      () => undefined,
      0,
      (req, reply) => {
        const id = req.msgId;
        const response = v3Report(id);
        response[response.lastIndexOf(Buffer.from('a81f', 'hex'))] = PDU.response;
        reply(Buffer.from('not snmp at all'));
        reply(Buffer.from('3084ffffffff', 'hex'));
        reply(v3Report(id).subarray(0, 40));
        reply(v3Report((id + 1) & 0x7fffffff));
        reply(v3Report(id), spoofer);
        reply(response);
        reply(v3Report(id, 'lab-snmpd-v3-authpriv-response.hex')); // encrypted: no Report inside
        reply(v3Report(id, 'v3-discovery-request.hex')); // a request, empty engine ID
        reply(v3Report(id));
      },
    );
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    try {
      const hit = await probe.probe('127.0.0.1', [], ctx(2000));
      assert.deepEqual(hit, { snmpV3: CAPTURED_ENGINE });
      assert.ok(probe.stats().malformed >= 3);
      assert.ok(probe.stats().ignored >= 5);
      assert.equal(probe.stats().outstanding, 0);
    } finally {
      probe.close();
    }
  });

  test('a Report with request-id 0 (snmpsim’s habit) is matched by its msgID', async () => {
    const agent = await fakeAgent(
      '127.0.0.1',
      () => undefined,
      0,
      (req, reply) => reply(v3Report(req.msgId, 'lab-snmpsim-v3-unknown-user-report.hex')),
    );
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port });
    try {
      const hit = await probe.probe('127.0.0.1', [], ctx(2000));
      assert.deepEqual(hit?.snmpV3, {
        engineId: '80004fb805766d4c4a87c0',
        engineIdFormat: 'octets',
        enterpriseNumber: 20408,
        engineIdValue: '766d4c4a87c0',
        engineBoots: 2,
        engineTime: 15,
      });
    } finally {
      probe.close();
    }
  });

  test('a community hit and a Report from the same agent come back together', async () => {
    const agent = await fakeAgent(
      '127.0.0.1',
      (req, reply) => reply(response('2c', req.community, req.requestId, 'both')),
      0,
      (req, reply) => reply(v3Report(req.msgId)),
    );
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port, answerGraceMs: 5000 });
    try {
      const hit = await probe.probe('127.0.0.1', ['public'], ctx(5000));
      assert.deepEqual(hit, {
        community: 'public',
        sysDescr: 'both',
        version: '2c',
        snmpV3: CAPTURED_ENGINE,
      });
      assert.equal(probe.stats().sent, 2);
    } finally {
      probe.close();
    }
  });

  test('a community hit from an agent that ignores v3 resolves without snmpV3', async () => {
    const agent = await fakeAgent('127.0.0.1', (req, reply) =>
      reply(response('2c', req.community, req.requestId, 'v2c only')),
    );
    sockets.push(agent.socket);
    const probe = new SnmpProbe({ retries: 0, port: agent.port, answerGraceMs: 0 });
    try {
      const hit = await probe.probe('127.0.0.1', ['public'], ctx(60_000));
      assert.deepEqual(hit, { community: 'public', sysDescr: 'v2c only', version: '2c' });
    } finally {
      probe.close();
    }
  });
});
