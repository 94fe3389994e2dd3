// RpcClient over TCP against a scripted loopback server: binds, fragmentation both ways, auth
// verifiers, and the ways a server can fail (bind_nak, fault, truncation, lies, silence, drops).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, test } from 'node:test';
import {
  decodeBindAckBody,
  decodePdu,
  decodeRequestBody,
  encodePdu,
  PFC,
  PTYPE,
  AUTH_LEVEL,
  SEC_TRAILER_SIZE,
} from './pdu.js';
import type { RpcAuthMechanism, RpcMessageSecurity } from './rpc-auth.js';
import { RpcClient, type RpcInterface } from './rpc-client.js';
import { rpcStatusOf } from './status.js';
import { TcpRpcTransport } from './tcp-transport.js';
import type { RpcTransport } from './transport.js';
import { ScannerError } from '../../errors.js';
import {
  bindAck,
  bindNak,
  fault,
  responses,
  startFakeRpcServer,
  type FakeRpcServer,
  type PduHandler,
} from './testdata/fake-rpc-server.js';

const IFACE: RpcInterface = {
  name: 'test',
  uuid: '12345678-1234-abcd-ef00-0123456789ab',
  major: 1,
  minor: 0,
};
const servers: FakeRpcServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function serve(handler: PduHandler): Promise<FakeRpcServer> {
  const s = await startFakeRpcServer(handler);
  servers.push(s);
  return s;
}

/** Answers bind with bind_ack and each whole request with `answer(stub)`; records request fragments. */
function echoServer(answer: (stub: Buffer) => Buffer, chunk = 4000, maxFrag = 4280): PduHandler {
  let parts: Buffer[] = [];
  return (raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) c.socket.write(bindAck(pdu.header.callId, maxFrag));
    if (pdu.header.type !== PTYPE.request) return;
    parts.push(decodeRequestBody(pdu.body, pdu.header.flags).stub);
    if (pdu.header.flags & PFC.lastFrag) {
      for (const r of responses(pdu.header.callId, answer(Buffer.concat(parts)), chunk))
        c.socket.write(r);
      parts = [];
    }
  };
}

async function client(
  port: number,
  opts: Parameters<typeof RpcClient.bind>[2] = {},
): Promise<RpcClient> {
  const t = await TcpRpcTransport.connect('127.0.0.1', port, { timeoutMs: 2000 });
  try {
    return await RpcClient.bind(t, IFACE, { timeoutMs: 2000, ...opts });
  } catch (err) {
    await t.close();
    throw err;
  }
}

test('RpcClient binds and returns the response stub of a call', async () => {
  const s = await serve(echoServer((stub) => Buffer.from(stub).reverse()));
  const rpc = await client(s.port);
  try {
    const out = await rpc.call(7, Buffer.from('abcdefgh'));
    assert.equal(out.toString(), 'hgfedcba');
    const bind = decodePdu(s.connections[0]!.received[0]!);
    assert.equal(bind.header.type, PTYPE.bind);
    const req = decodePdu(s.connections[0]!.received[1]!);
    assert.equal(decodeRequestBody(req.body, req.header.flags).opnum, 7);
    assert.notEqual(req.header.callId, bind.header.callId);
  } finally {
    await rpc.close();
  }
});

test('RpcClient splits a request over max_xmit_frag and reassembles a fragmented response', async () => {
  const big = Buffer.alloc(10_000, 0).map((_, i) => i % 251);
  const s = await serve(echoServer((stub) => Buffer.concat([stub, stub]), 1500, 1024));
  const rpc = await client(s.port);
  try {
    const out = await rpc.call(1, Buffer.from(big));
    assert.deepEqual(out, Buffer.concat([big, big]));
    const frags = s.connections[0]!.received.slice(1).map(decodePdu);
    assert.ok(frags.length >= 10, `${frags.length} fragments`);
    for (const f of frags) assert.ok(f.header.fragLength <= 1024);
    assert.equal(frags[0]!.header.flags & (PFC.firstFrag | PFC.lastFrag), PFC.firstFrag);
    assert.equal(frags.at(-1)!.header.flags & PFC.lastFrag, PFC.lastFrag);
    assert.ok(
      frags.slice(1, -1).every((f) => (f.header.flags & (PFC.firstFrag | PFC.lastFrag)) === 0),
    );
  } finally {
    await rpc.close();
  }
});

