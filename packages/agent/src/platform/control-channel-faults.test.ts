// The agent's control channel against a small in-test WebSocket server in the platform's place,
// for what the reference platform never sends: malformed and unknown frames (each answered by an
// error, the connection kept), a frame over the hard limit (closed, then reconnected), and TLS
// (the test CA trusted by caFile, refused without it, verification off only when asked, logged).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { main } from '../cli/main.js';
import { testIo } from '../../../../test/support/cli-io.js';
import { createLogger, type LogFields } from '../log/logger.js';
import { runAgent } from './agent-runtime.js';
import { ControlChannel, type ChannelState } from './control-channel.js';

interface Frame {
  v: number;
  type: string;
  id: string;
  replyTo: string | null;
  payload: Record<string, unknown>;
}

const tlsDir = new URL('./testdata/tls/', import.meta.url);
const CA = readFileSync(new URL('ca.pem', tlsDir), 'utf8');

/** A peer in the platform's place: answers hello, records every frame and connection. */
interface FakePlatform {
  url: string;
  wsUrl: string;
  frames: Frame[];
  connections: { headers: IncomingHttpHeaders; ws: WebSocket }[];
  /** The newest connection. */
  ws(): WebSocket;
  /** Resolves with the first frame (already received or to come) that `match` accepts. */
  next(match: (f: Frame) => boolean): Promise<Frame>;
  close(): Promise<void>;
}

