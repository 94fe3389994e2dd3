// The upload path end to end with both real processes, inside the lab's scanner namespace: the
// `nopesight-platform serve` process on 127.0.0.1 (tokens from its CLI) and the agent's CLI
// (`integration add`, `credentials add`, `scan`, `uploads flush|status`) scanning lab hosts.
//   1. A scan of the SSH and SNMP hosts and a discovery scan of the bulk /22 upload as they end;
//      the platform shows one CI per scanned machine, with the identities the records carry.
//      That uninterrupted run is the reference the other cases are compared with.
//   2. With the platform down, the same scans (the bulk /22 twice) queue 7 batches; a copy of
//      that agent data directory (the "snapshot") feeds each case below, on a fresh platform:
//   (a) the platform SIGKILLed part-way through a flush and restarted on its data directory;
//   (b) `uploads flush` (its own process) SIGKILLed at random points for a bounded number of
//       rounds;
//   (c) a wrong token and a token bound to another agent: a clear ERR_PLATFORM_AUTH, the outbox
//       kept whole; with the right token the flush delivers it.
// After recovery the platform must hold the reference run's CIs (same count, same addresses and
// identities, no duplicates) and each scan's hosts counted once. Kill points come from a seeded
// PRNG (NOPESIGHT_E2E_SEED replays one); every wait is a bounded poll; nothing asserts a time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostRecord } from '@nopesight/model';
import { runCli, type CliRun } from '../../../../test/support/cli-io.js';
import { stopChild } from '../../../../test/support/child-process.js';
import { BULK_CIDR, BULK_COUNT, HOSTS, SNMP, SSH_USERS } from '../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../test/lab/lab.js';
import {
  buildPlatform,
  runCli as runPlatformCli,
  startServe,
  type ServeProcess,
} from '../../../platform/src/testing/serve-process.js';
import { seededRandom } from '../../../platform/src/testing/random.js';
import type { PlatformCi, PlatformScan } from './testdata/reference-platform.js';

const AGENT_ID = 'e2e-agent';
const ROOT = new URL('../../../../', import.meta.url).pathname;
const CLI_CHILD = new URL('./testdata/cli-child.ts', import.meta.url).pathname;
/** The platform on SQLite whatever the environment says. */
const PLATFORM_ENV = { DATABASE_URL: '' };
const KILL_ROUNDS = 6;
/** Polls of the platform while waiting for a kill point: 20 ms apart, 60 s at most. */
const MAX_POLLS = 3000;

/**
 * One platform: its data directory and tokens, and its `serve` process when running. The first
 * start picks a free port; a restart listens on the same one (the agent's integration names it).
 */
class PlatformProcess {
  readonly dataDir: string;
  port = 0;
  readonly agentToken: string;
  readonly adminToken: string;
  serve: ServeProcess | null = null;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.agentToken = this.cli(['token', 'create', '--name', 'agent', '--agent-id', AGENT_ID]);
    this.adminToken = this.cli(['token', 'create', '--name', 'ops', '--role', 'admin']);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `nopesight-platform ARGS --data-dir DIR`; its last line. */
  cli(args: string[]): string {
    const r = runPlatformCli([...args, '--data-dir', this.dataDir], PLATFORM_ENV);
    assert.equal(r.status, 0, r.stderr);
    return r.last;
  }

  async start(): Promise<void> {
    this.serve = await startServe(
      ['--port', String(this.port), '--data-dir', this.dataDir],
      PLATFORM_ENV,
    );
    this.port = Number(new URL(this.serve.url).port);
  }

  /** SIGKILL by PID; resolves once the process is gone. */
  async kill9(): Promise<void> {
    const child = this.serve!.child;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    await gone;
    this.serve = null;
  }

  async stop(): Promise<void> {
    if (this.serve) await this.serve.stop();
    this.serve = null;
  }

  /** Every row of an operator list (500 a page, at most 20 pages). */
  async list<T>(path: string): Promise<T[]> {
    const rows: T[] = [];
    for (let page = 1; page <= 20; page++) {
      const res = await fetch(`${this.url}${path}?page=${page}&limit=500`, {
        headers: { authorization: `Bearer ${this.adminToken}` },
      });
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      const doc = (await res.json()) as { data: T[]; pagination: { total: number } };
      rows.push(...doc.data);
      if (rows.length >= doc.pagination.total || doc.data.length === 0) break;
    }
    return rows;
  }

  cis(): Promise<PlatformCi[]> {
    return this.list<PlatformCi>('/api/cmdb/ci');
  }

  scans(): Promise<PlatformScan[]> {
    return this.list<PlatformScan>('/api/discovery/scans');
  }