test('RpcClient sends the object UUID in every fragment when asked', async () => {
  const s = await serve(echoServer((stub) => stub.subarray(0, 4), 4000, 1024));
  const rpc = await client(s.port);
  try {
    await rpc.call(3, Buffer.alloc(3000, 1), { object: '00000000-0000-0000-c000-000000000046' });
    const frags = s.connections[0]!.received.slice(1).map(decodePdu);
    assert.ok(frags.length > 1);
    for (const f of frags) {
      assert.ok(f.header.flags & PFC.objectUuid);
      assert.equal(
        decodeRequestBody(f.body, f.header.flags).object,
        '00000000-0000-0000-c000-000000000046',
      );
      assert.ok(f.header.fragLength <= 1024);
    }
  } finally {
    await rpc.close();
  }
});

test('RpcClient.alterContext adds a presentation context used by later calls', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) c.socket.write(bindAck(pdu.header.callId));
    if (pdu.header.type === PTYPE.alterContext) {
      const ack = decodePdu(bindAck(pdu.header.callId));
      c.socket.write(
        encodePdu({
          type: PTYPE.alterContextResp,
          flags: 3,
          callId: pdu.header.callId,
          body: ack.body,
        }),
      );
    }
    if (pdu.header.type === PTYPE.request) {
      const ctx = decodeRequestBody(pdu.body, pdu.header.flags).contextId;
      for (const r of responses(pdu.header.callId, Buffer.from([ctx]))) c.socket.write(r);
    }
  });
  const rpc = await client(s.port);
  try {
    const ctx = await rpc.alterContext({
      ...IFACE,
      name: 'other',
      uuid: '87654321-1234-abcd-ef00-0123456789ab',
    });
    assert.equal(ctx, 1);
    assert.deepEqual(await rpc.call(0, Buffer.alloc(0), { contextId: ctx }), Buffer.from([1]));
    assert.deepEqual(await rpc.call(0, Buffer.alloc(0)), Buffer.from([0]));
  } finally {
    await rpc.close();
  }
});

test('a bind_nak is ERR_RPC naming the reason', async () => {
  const s = await serve((raw, c) => c.socket.write(bindNak(decodePdu(raw).header.callId, 4)));
  await assert.rejects(client(s.port), {
    code: 'ERR_RPC',
    message: /bind_nak protocol_version_not_supported/,
  });
});

test('a context the server rejects is ERR_RPC naming the reason', async () => {
  const s = await serve((raw, c) => {
    const ack = Buffer.from(bindAck(decodePdu(raw).header.callId));
    ack.writeUInt16LE(2, 16 + 20); // provider_rejection
    ack.writeUInt16LE(1, 16 + 22); // abstract_syntax_not_supported
    assert.equal(decodeBindAckBody(decodePdu(ack).body).results[0]!.result, 2);
    c.socket.write(ack);
  });
  await assert.rejects(client(s.port), {
    code: 'ERR_RPC',
    message: /abstract_syntax_not_supported/,
  });
});

test('a fault PDU is ERR_RPC with the fault name and status', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) c.socket.write(bindAck(pdu.header.callId));
    else c.socket.write(fault(pdu.header.callId, 0x1c010002));
  });
  const rpc = await client(s.port);
  try {
    const err = await rpc.call(99, Buffer.alloc(4)).catch((e: unknown) => e);
    assert.equal((err as { code?: string }).code, 'ERR_RPC');
    assert.match((err as Error).message, /test opnum 99 .*nca_s_op_rng_error \(0x1c010002\)/);
    assert.equal(rpcStatusOf(err), 0x1c010002);
    // The association is still usable after a fault.
    await assert.rejects(rpc.call(5, Buffer.alloc(0)), { code: 'ERR_RPC' });
  } finally {
    await rpc.close();
  }
});

