// The WebSocket hub with a real ws client on loopback: upgrade auth, hello/heartbeat, malformed
// frames, commands carried both ways.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { testPlatform, type TestPlatform } from '../testing/platform.js';
import type { PlatformStore } from '../store/platform-store.js';
import type { Envelope } from './envelope.js';

interface Client {
  ws: WebSocket;
  next(pred?: (m: Envelope) => boolean): Promise<Envelope>;
  send(type: string, payload: unknown, extra?: Partial<Envelope>): string;
}

describe('agent hub', () => {
  let store: PlatformStore;
  let platform: TestPlatform;
  let url: string;
  let token: string;
  let admin: string;
  const clients: WebSocket[] = [];

  const connect = (headers: Record<string, string>, path = '/api/discovery/agents/ws') =>
    new Promise<Client>((resolve, reject) => {
      const ws = new WebSocket(`${url}${path}`, { headers });
      clients.push(ws);
      const inbox: Envelope[] = [];
      const waiters: { pred: (m: Envelope) => boolean; resolve: (m: Envelope) => void }[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as Envelope;
        const w = waiters.findIndex((x) => x.pred(m));
        if (w >= 0) waiters.splice(w, 1)[0]!.resolve(m);
        else inbox.push(m);
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on('error', reject);
      ws.on('open', () =>
        resolve({
          ws,
          next: (pred = () => true) => {
            const i = inbox.findIndex(pred);
            if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
            return new Promise((r) => waiters.push({ pred, resolve: r }));
          },
          send: (type, payload, extra = {}) => {
            const id = randomUUID();
            ws.send(
              JSON.stringify({
                v: 1,
                type,
                id,
                replyTo: null,
                ts: new Date().toISOString(),
                payload,
                ...extra,
              }),
            );
            return id;
          },
        }),
      );
    });
  /** Sends a frame the hub refuses and waits for the refusal: everything sent before is handled. */
  const sync = async (c: Client) => {
    c.ws.send('sync');
    await c.next((m) => m.type === 'error' && m.replyTo === null);
  };
  const agentHeaders = () => ({ authorization: `Bearer ${token}`, 'x-agent-id': 'edge-01' });
  const command = (type: string, payload: unknown, timeoutMs?: number) =>
    platform.app.inject({
      method: 'POST',
      url: '/api/discovery/agents/edge-01/commands',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ type, payload, ...(timeoutMs ? { timeoutMs } : {}) }),
    });
  const agentStatus = async () =>
    (
      await platform.app.inject({
        method: 'GET',
        url: '/api/discovery/agents',
        headers: { authorization: `Bearer ${admin}` },
      })
    )
      .json()
      .data.find((a: { agentId: string }) => a.agentId === 'edge-01');

  before(async () => {
    platform = await testPlatform({ heartbeatIntervalMs: 5000 });
    ({ store, agentToken: token, adminToken: admin } = platform);
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const c of clients) c.terminate();
    await platform.close();
  });

  test('upgrade without a valid token is refused with the HTTP status; other paths 404', async () => {
    await assert.rejects(connect({ 'x-agent-id': 'edge-01' }), /HTTP 401/);
    await assert.rejects(
      connect({ authorization: 'Bearer nst_bad', 'x-agent-id': 'edge-01' }),
      /HTTP 401/,
    );
    await assert.rejects(
      connect({ authorization: `Bearer ${token}`, 'x-agent-id': 'edge-02' }),
      /HTTP 403/,
    );
    await assert.rejects(connect(agentHeaders(), '/api/other'), /HTTP 404/);
  });

  test('hello is answered with the heartbeat interval; heartbeats set the status', async () => {
    const c = await connect(agentHeaders());
    const id = c.send('hello', {
      agentId: 'edge-01',
      version: '0.1.0',
      hostname: 'edge',
      os: 'linux',
      protocol: 1,
      capabilities: ['scan'],
    });
    const reply = await c.next();
    assert.deepEqual(
      [reply.type, reply.replyTo, reply.payload],
      ['result', id, { heartbeatIntervalMs: 5000 }],
    );
    c.send('heartbeat', { status: 'scanning', metrics: { cpuPercent: 3 } });
    // The answer to a frame sent after the heartbeat proves it was handled (frames go in order).
    await sync(c);
    let a = await agentStatus();
    assert.deepEqual(
      [a.status, a.connected, a.metrics, a.hostname],
      ['scanning', true, { cpuPercent: 3 }, 'edge'],
    );
    c.send('heartbeat', {
      status: 'error',
      error: { code: 'ERR_IO', message: 'disk full' },
      metrics: {},
    });
    await sync(c);
    a = await agentStatus();
    assert.deepEqual([a.status, a.error], ['error', { code: 'ERR_IO', message: 'disk full' }]);
    c.ws.close();
  });

  test('malformed frames get error replies and the connection stays up', async () => {
    const c = await connect(agentHeaders());
    const frames: [string | Buffer, boolean, string | null][] = [
      ['not json', false, null],
      [Buffer.from([1, 2, 3]), true, null],
      ['[1,2]', false, null],
      [
        JSON.stringify({ v: 2, type: 'hello', id: 'x1', replyTo: null, ts: 't', payload: {} }),
        false,
        'x1',
      ],
      [JSON.stringify({ v: 1, type: 'hello', id: 'x2', replyTo: null, ts: 't' }), false, 'x2'],
      [JSON.stringify({ v: 1, id: 'x3', replyTo: null, ts: 't', payload: {} }), false, 'x3'],
      [
        JSON.stringify({
          v: 1,
          type: 'heartbeat',
          id: 'x4',
          replyTo: null,
          ts: 't',
          payload: { status: 'dancing' },
        }),
        false,
        'x4',
      ],
      [
        JSON.stringify({
          v: 1,
          type: 'hello',
          id: 'x5',
          replyTo: null,
          ts: 't',
          payload: { pad: 'x'.repeat(1024 * 1024) },
        }),
        false,
        null,
      ],
    ];
    for (const [frame, binary, replyTo] of frames) {
      c.ws.send(frame, { binary });
      const m = await c.next();
      assert.equal(m.type, 'error', String(frame).slice(0, 40));
      assert.equal(m.replyTo, replyTo, String(frame).slice(0, 40));
      assert.equal((m.payload as { code: string }).code, 'bad_request');
    }
    // An unknown type is ignored (additive protocol); the connection still answers.
    c.send('future.thing', {});
    const id = c.send('hello', { agentId: 'edge-01' });
    assert.equal((await c.next()).replyTo, id);
    c.ws.close();
  });

  test('operator commands go to the agent and its result or error comes back', async () => {
    const c = await connect(agentHeaders());
    const hello = c.send('hello', { agentId: 'edge-01' });
    await c.next((m) => m.replyTo === hello);
    const pending = command('scan.start', { targets: ['198.18.0.0/24'] });
    const req = await c.next((m) => m.type === 'scan.start');
    assert.deepEqual(req.payload, { targets: ['198.18.0.0/24'] });
    c.send('result', { scanId: 'sc-1' }, { replyTo: req.id });
    const r = await pending;
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { agentId: 'edge-01', type: 'result', payload: { scanId: 'sc-1' } });

    const pending2 = command('scan.cancel', { scanId: 'nope' });
    const req2 = await c.next((m) => m.type === 'scan.cancel');
    c.send('error', { code: 'not_found', message: 'no such scan' }, { replyTo: req2.id });
    assert.deepEqual((await pending2).json().payload, {
      code: 'not_found',
      message: 'no such scan',
    });

    const timedOut = await command('metrics.get', {}, 1);
    assert.equal(timedOut.statusCode, 504);
    await c.next((m) => m.type === 'metrics.get');

    const dropped = command('logs.tail', { log: 'agent' });
    await c.next((m) => m.type === 'logs.tail');
    c.ws.close();
    assert.equal((await dropped).statusCode, 503);
  });

  test('scan.progress and scan.completed land in the scan log', async () => {
    const c = await connect(agentHeaders());
    c.send('scan.progress', {
      scanId: 'sc-9',
      swept: 10,
      alive: 2,
      collected: 1,
      expected: 254,
      elapsedMs: 900,
    });
    c.send('scan.completed', {
      scanId: 'sc-9',
      state: 'cancelled',
      summary: { scanId: 'sc-9', state: 'cancelled' },
    });
    await sync(c);
    const scans = (await store.listScans({ agentId: 'edge-01' }, { page: 1, limit: 10 })).data;
    const s = scans.find((x) => x.scanId === 'sc-9')!;
    assert.equal(s.state, 'cancelled');
    assert.equal((s.progress as { swept: number }).swept, 10);
    c.ws.close();
  });
});
