// The control channel against the reference platform (packages/platform, in this process on
// 127.0.0.1): `agent run` connects and shows online; the operator API's commands reach the agent
// and come back (metrics, config without secrets, logs, schedules); a scan.start of 127.0.0.1
// makes the agent `scanning` and its host record arrives as a CI; the agent reconnects after the
// platform restarts. Only 127.0.0.1 is ever scanned.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { testIo, type TestIo } from '../../../../test/support/cli-io.js';
import { buildApp, type Platform } from '../../../platform/src/api/app.js';
import { sqliteKind } from '../../../platform/src/testing/stores.js';
import { createToken } from '../../../platform/src/tokens.js';
import { runAgent } from './agent-runtime.js';
import { waitFor } from '../../../../test/support/wait-for.js';

const HEARTBEAT_MS = 1000;

interface LoopbackPlatform {
  url: string;
  agentToken: string;
  /** GET an operator endpoint with the admin token; the JSON body. */
  get<T>(path: string): Promise<T>;
  /** POST /api/discovery/agents/edge-01/commands; the status and the body. */
  command(
    type: string,
    payload?: Record<string, unknown>,
  ): Promise<{ status: number; body: { type?: string; payload?: Record<string, unknown> } }>;
  /** Closes the app (the hub closes the agents' sockets) and listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startPlatform(): Promise<LoopbackPlatform> {
  const kind = sqliteKind();
  const store = await kind.open();
  const agentToken = (await createToken(store, { name: 'edge', agentId: 'edge-01' })).token;
  const adminToken = (await createToken(store, { name: 'ops', role: 'admin' })).token;
  let current: Platform = await buildApp({ store, heartbeatIntervalMs: HEARTBEAT_MS });
  await current.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (current.app.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const admin = { authorization: `Bearer ${adminToken}` };
  return {
    url,
    agentToken,
    async get<T>(path: string) {
      const res = await fetch(`${url}${path}`, { headers: admin });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    },
    async command(type, payload = {}) {
      const res = await fetch(`${url}/api/discovery/agents/edge-01/commands`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ type, payload, timeoutMs: 20_000 }),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async restart() {
      // The hub first: the platform closes it only in onClose, after the HTTP server's close,
      // which waits for the upgraded sockets (see the report on packages/platform).
      await current.hub.close();
      await current.app.close();
      current = await buildApp({ store, heartbeatIntervalMs: HEARTBEAT_MS });
      await current.app.listen({ port, host: '127.0.0.1' });
    },
    async close() {
      await current.hub.close();
      await current.app.close();
      await kind.cleanup();
    },
  };
}

interface AgentRow {
  agentId: string;
  status: string;
  connected: boolean;
  metrics: Record<string, unknown> | null;
  capabilities: string[];
}

const agentRow = async (p: LoopbackPlatform) =>
  (await p.get<{ data: AgentRow[] }>('/api/discovery/agents')).data.find(
    (a) => a.agentId === 'edge-01',
  );

/** A data directory with an integration to `platform` (through the CLI, token on stdin). */
async function agentDataDir(platform: LoopbackPlatform, extraConfig = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-agent-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ scan: { fingerprintTimeoutMs: 20_000, ...extraConfig } }),
  );
  const io = testIo({
    env: { NOPESIGHT_DATA_DIR: dir },
    stdin: JSON.stringify({ apiToken: platform.agentToken }),
  });
  const code = await main(
    [
      'integration',
      'add',
      '--name',
      'lab',
      '--api-url',
      platform.url,
      '--agent-id',
      'edge-01',
      '--stdin',
    ],
    io,
  );
  assert.equal(code, 0, io.err());
  return dir;
}