test('a PDU cut short by a closed connection is ERR_PROTOCOL', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) c.socket.write(bindAck(pdu.header.callId));
    else c.socket.end(responses(pdu.header.callId, Buffer.alloc(100))[0]!.subarray(0, 40));
  });
  const rpc = await client(s.port);
  try {
    await assert.rejects(rpc.call(1, Buffer.alloc(0)), {
      code: 'ERR_PROTOCOL',
      message: /middle of a PDU/,
    });
  } finally {
    await rpc.close();
  }
});

test('a frag_length shorter than a header is ERR_PROTOCOL', async () => {
  const s = await serve((raw, c) => {
    const ack = Buffer.from(bindAck(decodePdu(raw).header.callId));
    ack.writeUInt16LE(8, 8);
    c.socket.write(ack);
  });
  await assert.rejects(client(s.port), { code: 'ERR_PROTOCOL', message: /frag_length 8/ });
});

test('a frag_length promising more than the server sends ends in ERR_TIMEOUT', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) return c.socket.write(bindAck(pdu.header.callId));
    const r = Buffer.from(responses(pdu.header.callId, Buffer.alloc(16))[0]!);
    r.writeUInt16LE(60_000, 8);
    c.socket.write(r);
  });
  const rpc = await client(s.port);
  try {
    await assert.rejects(rpc.call(1, Buffer.alloc(0), { timeoutMs: 150 }), {
      code: 'ERR_TIMEOUT',
      message: /no answer within 150 ms/,
    });
  } finally {
    await rpc.close();
  }
});

test('a server that never answers the bind is ERR_TIMEOUT', async () => {
  const s = await serve(() => undefined);
  await assert.rejects(client(s.port, { timeoutMs: 150 }), {
    code: 'ERR_TIMEOUT',
    message: /bind to test/,
  });
});

test('a call past its limit is ERR_TIMEOUT naming the operation, whatever the transport says', async () => {
  // Like the SMB2 pipe: the bind is answered, then the transport only learns of the deadline
  // through its signal and rejects with an abort of its own.
  const transport: RpcTransport = {
    description: 'ncacn_np:\\PIPE\\test',
    maxFragment: 4280,
    send: async () => undefined,
    receive: (signal) => {
      if (!bound) {
        bound = true;
        return Promise.resolve(bindAck(1));
      }
      const aborted = () => new ScannerError('ERR_ABORTED', 'smb: pipe transceive aborted');
      if (signal.aborted) return Promise.reject(aborted());
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(aborted()), { once: true }),
      );
    },
    close: async () => undefined,
  };
  let bound = false;
  const rpc = await RpcClient.bind(transport, IFACE, { timeoutMs: 2000 });
  await assert.rejects(rpc.call(7, Buffer.alloc(0), { timeoutMs: 100 }), {
    code: 'ERR_TIMEOUT',
    message: 'test opnum 7 over ncacn_np:\\PIPE\\test: no answer within 100 ms',
  });
  // The caller's own abort stays an abort.
  const ctl = new AbortController();
  const call = rpc.call(7, Buffer.alloc(0), { signal: ctl.signal });
  ctl.abort();
  await assert.rejects(call, { code: 'ERR_ABORTED' });
});

test('a connection dropped in the middle of a fragmented response is ERR_PROTOCOL', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) return c.socket.write(bindAck(pdu.header.callId));
    const [first, second] = responses(pdu.header.callId, Buffer.alloc(3000, 7), 1000);
    c.socket.write(first!);
    c.socket.write(second!.subarray(0, 500), () => c.socket.destroy());
  });
  const rpc = await client(s.port);
  try {
    await assert.rejects(rpc.call(1, Buffer.alloc(0)), { code: 'ERR_PROTOCOL' });
  } finally {
    await rpc.close();
  }
});

