// Issue 7's daemon test, with both real processes: `nopesight-scanner daemon` as a child process
// and `nopesight-platform serve` as another, on loopback. A schedule due within a minute scans a
// loopback listener; its records reach the platform. The platform is stopped by PID: a schedule
// added meanwhile by the CLI still runs, its records wait in the outbox, the daemon keeps running
// and `agent status` shows the channel down. The platform restarts on the same port and data
// directory: the outbox drains and the platform holds each scan once. A long scan handed to the
// daemon with `schedule run-now` is interrupted by SIGTERM: it ends `cancelled` with the host it
// had found written and sent, and the daemon exits 0 with its stop in service.log.
// Every wait is a bounded poll whose deadline is a failure message, not a performance claim.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '../../../../test/support/cli-io.js';
import { stopChild } from '../../../../test/support/child-process.js';
import {
  buildPlatform,
  runCli as runPlatformCli,
  startServe,
  type ServeProcess,
} from '../../../platform/src/testing/serve-process.js';
import { dataDirLayout } from '../config/data-dir.js';
import { openStore } from '../store/index.js';
import type { PlatformCi, PlatformScan } from '../platform/testdata/reference-platform.js';
import { logLines } from '../../../../test/support/log-lines.js';
import { waitFor as waitUntil } from '../../../../test/support/wait-for.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const CLI_CHILD = new URL('../platform/testdata/cli-child.ts', import.meta.url).pathname;
const AGENT_ID = 'daemon-e2e';
/** The platform on SQLite whatever the environment says. */
const PLATFORM_ENV = { DATABASE_URL: '' };
/** A port the scan fingerprints (TLS) without needing root to listen on it. */
const SILENT_PORT = 8443;
/** Deadline of one wait: a minute for the cron slot plus reconnect and drain backoffs. */
const LIMIT_MS = 180_000;

/** Polls `check` every 250 ms until it returns a value; throws `what` at the deadline. */
const waitFor = <T>(what: string, check: () => Promise<T | undefined> | T | undefined) =>
  waitUntil(what, check, { intervalMs: 250, limitMs: LIMIT_MS });

/** A five-field cron (UTC) for the first minute at least 5 s away, and that instant. */
function nextMinuteCron(): { cron: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + 5000) / 60_000) * 60_000);
  return { cron: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, at };
}