describe('agent run against the reference platform', () => {
  let platform: LoopbackPlatform;
  let dataDir = '';
  let io: TestIo;
  let exited: Promise<number>;
  // A port the scan finds open. While `hold` is set it accepts and stays silent, so the scan's
  // fingerprinting waits and the agent is seen `scanning`; releasing closes those connections.
  let peer: Server;
  let peerPort = 0;
  let hold = true;
  const held = new Set<Socket>();

  before(async () => {
    platform = await startPlatform();
    dataDir = await agentDataDir(platform);
    peer = createServer((socket) => {
      socket.on('error', () => undefined);
      if (hold) held.add(socket);
      else socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    peerPort = (peer.address() as { port: number }).port;
    io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
    exited = main(['agent', 'run'], io);
  });

  after(async () => {
    io.abort();
    assert.equal(await exited, 0, io.err());
    for (const s of held) s.destroy();
    await new Promise((r) => peer.close(r));
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the agent connects: online and connected, with its hello and heartbeat metrics', async () => {
    const row = await waitFor('edge-01 online with metrics', async () => {
      const a = await agentRow(platform);
      return a?.connected && a.status === 'online' && a.metrics ? a : undefined;
    });
    assert.deepEqual(row.capabilities, ['scan', 'schedules', 'metrics', 'config', 'logs']);
    assert.equal(typeof row.metrics!.cpuPercent, 'number');
    assert.equal(row.metrics!.localIp, '127.0.0.1');
    assert.match(io.err(), /agent edge-01 running/);
  });

  test('agent status says connected while it runs', async () => {
    const status = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
    await waitFor('agent status connected', async () => {
      const s = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
      return (await main(['agent', 'status', '--json'], s)) === 0 &&
        (JSON.parse(s.out()) as { channel: { state: string } }).channel.state === 'connected'
        ? true
        : undefined;
    });
    assert.equal(await main(['agent', 'status'], status), 0);
    assert.match(status.out(), /channel: +connected/);
  });

  test('metrics.get answers the protocol metrics', async () => {
    const { status, body } = await platform.command('metrics.get');
    assert.equal(status, 200);
    assert.equal(body.type, 'result');
    const m = body.payload!;
    for (const key of [
      'cpuPercent',
      'diskFreeBytes',
      'outboxDepth',
      'deadLetters',
      'uptimeSeconds',
    ]) {
      assert.equal(typeof m[key], 'number', key);
    }
    assert.equal(m.localIp, '127.0.0.1');
    assert.equal(typeof (m.memory as { rssBytes: number }).rssBytes, 'number');
    assert.deepEqual(Object.keys(m.scans as object).sort(), ['completed', 'failed', 'successRate']);
  });

  test('config.get answers the effective config with secrets redacted and no token', async () => {
    const { body } = await platform.command('config.get');
    assert.equal(body.type, 'result');
    const text = JSON.stringify(body.payload);
    assert.ok(!text.includes(platform.agentToken), 'the token must never be sent');
    const config = body.payload!.config as { scan: Record<string, unknown> };
    assert.equal(config.scan.snmpCommunities, '[redacted]');
    assert.equal(config.scan.fingerprintTimeoutMs, 20_000);
    assert.equal((body.payload!.integration as { agentId: string }).agentId, 'edge-01');
  });

  test('logs.tail answers the last lines of a log, never the token', async () => {
    const { body } = await platform.command('logs.tail', { log: 'integrations', lines: 5 });
    assert.equal(body.type, 'result');
    const lines = body.payload!.lines as string[];
    assert.ok(lines.length > 0 && lines.length <= 5);
    assert.ok(lines.some((l) => l.includes('control channel: connected')));
    assert.ok(!JSON.stringify(lines).includes(platform.agentToken));
    const refused = await platform.command('logs.tail', { log: 'agent', lines: 1001 });
    assert.equal(refused.body.type, 'error');
    assert.equal(refused.body.payload!.code, 'bad_request');
  });

  test('schedules.put stores the list and schedules.get reads it back; a bad cron is refused', async () => {
    const schedules = [
      {
        id: 'nightly',
        name: 'Nightly',
        cron: '30 2 * * MON-FRI',
        targets: ['198.18.0.0/24'],
        protocols: 'none',
        enabled: true,
      },
      {
        id: 'hourly',
        name: 'Hourly',
        cron: '*/15 * * * *',
        targets: ['198.18.1.1'],
        ports: '22',
        enabled: false,
      },
    ];
    const put = await platform.command('schedules.put', { schedules });
    assert.equal(put.body.type, 'result', JSON.stringify(put.body));
    const got = await platform.command('schedules.get');
    assert.deepEqual(got.body.payload, { schedules });
    const bad = await platform.command('schedules.put', {
      schedules: [{ ...schedules[0], cron: '61 * * * *' }],
    });
    assert.equal(bad.body.payload!.code, 'bad_request');
    assert.match(String(bad.body.payload!.message), /minute '61'/);
    assert.deepEqual((await platform.command('schedules.get')).body.payload, { schedules });
  });

  test('scan.start of 127.0.0.1 runs: scanning, then its host record arrives in the platform', async () => {
    const start = await platform.command('scan.start', {
      targets: ['127.0.0.1'],
      protocols: 'none',
      ports: `T:${peerPort}`,
    });
    assert.equal(start.body.type, 'result', JSON.stringify(start.body));
    const scanId = start.body.payload!.scanId as string;
    assert.match(scanId, /^[0-9a-f-]{36}$/);
    await waitFor('edge-01 scanning', async () =>
      (await agentRow(platform))?.status === 'scanning' ? true : undefined,
    );
    const busy = await platform.command('scan.start', {
      targets: ['127.0.0.1'],
      protocols: 'none',
    });
    assert.equal(busy.body.payload!.code, 'busy');
    const unknown = await platform.command('scan.cancel', { scanId: 'no-such-scan' });
    assert.equal(unknown.body.payload!.code, 'not_found');

    hold = false;
    for (const s of held) s.destroy();
    const ci = await waitFor('the CI of 127.0.0.1', async () => {
      const cis = await platform.get<{
        data: { addresses: string[]; sources: { scanId: string }[] }[];
      }>('/api/cmdb/ci');
      return cis.data.find((c) => c.sources.some((s) => s.scanId === scanId));
    });
    assert.ok(ci.addresses.includes('127.0.0.1'));
    const scans = await waitFor('the scan log completed', async () => {
      const list = await platform.get<{ data: { scanId: string; state: string }[] }>(
        '/api/discovery/scans',
      );
      return list.data.find((s) => s.scanId === scanId && s.state === 'completed');
    });
    assert.equal(scans.state, 'completed');
    assert.ok(readdirSync(join(dataDir, 'results')).includes(`${scanId}.json`));
    await waitFor('edge-01 back to online', async () =>
      (await agentRow(platform))?.status === 'online' ? true : undefined,
    );
  });

  test('bad scan.start requests are refused and nothing is scanned', async () => {
    for (const payload of [
      { targets: ['198.18.1.300'] },
      { targets: ['10.0.0.0/8'] },
      { targets: ['@/etc/hostname'] },
      { targets: [] },
      { targets: ['127.0.0.1'], protocols: ['telnet'] },
      { targets: ['127.0.0.1'], ports: '99999' },
    ]) {
      const r = await platform.command('scan.start', payload);
      assert.equal(r.body.type, 'error', JSON.stringify(payload));
      assert.equal(r.body.payload!.code, 'bad_request', JSON.stringify(r.body));
    }
  });
});

describe('the agent reconnects', () => {
  test('after the platform restarts, the agent is connected and online again', async () => {
    const platform = await startPlatform();
    const dataDir = await agentDataDir(platform);
    const controller = new AbortController();
    const running = runAgent({
      dataDir,
      env: {},
      signal: controller.signal,
      reconnectBackoff: { baseMs: 100, maxMs: 1000 },
    });
    try {
      await waitFor('first connection', async () =>
        (await agentRow(platform))?.connected ? true : undefined,
      );
      await platform.restart();
      await waitFor('connected again', async () => {
        const a = await agentRow(platform);
        return a?.connected && a.status === 'online' ? true : undefined;
      });
      // The platform sees the new connection before the agent rewrites its state file.
      const connects = () =>
        (
          JSON.parse(readFileSync(join(dataDir, 'agent-state.json'), 'utf8')) as {
            channel: { connects: number };
          }
        ).channel.connects;
      await waitFor('the agent counts the second connection', async () =>
        connects() >= 2 ? true : undefined,
      );
      const log = readFileSync(join(dataDir, 'logs', 'integrations.log'), 'utf8');
      assert.match(log, /disconnected/);
      assert.ok(!log.includes(platform.agentToken));
    } finally {
      controller.abort();
      await running;
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a second agent on the same data directory refuses to start', async () => {
    const platform = await startPlatform();
    const dataDir = await agentDataDir(platform);
    const controller = new AbortController();
    const running = runAgent({ dataDir, env: {}, signal: controller.signal });
    try {
      await waitFor('first agent connected', async () =>
        (await agentRow(platform))?.connected ? true : undefined,
      );
      const second = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
      assert.equal(await main(['agent', 'run'], second), 1);
      assert.match(second.err(), /already runs/);
    } finally {
      controller.abort();
      await running;
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
