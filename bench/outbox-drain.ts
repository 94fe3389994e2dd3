// Bench: the agent's outbox drain rate. 10,000 realistic host records are recorded into a fresh
// agent data directory through the agent's store (batches cut as a scan cuts them), then the real
// CLI's `uploads flush` (compiled, its own process) drains them to the real `nopesight-platform
// serve` on loopback, on SQLite and on PostgreSQL (a private cluster, or DATABASE_URL). Prints
// records/s and batches/s. There is no reference tool for this figure. No lab needed.
//   node --import tsx bench/outbox-drain.ts [--runs N] [--store=sqlite|postgres|both]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minMedMax, parseBenchArgs, ROOT } from './lib/bench-lib.js';
import { drainWorkload, fillOutbox, type DrainWorkload } from './lib/outbox-drain-data.js';
import {
  pgUnavailableReason,
  startPgCluster,
} from '../packages/platform/src/testing/pg-cluster.js';
import {
  buildPlatform,
  runCli as platformCli,
  startServe,
} from '../packages/platform/src/testing/serve-process.js';

const AGENT = 'bench-agent';
const AGENT_BIN = join(ROOT, 'packages/agent/bin/nopesight-scanner.js');

/** The agent CLI (compiled) on `dataDir`; throws with its output unless it exits 0. */
function agentCli(dataDir: string, args: string[], input?: string): { ms: number; out: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [AGENT_BIN, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, NOPESIGHT_DATA_DIR: '' },
  });
  const ms = performance.now() - started;
  if (r.status !== 0) {
    throw new Error(`nopesight-scanner ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return { ms, out: r.stdout };
}

function platformToken(args: string[], env: NodeJS.ProcessEnv): string {
  const r = platformCli(args, env);
  if (r.status !== 0) throw new Error(`nopesight-platform ${args.join(' ')}: ${r.stderr}`);
  return r.last;
}

interface RunResult {
  fillMs: number;
  batches: number;
  flushMs: number;
  /** `uploads status` on the same directory: the CLI's start-up and store opening alone. */
  statusMs: number;
  flushOut: string;
  cis: number;
  hosts: number;
}

/** One run: a fresh agent directory and platform store; the outbox filled, then flushed. */
async function run(w: DrainWorkload, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'nopesight-bench-drain-'));
  try {
    const platformDir = join(work, 'platform');
    const agentDir = join(work, 'agent');
    // The agent's token, then an operator's.
    const [token, admin] = [
      ['--agent-id', AGENT],
      ['--role', 'admin'],
    ].map((extra, i) =>
      platformToken(
        ['token', 'create', '--name', `t${i}`, ...extra, '--data-dir', platformDir],
        env,
      ),
    ) as [string, string];
    const srv = await startServe(['--port', '0', '--data-dir', platformDir], env);
    try {
      agentCli(
        agentDir,
        [
          'integration',
          'add',
          '--name',
          'bench',
          '--api-url',
          srv.url,
          '--agent-id',
          AGENT,
          '--stdin',
        ],
        JSON.stringify({ apiToken: token }),
      );
      const fillStarted = performance.now();
      const batches = fillOutbox(join(agentDir, 'scanner.db'), AGENT, w);
      const fillMs = performance.now() - fillStarted;
      const statusMs = agentCli(agentDir, ['uploads', 'status']).ms;
      const flush = agentCli(agentDir, ['uploads', 'flush']);
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${srv.url}${path}`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        return (await res.json()) as T;
      };
      const cis = await get<{ pagination: { total: number } }>('/api/cmdb/ci?limit=1');
      const scans = await get<{ data: { hosts: number }[] }>('/api/discovery/scans?limit=500');
      return {
        fillMs,
        batches,
        flushMs: flush.ms,
        statusMs,
        flushOut: flush.out.trim(),
        cis: cis.pagination.total,
        hosts: scans.data.reduce((n, s) => n + s.hosts, 0),
      };
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Where each run's platform keeps its data: SQLite (a fresh directory per run), the database of
 * DATABASE_URL (used as it is, so one run: it must be empty), or a new database per run in a
 * private PostgreSQL cluster. A string is why PostgreSQL is skipped.
 */
async function databases(
  store: 'sqlite' | 'postgres',
): Promise<
  { next(run: number): Promise<NodeJS.ProcessEnv>; single: boolean; stop(): Promise<void> } | string
> {
  const given = process.env.DATABASE_URL;
  if (store === 'sqlite') {
    return { next: async () => ({ DATABASE_URL: '' }), single: false, stop: async () => {} };
  }
  if (given)
    return { next: async () => ({ DATABASE_URL: given }), single: true, stop: async () => {} };
  const why = pgUnavailableReason();
  if (why) return why;
  const cluster = await startPgCluster();
  return {
    next: async (run) => ({
      DATABASE_URL: await cluster.createDatabase(`drain_${process.pid}_${run}`),
    }),
    single: false,
    stop: () => cluster.stop(),
  };
}

function buildAgent(): void {
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/agent'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -b packages/agent failed: ${tsc.stdout}${tsc.stderr}`);
}

async function main(): Promise<void> {
  const { runs } = parseBenchArgs(process.argv.slice(2), 3);
  const storeArg = process.argv.find((a) => a.startsWith('--store='))?.slice(8) ?? 'both';
  if (!['sqlite', 'postgres', 'both'].includes(storeArg)) {
    throw new Error('--store must be sqlite, postgres or both');
  }
  buildPlatform();
  buildAgent();
  const w = drainWorkload(AGENT);
  console.log(
    `workload: ${w.records} host records in ${w.scans.size} scans (the platform-ingest fleet), ` +
      `${w.expectedCis} machines; recorded through the agent's store, drained by \`uploads flush\``,
  );
  console.log('no reference tool: these are absolute figures (records/s, batches/s), not ratios');
  let failed = false;
  const stores: ('sqlite' | 'postgres')[] =
    storeArg === 'both' ? ['sqlite', 'postgres'] : [storeArg as 'sqlite' | 'postgres'];
  for (const store of stores) {
    const db = await databases(store);
    if (typeof db === 'string') {
      console.log(`${store}: skipped (${db})`);
      continue;
    }
    try {
      const records: number[] = [];
      const batchRates: number[] = [];
      for (let i = 0; i < (db.single ? 1 : runs); i++) {
        const env = await db.next(i);
        const r = await run(w, env);
        const ok =
          r.cis === w.expectedCis &&
          r.hosts === w.records &&
          new RegExp(`^sent ${r.batches} batches; pending 0; dead letters 0$`).test(r.flushOut);
        failed ||= !ok;
        const rate = w.records / (r.flushMs / 1000);
        const batchRate = r.batches / (r.flushMs / 1000);
        records.push(rate);
        batchRates.push(batchRate);
        console.log(
          `${store} run ${i + 1}: outbox filled in ${(r.fillMs / 1000).toFixed(2)} s ` +
            `(${r.batches} batches); flush ${(r.flushMs / 1000).toFixed(2)} s ` +
            `(CLI start-up alone ${(r.statusMs / 1000).toFixed(2)} s): ${rate.toFixed(0)} records/s, ` +
            `${batchRate.toFixed(1)} batches/s; CIs ${r.cis} (expected ${w.expectedCis}), ` +
            `hosts in scan logs ${r.hosts}; "${r.flushOut}"${ok ? '' : '  WRONG'}`,
        );
      }
      const s = minMedMax(records);
      const b = minMedMax(batchRates);
      console.log(
        `${store}: records/s min ${s.min.toFixed(0)}  median ${s.median.toFixed(0)}  max ${s.max.toFixed(0)}; ` +
          `batches/s min ${b.min.toFixed(1)}  median ${b.median.toFixed(1)}  max ${b.max.toFixed(1)}`,
      );
    } finally {
      await db.stop();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
