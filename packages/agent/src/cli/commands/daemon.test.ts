// `nopesight-scanner daemon` as a real process on a temp data directory: service.log records
// its start, SIGTERM stops it with exit 0 and a stop line; a second daemon on the same directory
// is refused; with an integration whose platform is down it runs the agent and still stops
// cleanly. Waits are bounded by the child's own exit or a generous limit, never asserted on.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '../../../../../test/support/cli-io.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const ROOT = new URL('../../../../../', import.meta.url).pathname;
/** The CLI's main as its own process, from source under tsx (the bin runs the same main from dist). */
const CLI_CHILD = new URL('../../platform/testdata/cli-child.ts', import.meta.url).pathname;
/** Upper bound for a child to start or stop; only reached when something is broken. */
const LIMIT_MS = 60_000;

const root = mkdtempSync(join(tmpdir(), 'nopesight-daemon-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  rmSync(root, { recursive: true, force: true });
});

interface Daemon {
  child: ChildProcess;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: string | null }>;
}

function startDaemon(dataDir: string): Daemon {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_CHILD, 'daemon', '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr, exited };
}

/** Resolves once `log` under `dataDir` has a line with `msg`, or the child exits, or LIMIT_MS. */
async function logLine(
  d: Daemon,
  dataDir: string,
  log: string,
  msg: string,
): Promise<Record<string, unknown> | null> {
  const file = join(dataDir, 'logs', log);
  let gone = false;
  void d.exited.then(() => (gone = true));
  const deadline = Date.now() + LIMIT_MS;
  // Polls every 50 ms: bounded by the deadline and by the child's exit.
  for (;;) {
    const found = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((r) => r.msg === msg)
      : undefined;
    if (found) return found;
    if (gone || Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface StatusJson {
  running: boolean;
  integration?: { name: string } | null;
  channel: { state: string };
}

/** `agent status --json` once `ok` holds (polled every 100 ms up to LIMIT_MS); null if never. */
async function agentStatus(
  dataDir: string,
  ok: (s: StatusJson) => boolean,
): Promise<StatusJson | null> {
  const deadline = Date.now() + LIMIT_MS;
  // Bounded by the deadline.
  while (Date.now() < deadline) {
    const r = await runCli(dataDir, ['agent', 'status', '--json']);
    if (r.out.trim().startsWith('{')) {
      const s = JSON.parse(r.out) as StatusJson;
      if (ok(s)) return s;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function stopped(d: Daemon): Promise<{ code: number | null; signal: string | null }> {
  d.child.kill('SIGTERM');
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), LIMIT_MS).unref());
  const r = await Promise.race([d.exited, timeout]);
  assert.ok(r, `the daemon did not exit after SIGTERM; stderr: ${d.stderr.join('\n')}`);
  return r;
}

describe('daemon as a process', () => {
  test('daemon logs its start, refuses a second daemon, and stops on SIGTERM with exit 0', async () => {
    const dataDir = join(root, 'plain');
    const d = startDaemon(dataDir);
    const started = await logLine(d, dataDir, 'service.log', 'daemon started');
    assert.ok(started, `no start line; stderr: ${d.stderr.join('\n')}`);
    assert.equal(started.pid, d.child.pid);
    assert.equal(started.dataDir, dataDir);
    assert.ok(
      await logLine(
        d,
        dataDir,
        'service.log',
        'no integration is configured: schedules and local scans run; the control channel and uploads start once one is added (nopesight-scanner integration add)',
      ),
    );
    // The agent runs without an integration: agent.log and agent-state.json say so.
    assert.ok(await logLine(d, dataDir, 'agent.log', 'agent started'), d.stderr.join('\n'));
    const state = await agentStatus(dataDir, (s) => s.running && s.integration === null);
    assert.ok(state, 'agent status never showed the running agent without an integration');
    assert.equal(state.channel.state, 'stopped');

    const second = startDaemon(dataDir);
    const r2 = await second.exited;
    assert.equal(r2.code, 1);
    assert.match(
      second.stderr.join('\n'),
      new RegExp(`a daemon already runs on this data directory \\(process ${d.child.pid}\\)`),
    );

    const r = await stopped(d);
    assert.deepEqual(r, { code: 0, signal: null });
    const stop = await logLine(d, dataDir, 'service.log', 'stop requested');
    assert.equal(stop?.reason, 'interrupted by SIGTERM');
    assert.ok(await logLine(d, dataDir, 'service.log', 'daemon stopped'));
    assert.ok(d.stderr.includes('daemon stopped'));
    assert.equal(existsSync(join(dataDir, 'daemon.lock')), false);
  });

  test('daemon runs the agent while the platform is down and still stops cleanly', async () => {
    const dataDir = join(root, 'outage');
    // A port nothing listens on: taken, then closed.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const added = await runCli(
      dataDir,
      [
        'integration',
        'add',
        '--name',
        'down',
        '--api-url',
        `http://127.0.0.1:${port}`,
        '--agent-id',
        'edge-01',
        '--stdin',
      ],
      { apiToken: 'nst_' + 'DaemonT0kenValue'.repeat(2) },
    );
    assert.equal(added.code, 0, added.err);

    const d = startDaemon(dataDir);
    assert.ok(await logLine(d, dataDir, 'service.log', 'agent starting'), d.stderr.join('\n'));
    assert.ok(await logLine(d, dataDir, 'agent.log', 'agent started'), d.stderr.join('\n'));
    const r = await stopped(d);
    assert.deepEqual(r, { code: 0, signal: null });
    assert.ok(await logLine(d, dataDir, 'service.log', 'agent stopped'));
    assert.ok(await logLine(d, dataDir, 'service.log', 'final upload'));
    assert.ok(await logLine(d, dataDir, 'service.log', 'daemon stopped'));
  });
});