  /** Batches the platform has stored so far, all scans together. */
  async batchesStored(): Promise<number> {
    return (await this.scans()).reduce((n, s) => n + s.batchesReceived, 0);
  }
}

/** What a platform holds, comparable between runs: address → CI facts, and per-scan hosts. */
interface Holding {
  byAddress: Map<string, { type: string; name: string; hostname: string | null }>;
  cis: number;
}

async function holding(p: PlatformProcess): Promise<Holding> {
  const cis = await p.cis();
  const byAddress = new Map<string, { type: string; name: string; hostname: string | null }>();
  for (const ci of cis) {
    for (const address of ci.addresses) {
      assert.ok(!byAddress.has(address), `${address} is on two CIs: a duplicate`);
      byAddress.set(address, { type: ci.type, name: ci.name, hostname: ci.identity.hostname });
    }
  }
  return { byAddress, cis: cis.length };
}

describe('uploads end to end: the agent CLI, the lab and the platform process', labOnly(), () => {
  const seed = Number(process.env.NOPESIGHT_E2E_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  let work = '';
  const platforms: PlatformProcess[] = [];
  const children: ChildProcess[] = [];
  let dirs = 0;
  /** The agent data directory of step 1 (then step 2, with its outbox full). */
  let agentDir = '';
  /** A copy of agentDir with the 7 batches queued: each case starts from it. */
  let snapshot = '';
  /** The reference: what the platform of the uninterrupted run holds. */
  let reference: Holding | null = null;
  /** The records each queued scan holds (the snapshot's scans), for the scan logs. */
  const queuedHosts: number[] = [];
  let queuedBatches = 0;

  const agent = (dir: string, args: string[], stdin?: object): Promise<CliRun> =>
    runCli(dir, args, stdin);
  const newPlatform = async (): Promise<PlatformProcess> => {
    const p = new PlatformProcess(join(work, `platform-${++dirs}`));
    platforms.push(p);
    return p;
  };
  const connect = async (dir: string, p: PlatformProcess, token = p.agentToken) => {
    const r = await agent(
      dir,
      [
        'integration',
        'add',
        '--name',
        'e2e',
        '--api-url',
        p.url,
        '--agent-id',
        AGENT_ID,
        '--stdin',
      ],
      { apiToken: token },
    );
    assert.equal(r.code, 0, r.err);
  };
  const status = async (dir: string) => {
    const r = await agent(dir, ['uploads', 'status', '--json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as { pending: number; deadLetters: number; lastError: string | null };
  };
  const scan = async (
    dir: string,
    args: string[],
  ): Promise<{ hosts: HostRecord[]; err: string }> => {
    const r = await agent(dir, ['scan', ...args, '--no-dns', '--no-progress', '--json', '-']);
    assert.equal(r.code, 0, r.err);
    return { hosts: (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts, err: r.err };
  };
  const labScan = (dir: string) => scan(dir, [HOSTS.ssh, HOSTS.snmp]);
  const bulkScan = (dir: string) =>
    scan(dir, [BULK_CIDR, '--protocols', 'none', '--ports', '22', '--no-fingerprint', '--no-icmp']);
  /** A fresh agent data directory holding the snapshot's outbox. */
  const fromSnapshot = (name: string): string => {
    const dir = join(work, name);
    cpSync(snapshot, dir, { recursive: true });
    return dir;
  };
  /** The platform holds the reference run's CIs, and each queued scan's hosts once. */
  const assertRecovered = async (p: PlatformProcess, dir: string) => {
    const got = await holding(p);
    assert.ok(reference);
    assert.equal(got.cis, reference.cis, 'the CI count of the uninterrupted run');
    assert.deepEqual(got.byAddress, reference.byAddress);
    const scans = await p.scans();
    assert.deepEqual(
      scans.map((s) => s.hosts).sort((a, b) => a - b),
      [...queuedHosts].sort((a, b) => a - b),
      'each scan counts each host once',
    );
    for (const s of scans) {
      assert.equal(s.state, 'completed', s.scanId);
      assert.equal(s.batchesReceived, s.batchesExpected, s.scanId);
    }
    const st = await status(dir);
    assert.equal(st.pending, 0);
    assert.equal(st.deadLetters, 0);
  };
  /** Polls until the platform has stored at least `n` batches or `done()`; bounded. */
  const waitForStored = async (p: PlatformProcess, n: number, done: () => boolean) => {
    for (let i = 0; i < MAX_POLLS && !done(); i++) {
      if ((await p.batchesStored()) >= n) return true;
      await sleep(20);
    }
    return false;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nopesight-e2e-upload-'));
    agentDir = join(work, 'agent');
    snapshot = join(work, 'snapshot');
    buildPlatform();
    for (const [args, secret] of [
      [
        [
          'ssh',
          '--name',
          'lab-admin',
          '--username',
          SSH_USERS.admin.username,
          '--scope',
          HOSTS.ssh,
        ],
        { password: SSH_USERS.admin.password },
      ],
      [
        ['snmp', '--name', 'lab-v2c', '--snmp-version', '2c', '--scope', HOSTS.snmp],
        { community: SNMP.community },
      ],
    ] as const) {
      const r = await agent(agentDir, ['credentials', 'add', ...args, '--stdin'], secret);
      assert.equal(r.code, 0, r.err);
    }
  });
  after(async () => {
    for (const c of children) await stopChild(c);
    for (const p of platforms) await p.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a scan uploads as it ends and the platform shows the scanned machines as CIs', async (t) => {
    const p = await newPlatform();
    await p.start();
    await connect(agentDir, p);
    const tested = await agent(agentDir, ['integration', 'test']);
    assert.equal(tested.code, 0, tested.err);
    assert.match(tested.out, new RegExp(`as agent ${AGENT_ID} .*status online.*protocol 1`));

    const lab = await labScan(agentDir);
    assert.match(lab.err, /upload: sent to 'e2e' \(1 batch\)/);
    assert.deepEqual(lab.hosts.map((h) => h.address).sort(), [HOSTS.ssh, HOSTS.snmp]);
    const bulk = await bulkScan(agentDir);
    assert.equal(bulk.hosts.length, BULK_COUNT);
    assert.match(bulk.err, /upload: sent to 'e2e' \(3 batches\)/);

    const cis = await p.cis();
    const records = [...lab.hosts, ...bulk.hosts];
    assert.equal(cis.length, records.length, 'one CI per scanned machine');
    for (const record of records) {
      const ci = cis.filter((c) => c.addresses.includes(record.address));
      assert.equal(ci.length, 1, `${record.address} is on one CI`);
      assert.equal(ci[0]!.type, record.ci.type, record.address);
      const id = record.ci.identity;
      assert.equal(ci[0]!.identity.hostname, id.hostname, record.address);
      assert.equal(ci[0]!.identity.serial, id.serial, record.address);
      assert.equal(ci[0]!.identity.systemUuid, id.systemUuid?.toLowerCase() ?? null);
    }
    const ssh = cis.find((c) => c.addresses.includes(HOSTS.ssh))!;
    assert.equal(ssh.type, 'server');
    assert.equal(ssh.identity.hostname, 'lab-ssh');
    const snmp = cis.find((c) => c.addresses.includes(HOSTS.snmp))!;
    assert.equal(snmp.identity.hostname, 'lab-snmp');
    const scans = await p.scans();
    assert.deepEqual(
      scans.map((s) => s.hosts).sort((a, b) => a - b),
      [2, BULK_COUNT],
    );
    for (const s of scans) assert.equal(s.batchesReceived, s.batchesExpected);

    reference = await holding(p);
    t.diagnostic(`reference: ${reference.cis} CIs from ${records.length} host records`);
    await p.stop();
  });

  test('with the platform down the scans queue their batches (the snapshot for the cases)', async () => {
    // agentDir's integration still names the stopped platform: every upload fails, once.
    const lab = await labScan(agentDir);
    assert.match(lab.err, /upload: ERR_UNREACHABLE: .*1 batch kept in the outbox/);
    queuedHosts.push(lab.hosts.length);
    for (let i = 0; i < 2; i++) {
      const bulk = await bulkScan(agentDir);
      assert.match(bulk.err, /upload: ERR_UNREACHABLE: .*batches kept in the outbox/);
      queuedHosts.push(bulk.hosts.length);
    }
    const st = await status(agentDir);
    assert.equal(st.pending, 7, '1 + 3 + 3 batches');
    assert.equal(st.deadLetters, 0);
    assert.match(st.lastError ?? '', /ERR_UNREACHABLE/);
    queuedBatches = st.pending;
    cpSync(agentDir, snapshot, { recursive: true });
  });

  test(`(a) the platform SIGKILLed mid-upload and restarted: the CIs of the uninterrupted run (seed ${seed})`, async (t) => {
    const dir = fromSnapshot('agent-a');
    const p = await newPlatform();
    await p.start();
    await connect(dir, p);
    // Kill once 1..4 of the 7 batches are stored, a random moment later.
    const killAt = 1 + Math.floor(random() * (queuedBatches - 3));
    let flushed = false;
    const flush = agent(dir, ['uploads', 'flush']).finally(() => (flushed = true));
    assert.ok(await waitForStored(p, killAt, () => flushed), 'the flush was under way');
    await sleep(Math.floor(random() * 50));
    const storedBeforeKill = await p.batchesStored();
    await p.kill9();
    const first = await flush;
    assert.equal(first.code, 1, 'the flush could not finish');
    assert.match(first.err, /ERR_UNREACHABLE/);
    const kept = (await status(dir)).pending;
    assert.ok(kept > 0, 'batches were left for later: the kill was mid-upload');
    t.diagnostic(`killed after ${storedBeforeKill} stored batches; ${kept} left in the outbox`);

    await p.start();
    assert.ok((await p.batchesStored()) >= storedBeforeKill, 'acknowledged batches survived');
    const again = await agent(dir, ['uploads', 'flush']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /pending 0; dead letters 0/);
    await assertRecovered(p, dir);
    await p.stop();
  });

  test(`(b) uploads flush SIGKILLed mid-drain, round after round: no batch lost, none applied twice (seed ${seed})`, async (t) => {
    const dir = fromSnapshot('agent-b');
    const p = await newPlatform();
    await p.start();
    await connect(dir, p);
    let kills = 0;
    /** Kills after which some batches of the round were stored and some were still queued. */
    let midDrain = 0;
    const rounds: string[] = [];
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const storedAtStart = await p.batchesStored();
      if (storedAtStart >= queuedBatches) break;
      const child = spawn(process.execPath, ['--import', 'tsx', CLI_CHILD, 'uploads', 'flush'], {
        cwd: ROOT,
        env: { ...process.env, NOPESIGHT_DATA_DIR: dir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
        child.once('exit', (code, signal) => r({ code, signal })),
      );
      let done = false;
      void exited.then(() => (done = true));
      // 0 = before its first batch is stored; else after 1 or 2 more; then a random moment.
      const more = Math.floor(random() * 3);
      await waitForStored(p, storedAtStart + more, () => done);
      await sleep(Math.floor(random() * 40));
      const killed = !done;
      if (killed) process.kill(child.pid!, 'SIGKILL');
      const end = await exited;
      if (end.signal === 'SIGKILL') kills++;
      else assert.equal(end.code, 0, err);
      // Never lost: what the platform lacks is still in the outbox.
      const st = await status(dir);
      const stored = await p.batchesStored();
      assert.equal(st.deadLetters, 0);
      assert.ok(st.pending + stored >= queuedBatches, `round ${round}`);
      if (end.signal === 'SIGKILL' && stored > storedAtStart && st.pending > 0) midDrain++;
      rounds.push(
        `${end.signal ?? `exit ${end.code}`}: stored ${storedAtStart}→${stored}, queued ${st.pending}`,
      );
    }
    t.diagnostic(`rounds: ${rounds.join('; ')}`);
    assert.ok(kills >= 1, 'at least one flush was killed');
    assert.ok(midDrain >= 1, 'at least one flush was killed between two batches');
    const last = await agent(dir, ['uploads', 'flush']);
    assert.equal(last.code, 0, last.err);
    t.diagnostic(`${kills} kills; the last flush: ${last.out.trim()}`);
    await assertRecovered(p, dir);
    await p.stop();
  });

  test('(c) a wrong token: ERR_PLATFORM_AUTH, the outbox kept whole; the right one delivers it', async () => {
    const dir = fromSnapshot('agent-c');
    const p = await newPlatform();
    const foreign = p.cli(['token', 'create', '--name', 'foreign', '--agent-id', 'other-agent']);
    await p.start();
    const unknown = 'nst_' + 'W'.repeat(43);
    await connect(dir, p, unknown);
    const tested = await agent(dir, ['integration', 'test']);
    assert.equal(tested.code, 1);
    assert.match(
      tested.err,
      /ERR_PLATFORM_AUTH: the platform refused the token \(401 unauthorized/,
    );
    const flushed = await agent(dir, ['uploads', 'flush']);
    assert.equal(flushed.code, 1);
    assert.match(flushed.err, /ERR_PLATFORM_AUTH: the platform refused the token \(401/);
    assert.ok(!`${tested.err}${flushed.err}${flushed.out}`.includes(unknown), 'token not shown');

    await connect(dir, p, foreign);
    const other = await agent(dir, ['uploads', 'flush']);
    assert.equal(other.code, 1);
    assert.match(other.err, /ERR_PLATFORM_AUTH: .*403 forbidden.*another agent/);

    const st = await status(dir);
    assert.equal(st.pending, queuedBatches, 'every batch kept');
    assert.equal(st.deadLetters, 0);
    assert.match(st.lastError ?? '', /ERR_PLATFORM_AUTH/);
    assert.equal((await p.cis()).length, 0);
    assert.equal((await p.scans()).length, 0);

    await connect(dir, p);
    const ok = await agent(dir, ['uploads', 'flush']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(`sent ${queuedBatches} batches; pending 0; dead letters 0`));
    await assertRecovered(p, dir);
    await p.stop();
  });
});