test('an aborted call is ERR_ABORTED and a closed port is ERR_PORT_CLOSED', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) c.socket.write(bindAck(pdu.header.callId));
  });
  const rpc = await client(s.port);
  try {
    const ctl = new AbortController();
    const call = rpc.call(1, Buffer.alloc(0), { signal: ctl.signal });
    ctl.abort();
    await assert.rejects(call, { code: 'ERR_ABORTED' });
  } finally {
    await rpc.close();
  }
  const closed = await startFakeRpcServer(() => undefined);
  await closed.close();
  await assert.rejects(TcpRpcTransport.connect('127.0.0.1', closed.port, { timeoutMs: 2000 }), {
    code: 'ERR_PORT_CLOSED',
  });
});

/**
 * A stand-in security mechanism: HMAC-SHA256 signatures (16 bytes) and XOR "sealing", with the
 * same call contract as NtlmSessionSecurity, so the test checks what is signed, sealed and padded.
 */
function testMechanism(
  key: string,
  tamper = false,
): RpcAuthMechanism & { signedByClient: Buffer[] } {
  const signedByClient: Buffer[] = [];
  const mac = (b: Buffer): Buffer => createHmac('sha256', key).update(b).digest().subarray(0, 16);
  const xor = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ 0x5a));
  const security: RpcMessageSecurity = {
    sign: (m) => (signedByClient.push(Buffer.from(m)), mac(m)),
    seal: (plain, toSign) => (
      signedByClient.push(Buffer.from(toSign)),
      { ciphertext: xor(plain), signature: mac(toSign) }
    ),
    unseal: (c, toVerify, sig) => {
      const plain = xor(c);
      if (!mac(toVerify(plain)).equals(sig))
        throw Object.assign(new Error('bad signature'), { code: 'ERR_PROTOCOL' });
      return plain;
    },
    verify: (m, sig) => {
      if (!mac(m).equals(sig))
        throw Object.assign(new Error('bad signature'), { code: 'ERR_PROTOCOL' });
    },
  };
  return {
    authType: 10,
    signatureLength: 16,
    firstToken: () => Buffer.from('NEGOTIATE'),
    secondToken: (t) => Buffer.from(`AUTH:${t.toString()}`),
    security: () => security,
    signedByClient,
    ...(tamper ? {} : {}),
  };
}

/** A server side for testMechanism: checks each request's verifier and answers protected responses. */
function protectedServer(
  key: string,
  level: number,
  answer: (stub: Buffer) => Buffer,
  tamper = false,
): PduHandler {
  const mac = (b: Buffer): Buffer => createHmac('sha256', key).update(b).digest().subarray(0, 16);
  const xor = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ 0x5a));
  let parts: Buffer[] = [];
  return (raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) {
      assert.equal(pdu.auth?.value.toString(), 'NEGOTIATE');
      return c.socket.write(
        bindAck(pdu.header.callId, 1024, {
          authType: 10,
          authLevel: level,
          contextId: pdu.auth!.contextId,
          value: Buffer.from('CHALLENGE'),
        }),
      );
    }
    if (pdu.header.type === PTYPE.auth3) {
      assert.equal(pdu.auth?.value.toString(), 'AUTH:CHALLENGE');
      return;
    }
    const auth = pdu.auth!;
    const trailerAt = raw.length - 16 - SEC_TRAILER_SIZE;
    assert.equal((trailerAt - 24) % 16, 0, 'stub + pad is a multiple of 16');
    let region = raw.subarray(24, trailerAt);
    if (level === AUTH_LEVEL.privacy) region = xor(region);
    const signed = Buffer.concat([
      raw.subarray(0, 24),
      region,
      raw.subarray(trailerAt, trailerAt + SEC_TRAILER_SIZE),
    ]);
    assert.deepEqual(
      mac(signed),
      auth.value,
      'signature over the whole PDU with the plaintext stub',
    );
    parts.push(region.subarray(0, region.length - auth.padLength));
    if (!(pdu.header.flags & PFC.lastFrag)) return;
    const stub = answer(Buffer.concat(parts));
    parts = [];
    const pad = (16 - (stub.length % 16)) % 16;
    const plain = Buffer.concat([stub, Buffer.alloc(pad)]);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(stub.length, 0);
    const out = encodePdu({
      type: PTYPE.response,
      flags: PFC.firstFrag | PFC.lastFrag,
      callId: pdu.header.callId,
      body: Buffer.concat([head, stub]),
      auth: {
        authType: 10,
        authLevel: level,
        padLength: pad,
        contextId: auth.contextId,
        value: Buffer.alloc(16),
      },
    });
    const sig = mac(out.subarray(0, out.length - 16));
    if (tamper) sig[0]! ^= 1;
    if (level === AUTH_LEVEL.privacy) xor(plain).copy(out, 24);
    sig.copy(out, out.length - 16);
    c.socket.write(out);
  };
}