describe('the daemon process against the platform process', () => {
  let work = '';
  let agentDir = '';
  let platformDir = '';
  let platform: ServeProcess | null = null;
  let port = 0;
  let adminToken = '';
  let agentToken = '';
  let listener: Server;
  let listenerPort = 0;
  /** 127.0.0.2:8443 (fingerprinted as TLS): accepts and stays silent, so fingerprinting waits. */
  let silent: Server;
  const held = new Set<Socket>();
  let daemon: ChildProcess | null = null;
  const daemonErr: string[] = [];
  let daemonExit: Promise<{ code: number | null; signal: string | null }>;

  const platformCli = (args: string[]) => {
    const r = runPlatformCli([...args, '--data-dir', platformDir], PLATFORM_ENV);
    assert.equal(r.status, 0, r.stderr);
    return r.last;
  };
  const startPlatform = async () => {
    platform = await startServe(['--port', String(port), '--data-dir', platformDir], PLATFORM_ENV);
    port = Number(new URL(platform.url).port);
  };
  const platformList = async <T>(path: string): Promise<T[]> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}?page=1&limit=500`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(res.status, 200, path);
    return ((await res.json()) as { data: T[] }).data;
  };
  const platformScan = async (scanId: string) =>
    (await platformList<PlatformScan>('/api/discovery/scans')).find((s) => s.scanId === scanId);
  const agent = (args: string[], stdin?: object) => runCli(agentDir, args, stdin);
  const finishedRun = (schedule: string) =>
    logLines(agentDir, 'scheduler.log').find(
      (l) => l.msg === 'schedule run finished' && l.schedule === schedule,
    ) as { scanId: string; state: string } | undefined;
  const addCronSchedule = async (name: string) => {
    const { cron } = nextMinuteCron();
    const r = await agent([
      'schedule',
      'add',
      '--name',
      name,
      '--targets',
      '127.0.0.1',
      '--ports',
      `T:${listenerPort}`,
      '--protocols',
      'none',
      '--cron',
      cron,
      '--timezone',
      'UTC',
    ]);
    assert.equal(r.code, 0, r.err);
  };
  const status = async () => {
    const r = await agent(['agent', 'status', '--json']);
    return JSON.parse(r.out) as {
      running: boolean;
      integration?: { name: string } | null;
      channel: { state: string; lastError: string | null };
    };
  };
  const outboxPending = async () => {
    const r = await agent(['uploads', 'status', '--json']);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { pending: number }).pending;
  };
  const daemonAlive = () => daemon !== null && daemon.exitCode === null && !daemon.signalCode;

  before(async () => {
    buildPlatform();
    work = mkdtempSync(join(tmpdir(), 'nopesight-daemon-e2e-'));
    agentDir = join(work, 'agent');
    platformDir = join(work, 'platform');
    agentToken = platformCli(['token', 'create', '--name', 'agent', '--agent-id', AGENT_ID]);
    adminToken = platformCli(['token', 'create', '--name', 'ops', '--role', 'admin']);
    await startPlatform();
    listener = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('SSH-2.0-OpenSSH_9.2p1 DaemonTestPeer\r\n');
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    listenerPort = (listener.address() as { port: number }).port;
    silent = createServer((socket) => {
      socket.on('error', () => undefined);
      held.add(socket);
    });
    await new Promise<void>((resolve, reject) => {
      silent.once('error', (err) => reject(new Error(`127.0.0.2:${SILENT_PORT}: ${err.message}`)));
      silent.listen(SILENT_PORT, '127.0.0.2', resolve);
    });

    const added = await agent(
      [
        'integration',
        'add',
        '--name',
        'e2e',
        '--api-url',
        `http://127.0.0.1:${port}`,
        '--agent-id',
        AGENT_ID,
        '--stdin',
      ],
      { apiToken: agentToken },
    );
    assert.equal(added.code, 0, added.err);
    // Fingerprinting waits up to 2 minutes for the silent peer, so the last case's scan is
    // still running when SIGTERM comes; the other scans see only the answering listener.
    writeFileSync(
      join(agentDir, 'config.json'),
      JSON.stringify({ scan: { icmp: false, fingerprintTimeoutMs: 120_000 } }),
    );
  });

  after(async () => {
    await stopChild(daemon);
    if (platform) await platform.stop();
    for (const socket of held) socket.destroy();
    await new Promise((r) => silent?.close(r));
    await new Promise((r) => listener?.close(r));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a scheduled scan uploads, survives an outage, drains after it, and SIGTERM checkpoints', async () => {
    // 1. The daemon, with a schedule due at the next minute.
    await addCronSchedule('first');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI_CHILD, 'daemon', '--data-dir', agentDir],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    daemon = child;
    createInterface({ input: child.stderr! }).on('line', (l) => daemonErr.push(l));
    daemonExit = new Promise((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    const why = () => `daemon stderr: ${daemonErr.join('\n')}`;
    await waitFor('the daemon to connect to the platform', async () => {
      const s = await status();
      return s.running && s.channel.state === 'connected' ? true : undefined;
    });

    const first = await waitFor(`the first scheduled run; ${why()}`, () => finishedRun('first'));
    assert.equal(first.state, 'completed');
    const firstResults = JSON.parse(
      readFileSync(join(agentDir, 'results', `${first.scanId}.json`), 'utf8'),
    ) as { hosts: { address: string }[] };
    assert.ok(firstResults.hosts.some((h) => h.address === '127.0.0.1'));
    const firstOnPlatform = await waitFor('the first scan on the platform', async () => {
      const s = await platformScan(first.scanId);
      return s?.state === 'completed' ? s : undefined;
    });
    assert.equal(firstOnPlatform.hosts, 1);
    const started = logLines(agentDir, 'agent.log').find(
      (l) => l.msg === 'scan started' && l.scanId === first.scanId,
    );
    assert.equal(started?.source, 'schedule first', 'logged as the schedule’s, not the platform’s');

    // 2. The platform stops (SIGTERM by PID); a schedule added now by the CLI still runs.
    await platform!.stop();
    platform = null;
    await addCronSchedule('second');
    const second = await waitFor(`the run during the outage; ${why()}`, () =>
      finishedRun('second'),
    );
    assert.equal(second.state, 'completed');
    assert.ok(existsSync(join(agentDir, 'results', `${second.scanId}.json`)));
    assert.ok((await outboxPending()) >= 1, 'its records wait in the outbox');
    const down = await waitFor('agent status to show the channel down', async () => {
      const s = await status();
      return s.channel.state !== 'connected' ? s : undefined;
    });
    assert.equal(down.running, true);
    assert.equal(down.integration?.name, 'e2e');
    assert.ok(daemonAlive(), `the daemon kept running; ${why()}`);

    // 3. The platform restarts on the same port and data directory: the outbox drains.
    await startPlatform();
    await waitFor('the outbox to drain after the outage', async () =>
      (await outboxPending()) === 0 ? true : undefined,
    );
    const secondOnPlatform = await waitFor('the outage scan on the platform', async () => {
      const s = await platformScan(second.scanId);
      return s?.state === 'completed' ? s : undefined;
    });
    assert.equal(secondOnPlatform.hosts, 1);
    const scans = await platformList<PlatformScan>('/api/discovery/scans');
    for (const id of [first.scanId, second.scanId]) {
      const rows = scans.filter((s) => s.scanId === id);
      assert.equal(rows.length, 1, `scan ${id} is on the platform once`);
      assert.equal(rows[0]!.batchesReceived, rows[0]!.batchesExpected, `scan ${id}: every batch`);
    }
    const cis = await platformList<PlatformCi>('/api/cmdb/ci');
    const loopbackCis = cis.filter((c) => c.addresses.includes('127.0.0.1'));
    assert.equal(loopbackCis.length, 1, 'the loopback host is one CI after two uploads of it');

    // 4. A long scan handed to the daemon by run-now, then SIGTERM while it waits on the silent
    // peer, after the answering one was recorded.
    const long = await agent([
      'schedule',
      'add',
      '--name',
      'long',
      '--targets',
      '127.0.0.1,127.0.0.2',
      '--ports',
      `T:${listenerPort},${SILENT_PORT}`,
      '--protocols',
      'none',
      '--every-hours',
      '24',
      '--disabled',
    ]);
    assert.equal(long.code, 0, long.err);
    const handed = await agent(['schedule', 'run-now', 'long']);
    assert.equal(handed.code, 0, handed.err);
    const scanId = /as scan ([0-9a-f-]{36})/.exec(handed.out)?.[1];
    assert.ok(scanId, `run-now names the daemon's scan: ${handed.out}`);
    const store = openStore(dataDirLayout(agentDir));
    try {
      await waitFor('the long scan to record its first host', () =>
        (store.scans.get(scanId)?.hosts ?? 0) >= 1 ? true : undefined,
      );
      assert.equal(store.scans.get(scanId)?.state, 'running', 'still running at SIGTERM');
      child.kill('SIGTERM');
      const exit = await waitFor('the daemon to exit after SIGTERM', () =>
        Promise.race([
          daemonExit,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000)),
        ]),
      );
      assert.deepEqual(exit, { code: 0, signal: null }, why());
      const row = store.scans.get(scanId);
      assert.equal(row?.state, 'cancelled');
      assert.equal(row?.source?.kind, 'schedule');
      assert.equal(row?.source?.scheduleName, 'long');
      assert.ok((row?.batches ?? 0) >= 1, 'what it found was queued');
    } finally {
      store.close();
    }
    const results = JSON.parse(
      readFileSync(join(agentDir, 'results', `${scanId}.json`), 'utf8'),
    ) as { hosts: { address: string }[]; scan: { state: string } };
    assert.equal(results.scan.state, 'cancelled');
    assert.ok(results.hosts.some((h) => h.address === '127.0.0.1'));
    const service = logLines(agentDir, 'service.log');
    assert.equal(service.find((l) => l.msg === 'stop requested')?.reason, 'interrupted by SIGTERM');
    const flush = service.find((l) => l.msg === 'final upload') as
      { sent: number; pending: number } | undefined;
    assert.ok(
      flush && flush.pending === 0,
      `the final upload sent the checkpoint: ${JSON.stringify(flush)}`,
    );
    assert.ok(service.some((l) => l.msg === 'daemon stopped'));
    const cancelledOnPlatform = await platformScan(scanId);
    assert.equal(cancelledOnPlatform?.state, 'cancelled');
    assert.ok((cancelledOnPlatform?.hosts ?? 0) >= 1);
    const runsLog = logLines(agentDir, 'scheduler.log');
    assert.ok(
      runsLog.some(
        (l) => l.msg === 'schedule run started' && l.schedule === 'long' && l.trigger === 'run-now',
      ),
      'run-now from the CLI ran in the daemon',
    );
  });
});
