// The scheduler inside `agent run` (runAgent): a schedule whose slot came while the agent was
// down is run on start through the remote scans' path — a scan of 127.0.0.1 on a port the test
// opens, written to results/ and queued in the outbox (the platform is down: nothing listens on
// its port) — and logged in scheduler.log. Outcomes are asserted, not timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { dataDirLayout } from '../config/data-dir.js';
import { runAgent } from '../platform/agent-runtime.js';
import { openStore } from '../store/index.js';
import { testIo } from '../../../../test/support/cli-io.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/** A loopback port nothing listens on (the platform that is down). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

test('agent run starts the scan of a schedule that is due, through the outbox', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scheduled-'));
  const peer = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const peerPort = (peer.address() as { port: number }).port;
  const controller = new AbortController();
  let running: Promise<void> | null = null;
  try {
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: {} }));
    const io = testIo({
      env: { NOPESIGHT_DATA_DIR: dataDir },
      stdin: JSON.stringify({ apiToken: 'nst_test_token' }),
    });
    const platformUrl = `http://127.0.0.1:${await closedPort()}`;
    const add = ['integration', 'add', '--name', 'down', '--api-url', platformUrl];
    assert.equal(await main([...add, '--agent-id', 'edge-01', '--stdin'], io), 0, io.err());

    const layout = dataDirLayout(dataDir);
    const store = openStore(layout);
    try {
      store.schedules.add({
        id: 'loopback',
        name: 'Loopback',
        everyHours: 1,
        targets: ['127.0.0.1'],
        protocols: 'none',
        ports: `T:${peerPort}`,
        enabled: true,
      });
      // The agent was down for the last three hourly slots.
      store.schedules.markHandled('loopback', new Date(Date.now() - 3 * 3_600_000));
    } finally {
      store.close();
    }

    running = runAgent({
      dataDir,
      env: {},
      signal: controller.signal,
      reconnectBackoff: { baseMs: 200, maxMs: 1000 },
      drainIntervalMs: 60_000,
    });
    const logFile = join(layout.logsDir, 'scheduler.log');
    const finished = await waitFor('the scheduled run to finish', () => {
      const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
      const line = lines.find((l) => l.includes('"msg":"schedule run finished"'));
      return line ? (JSON.parse(line) as { scanId: string; state: string }) : undefined;
    });
    assert.equal(finished.state, 'completed');
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /"msg":"schedule run started \(missed while the agent was down\)"/);
    assert.match(log, /"scheduleId":"loopback"/);

    const results = JSON.parse(
      readFileSync(join(dataDir, 'results', `${finished.scanId}.json`), 'utf8'),
    ) as { hosts: { address: string }[] };
    assert.ok(results.hosts.some((h) => h.address === '127.0.0.1'));

    controller.abort();
    await running;
    running = null;
    const after = openStore(layout);
    try {
      assert.ok(after.outbox.counts().pending > 0, 'the records wait in the outbox');
      const state = after.schedules.runState('loopback');
      assert.equal(state?.last?.state, 'completed');
      assert.ok(state!.handledUntil.getTime() > Date.now() - 3_600_000, 'handled up to now');
    } finally {
      after.close();
    }
  } finally {
    controller.abort();
    await running;
    await new Promise((r) => peer.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