for (const level of [AUTH_LEVEL.integrity, AUTH_LEVEL.privacy] as const) {
  const name = level === AUTH_LEVEL.integrity ? 'integrity' : 'privacy';
  test(`RpcClient at packet ${name}: bind, auth3, signed${level === AUTH_LEVEL.privacy ? ' and sealed' : ''} fragments both ways`, async () => {
    const s = await serve(
      protectedServer('k', level, (stub) => Buffer.concat([stub, Buffer.from('!')])),
    );
    const mechanism = testMechanism('k');
    const rpc = await client(s.port, { auth: { mechanism, level } });
    try {
      const stub = Buffer.alloc(2500, 3);
      assert.deepEqual(await rpc.call(2, stub), Buffer.concat([stub, Buffer.from('!')]));
      const types = s.connections[0]!.received.map((r) => decodePdu(r).header.type);
      assert.deepEqual(types.slice(0, 2), [PTYPE.bind, PTYPE.auth3]);
      assert.ok(types.length > 3, 'the request was fragmented');
      for (const r of s.connections[0]!.received.slice(2)) {
        const p = decodePdu(r);
        assert.equal(p.auth?.authLevel, level);
        assert.ok(p.header.fragLength <= 1024);
        if (level === AUTH_LEVEL.privacy)
          assert.notDeepEqual(p.body.subarray(8, 24), Buffer.alloc(16, 3));
      }
    } finally {
      await rpc.close();
    }
  });
}

test('a response with a bad signature is refused', async () => {
  const s = await serve(protectedServer('k', AUTH_LEVEL.integrity, (stub) => stub, true));
  const rpc = await client(s.port, {
    auth: { mechanism: testMechanism('k'), level: AUTH_LEVEL.integrity },
  });
  try {
    await assert.rejects(rpc.call(2, Buffer.alloc(10)), /bad signature/);
  } finally {
    await rpc.close();
  }
});

test('nca_s_proto_error on the first call after auth3 is ERR_AUTH_FAILED', async () => {
  const s = await serve((raw, c) => {
    const pdu = decodePdu(raw);
    if (pdu.header.type === PTYPE.bind) {
      c.socket.write(
        bindAck(pdu.header.callId, 4280, {
          authType: 10,
          authLevel: 6,
          contextId: 1,
          value: Buffer.from('CHALLENGE'),
        }),
      );
    } else if (pdu.header.type === PTYPE.request)
      c.socket.write(fault(pdu.header.callId, 0x1c01000b));
  });
  const rpc = await client(s.port, {
    auth: { mechanism: testMechanism('k'), level: AUTH_LEVEL.privacy },
  });
  try {
    await assert.rejects(rpc.call(2, Buffer.alloc(10)), { code: 'ERR_AUTH_FAILED' });
  } finally {
    await rpc.close();
  }
});
