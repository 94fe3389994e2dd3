// The agent (runAgent, what `daemon` runs) without an integration and with one coming and going
// while it runs, against the reference platform in this process on 127.0.0.1: with none, the
// scheduler runs a schedule another store handle asked to run (recorded as `schedule <name>`,
// results written, nothing queued) and agent-state.json says the channel is off; an integration
// added through the CLI connects the channel and the next run is uploaded; removed, the channel
// stops and the agent keeps running. `agent run` still refuses to start without one. Only
// 127.0.0.1 is scanned; every wait is a bounded poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { dataDirLayout } from '../config/data-dir.js';
import { openStore, type Store } from '../store/index.js';
import { testIo } from '../../../../test/support/cli-io.js';
import { buildApp } from '../../../platform/src/api/app.js';
import { sqliteKind } from '../../../platform/src/testing/stores.js';
import { createToken } from '../../../platform/src/tokens.js';
import { agentStateFile, runAgent, type AgentStateFile } from './agent-runtime.js';
import { logLines } from '../../../../test/support/log-lines.js';
import { waitFor } from '../../../../test/support/wait-for.js';

function readState(dataDir: string): AgentStateFile | undefined {
  const file = agentStateFile({ root: dataDir });
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AgentStateFile) : undefined;
}

const cli = async (dataDir: string, args: string[], stdin?: object) => {
  const io = testIo({
    env: { NOPESIGHT_DATA_DIR: dataDir },
    ...(stdin ? { stdin: JSON.stringify(stdin) } : {}),
  });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
};

test('agent run refuses to start without an integration (exit 2, nothing left running)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nopesight-agent-none-'));
  try {
    const r = await cli(dataDir, ['agent', 'run']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no integration is configured.*daemon runs without one/);
    assert.equal(existsSync(join(dataDir, 'agent.lock')), false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the agent runs schedules without an integration and follows one added and removed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nopesight-agent-follow-'));
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
  const peer = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const peerPort = (peer.address() as { port: number }).port;

  const kind = sqliteKind();
  const platformStore = await kind.open();
  const agentToken = (await createToken(platformStore, { name: 'edge', agentId: 'edge-01' })).token;
  const adminToken = (await createToken(platformStore, { name: 'ops', role: 'admin' })).token;
  const platform = await buildApp({ store: platformStore, heartbeatIntervalMs: 1000 });
  await platform.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(platform.app.server.address() as { port: number }).port}`;
  const platformGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };
  const connected = async () =>
    (
      await platformGet<{ data: { agentId: string; connected: boolean }[] }>(
        '/api/discovery/agents',
      )
    ).data.find((a) => a.agentId === 'edge-01')?.connected ?? false;

  // Another process's view of the store: the CLI or the GUI.
  const other: Store = openStore(dataDirLayout(dataDir));
  other.schedules.add({
    id: 'loop',
    name: 'Loopback',
    everyHours: 24,
    targets: ['127.0.0.1'],
    protocols: 'none',
    ports: `T:${peerPort}`,
    enabled: true,
  });
  /** Asks the running agent to run the schedule; resolves with the scan's finished line. */
  const runNow = async (nth: number) => {
    other.schedules.requestRun('loop', 'gui');
    return waitFor(`scheduled run ${nth} to finish`, () => {
      const done = logLines(dataDir, 'scheduler.log').filter(
        (l) => l.msg === 'schedule run finished',
      );
      return done.length >= nth ? (done[nth - 1] as { scanId: string; state: string }) : undefined;
    });
  };

  const controller = new AbortController();
  const running = runAgent({
    dataDir,
    env: {},
    signal: controller.signal,
    reconnectBackoff: { baseMs: 100, maxMs: 500 },
    drainIntervalMs: 200,
    integrationPollMs: 100,
    schedulerWatchMs: 250,
  });
  try {
    const off = await waitFor('the state file without an integration', () => {
      const s = readState(dataDir);
      return s && s.integration === null ? s : undefined;
    });
    assert.equal(off.channel.state, 'stopped');
    assert.equal(off.agentId, '');

    // 1. No integration: the run is local, recorded as the schedule's, nothing queued.
    const first = await runNow(1);
    assert.equal(first.state, 'completed');
    const results = JSON.parse(
      readFileSync(join(dataDir, 'results', `${first.scanId}.json`), 'utf8'),
    ) as { hosts: { address: string }[] };
    assert.ok(results.hosts.some((h) => h.address === '127.0.0.1'));
    const localRow = other.scans.get(first.scanId);
    assert.deepEqual(localRow?.source, {
      kind: 'schedule',
      scheduleId: 'loop',
      scheduleName: 'Loopback',
    });
    assert.equal(localRow?.upload, false);
    assert.equal(localRow?.state, 'completed');
    assert.equal(other.outbox.counts().pending, 0, 'nothing queued without an integration');
    const started = logLines(dataDir, 'agent.log').find(
      (l) => l.msg === 'scan started' && l.scanId === first.scanId,
    );
    assert.equal(started?.source, 'schedule Loopback');

    // 2. An integration added through the CLI: the channel comes up without a restart.
    const add = await cli(
      dataDir,
      ['integration', 'add', '--name', 'lab', '--api-url', url, '--agent-id', 'edge-01', '--stdin'],
      { apiToken: agentToken },
    );
    assert.equal(add.code, 0, add.err);
    await waitFor('the platform to see the agent connected', async () =>
      (await connected()) ? true : undefined,
    );
    await waitFor('the state file to show the channel connected', () => {
      const s = readState(dataDir);
      return s?.channel.state === 'connected' && s.integration?.name === 'lab' ? s : undefined;
    });
    const second = await runNow(2);
    assert.equal(second.state, 'completed');
    const uploadedRow = other.scans.get(second.scanId);
    assert.equal(uploadedRow?.upload, true);
    assert.equal(uploadedRow?.agentId, 'edge-01');
    assert.equal(uploadedRow?.source?.kind, 'schedule');
    await waitFor('the platform to store the scheduled scan', async () => {
      const scans = await platformGet<{ data: { scanId: string; state: string }[] }>(
        '/api/discovery/scans',
      );
      return scans.data.find((s) => s.scanId === second.scanId && s.state === 'completed');
    });
    assert.equal(other.scans.get(first.scanId)?.batches, 0, 'the local scan was never queued');

    // 3. Removed through the CLI: the channel stops, the agent keeps running.
    const removed = await cli(dataDir, ['integration', 'remove']);
    assert.equal(removed.code, 0, removed.err);
    await waitFor('the state file to show no integration', () => {
      const s = readState(dataDir);
      return s?.integration === null && s.channel.state === 'stopped' ? s : undefined;
    });
    await waitFor('the platform to see the agent gone', async () =>
      (await connected()) ? undefined : true,
    );
    const third = await runNow(3);
    assert.equal(third.state, 'completed');
    assert.equal(other.scans.get(third.scanId)?.upload, false);
    const agentLog = logLines(dataDir, 'agent.log').map((l) => l.msg);
    assert.ok(agentLog.includes('platform connection starting'));
    assert.ok(agentLog.includes('platform connection stopped'));
    assert.ok(
      !readFileSync(join(dataDir, 'logs', 'integrations.log'), 'utf8').includes(agentToken),
    );

    controller.abort();
    await running;
    const stopped = readState(dataDir);
    assert.ok(stopped?.stoppedAt, 'the state file records the stop');
    assert.equal(existsSync(join(dataDir, 'agent.lock')), false);
  } finally {
    controller.abort();
    await running;
    other.close();
    await platform.hub.close();
    await platform.app.close();
    await kind.cleanup();
    await new Promise((r) => peer.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