async function startFake(tls = false): Promise<FakePlatform> {
  const server: Server = tls
    ? createHttpsServer({
        cert: readFileSync(new URL('platform.pem', tlsDir)),
        key: readFileSync(new URL('platform.key', tlsDir)),
      })
    : createHttpServer();
  server.on('request', (_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
  const frames: Frame[] = [];
  const connections: FakePlatform['connections'] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  wss.on('connection', (ws, req) => {
    connections.push({ headers: req.headers, ws });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      frames.push(frame);
      if (frame.type === 'hello') {
        ws.send(envelope('result', { heartbeatIntervalMs: 60_000 }, frame.id));
      }
      for (const w of waiters.splice(0)) {
        if (w.match(frame)) w.resolve(frame);
        else waiters.push(w);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const scheme = tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/api/discovery/agents/ws`,
    frames,
    connections,
    ws: () => connections.at(-1)!.ws,
    next(match) {
      const found = frames.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        // A bound on the wait, not a timing assertion.
        setTimeout(() => reject(new Error('no such frame arrived')), 20_000).unref();
      });
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => server.close(r));
    },
  };
}

function envelope(
  type: string,
  payload: unknown,
  replyTo: string | null = null,
  id = randomUUID(),
) {
  return JSON.stringify({ v: 1, type, id, replyTo, ts: new Date().toISOString(), payload });
}

describe('the control channel answers bad frames and keeps going', () => {
  let fake: FakePlatform;
  let dataDir = '';
  const controller = new AbortController();
  let running: Promise<void>;
  const replyTo =
    (id: string | null, type = 'error') =>
    (f: Frame) =>
      f.type === type && f.replyTo === id;

  before(async () => {
    fake = await startFake();
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-agent-faults-'));
    const io = testIo({
      env: { NOPESIGHT_DATA_DIR: dataDir },
      stdin: JSON.stringify({ apiToken: 'nst_FaultInjectionToken0123456789abcdefghijk' }),
    });
    const args = ['integration', 'add', '--name', 'fake', '--api-url', fake.url];
    args.push('--ws-url', fake.wsUrl, '--agent-id', 'edge-09', '--stdin');
    assert.equal(await main(args, io), 0, io.err());
    running = runAgent({
      dataDir,
      env: {},
      signal: controller.signal,
      reconnectBackoff: { baseMs: 50, maxMs: 200 },
    });
    await fake.next((f) => f.type === 'hello');
  });

  after(async () => {
    controller.abort();
    await running;
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('hello comes first, with the bearer token, the agent id and the protocol fields', async () => {
    const { headers } = fake.connections[0]!;
    assert.equal(headers.authorization, 'Bearer nst_FaultInjectionToken0123456789abcdefghijk');
    assert.equal(headers['x-agent-id'], 'edge-09');
    const hello = fake.frames[0]!;
    assert.equal(hello.type, 'hello');
    assert.equal(hello.v, 1);
    assert.equal(hello.payload.agentId, 'edge-09');
    assert.equal(hello.payload.protocol, 1);
    assert.ok(Array.isArray(hello.payload.capabilities));
    await fake.next((f) => f.type === 'heartbeat' && f.payload.status === 'idle');
  });

  const refused: [string, string | Buffer, string | null, RegExp][] = [
    ['not JSON', 'hello?', null, /not JSON/],
    ['a JSON array', '[1,2]', null, /not a JSON object/],
    ['a binary frame', Buffer.from([1, 2, 3]), null, /binary/],
    [
      'a wrong v',
      JSON.stringify({ v: 2, type: 'metrics.get', id: 'f-v', replyTo: null, ts: 'x', payload: {} }),
      'f-v',
      /v must be 1/,
    ],
    [
      'no payload',
      JSON.stringify({ v: 1, type: 'metrics.get', id: 'f-p', replyTo: null, ts: 'x' }),
      'f-p',
      /payload/,
    ],
    [
      'no type',
      JSON.stringify({ v: 1, id: 'f-t', replyTo: null, ts: 'x', payload: {} }),
      'f-t',
      /type/,
    ],
    [
      'a numeric id',
      JSON.stringify({ v: 1, type: 'metrics.get', id: 7, replyTo: null, ts: 'x', payload: {} }),
      null,
      /id must be/,
    ],
    [
      'a frame over 1 MiB',
      envelope('metrics.get', { pad: 'x'.repeat(1024 * 1024) }),
      null,
      /over the/,
    ],
  ];
  for (const [name, data, id, message] of refused) {
    test(`${name} is answered with error bad_request`, async () => {
      const marker = randomUUID();
      fake.ws().send(data);
      // The marker request after it: the agent handles frames in order of arrival.
      fake.ws().send(envelope('metrics.get', {}, null, marker));
      const error = await fake.next(
        (f) => f.type === 'error' && f.replyTo === id && !('seen' in f.payload),
      );
      error.payload.seen = true;
      assert.equal(error.payload.code, 'bad_request');
      assert.match(String(error.payload.message), message);
      await fake.next(replyTo(marker, 'result'));
    });
  }

  test('an unknown type is answered with unknown_type; a stray reply is not answered', async () => {
    const id = randomUUID();
    fake.ws().send(envelope('reboot.now', {}, null, id));
    const error = await fake.next(replyTo(id));
    assert.equal(error.payload.code, 'unknown_type');
    const stray = randomUUID();
    fake
      .ws()
      .send(envelope('error', { code: 'bad_request', message: 'x' }, 'no-such-request', stray));
    const marker = randomUUID();
    fake.ws().send(envelope('metrics.get', {}, null, marker));
    await fake.next(replyTo(marker, 'result'));
    assert.ok(!fake.frames.some((f) => f.replyTo === stray), 'a reply must never be answered');
  });

  test('bad command payloads are bad_request; the connection is the same one throughout', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['logs.tail', { log: 'secrets' }],
      ['logs.tail', { log: 'agent', lines: 0 }],
      ['schedules.put', { schedules: 'all' }],
      [
        'schedules.put',
        {
          schedules: [
            { id: 'a', name: 'a', cron: '@daily', targets: ['198.18.0.1'], enabled: true },
          ],
        },
      ],
      ['scan.start', { targets: '127.0.0.1' }],
      ['scan.cancel', {}],
    ];
    for (const [type, payload] of cases) {
      const id = randomUUID();
      fake.ws().send(envelope(type, payload, null, id));
      const reply = await fake.next(replyTo(id));
      assert.equal(reply.payload.code, 'bad_request', `${type} ${JSON.stringify(payload)}`);
    }
    assert.equal(fake.connections.length, 1);
  });

  test('a frame over 16 MiB closes the connection (1009) and the agent comes back', async () => {
    const before = fake.connections.length;
    const closed = new Promise<number>((r) => fake.ws().once('close', (code) => r(code)));
    fake.ws().send(envelope('metrics.get', { pad: 'x'.repeat(17 * 1024 * 1024) }));
    assert.equal(await closed, 1009);
    await fake.next((f) => f.type === 'hello' && fake.connections.length > before);
    const id = randomUUID();
    fake.ws().send(envelope('metrics.get', {}, null, id));
    assert.equal((await fake.next(replyTo(id, 'result'))).type, 'result');
  });
});

describe('the control channel over TLS', () => {
  let fake: FakePlatform;
  before(async () => {
    fake = await startFake(true);
  });
  after(() => fake.close());

  /** Runs a channel until it connects or fails once; its last state and log lines. */
  async function attempt(opts: { ca?: string; tlsVerify: boolean }) {
    const lines: { level: string; msg: string; fields: LogFields }[] = [];
    const log = createLogger({
      enabled: () => true,
      write: (level, msg, fields) => lines.push({ level, msg, fields }),
    });
    const controller = new AbortController();
    let last: ChannelState | null = null;
    const channel = new ControlChannel({
      url: fake.wsUrl,
      agentId: 'edge-tls',
      token: 'nst_tls',
      tlsVerify: opts.tlsVerify,
      ca: opts.ca,
      env: {},
      log,
      hello: () => ({ agentId: 'edge-tls' }),
      heartbeat: async () => ({ status: 'idle', metrics: {} }),
      handlers: {},
      onStateChange: (s) => {
        last = s;
        // Stop after the first accepted connection or the first failure.
        if ((s.state === 'connected' && s.connects > 0) || s.state === 'waiting') {
          controller.abort();
        }
      },
    });
    await channel.run(controller.signal);
    return { state: last as ChannelState | null, lines };
  }

  test('the platform certificate verifies with caFile', async () => {
    const { state } = await attempt({ ca: CA, tlsVerify: true });
    assert.equal(state?.connects, 1);
  });

  test('without the CA the connection is refused with a certificate message', async () => {
    const { state } = await attempt({ tlsVerify: true });
    assert.equal(state?.connects, 0);
    assert.match(String(state?.lastError), /does not verify.*--ca-file/);
  });

  test('verification off connects and logs that it is off', async () => {
    const { state, lines } = await attempt({ tlsVerify: false });
    assert.equal(state?.connects, 1);
    assert.ok(lines.some((l) => l.level === 'warn' && /TLS verification is off/.test(l.msg)));
  });
});
