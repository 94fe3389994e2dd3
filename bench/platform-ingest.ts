// Bench: ingest of 10,000 host records through the platform's HTTP API (the real
// `nopesight-platform serve` process on loopback) into SQLite and into PostgreSQL; prints
// records per second. There is no reference tool for this figure. No lab needed.
//   node --import tsx bench/platform-ingest.ts [--runs N] [--store=sqlite|postgres|both]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minMedMax, parseBenchArgs } from './lib/bench-lib.js';
import { buildWorkload, type IngestWorkload } from './lib/platform-ingest-data.js';
import {
  pgUnavailableReason,
  startPgCluster,
} from '../packages/platform/src/testing/pg-cluster.js';
import {
  buildPlatform,
  runCli,
  startServe,
} from '../packages/platform/src/testing/serve-process.js';

const AGENT = 'bench-agent';

function cli(args: string[], env: NodeJS.ProcessEnv): string {
  const r = runCli(args, env);
  if (r.status !== 0) throw new Error(`nopesight-platform ${args.join(' ')}: ${r.stderr}`);
  return r.last;
}

/** One run: a fresh store, tokens from the CLI, every batch uploaded in order; checked after. */
async function run(
  w: IngestWorkload,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; cis: number; duplicates: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nopesight-bench-platform-'));
  try {
    const token = cli(
      ['token', 'create', '--name', 'bench', '--agent-id', AGENT, '--data-dir', dataDir],
      env,
    );
    const admin = cli(
      ['token', 'create', '--name', 'ops', '--role', 'admin', '--data-dir', dataDir],
      env,
    );
    const srv = await startServe(['--port', '0', '--data-dir', dataDir], env);
    try {
      const headers = {
        authorization: `Bearer ${token}`,
        'x-agent-id': AGENT,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      };
      const started = performance.now();
      for (const b of w.batches) {
        const res = await fetch(`${srv.url}/api/discovery/scan-data`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': b.key },
          body: b.body,
        });
        const body = (await res.json()) as { accepted?: number };
        if (res.status !== 200 || body.accepted !== b.hosts)
          throw new Error(`batch ${b.key}: ${res.status} ${JSON.stringify(body)}`);
      }
      const ms = performance.now() - started;
      // Correctness: each machine one CI, and a resent batch changes nothing.
      const again = await fetch(`${srv.url}/api/discovery/scan-data`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': w.batches[0]!.key },
        body: w.batches[0]!.body,
      });
      const dup = ((await again.json()) as { duplicate?: boolean }).duplicate ? 1 : 0;
      const cis = await fetch(`${srv.url}/api/cmdb/ci?limit=1`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const total = ((await cis.json()) as { pagination: { total: number } }).pagination.total;
      return { ms, cis: total, duplicates: dup };
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { runs } = parseBenchArgs(process.argv.slice(2), 3);
  const storeArg = process.argv.find((a) => a.startsWith('--store='))?.slice(8) ?? 'both';
  buildPlatform();
  const w = buildWorkload(AGENT);
  const gz = w.batches.reduce((n, b) => n + b.body.length, 0);
  console.log(
    `workload: ${w.records} host records in ${w.batches.length} batches (${(w.rawBytes / 2 ** 20).toFixed(1)} MiB JSON, ` +
      `${(gz / 2 ** 20).toFixed(1)} MiB gzip), ${w.expectedCis} machines; uploaded one batch at a time like one agent`,
  );
  console.log('no reference tool: these are absolute figures (records/second), not ratios');
  let failed = false;
  const stores: ('sqlite' | 'postgres')[] =
    storeArg === 'both' ? ['sqlite', 'postgres'] : [storeArg as 'sqlite' | 'postgres'];
  for (const store of stores) {
    let env: NodeJS.ProcessEnv = { DATABASE_URL: '' };
    let cluster: Awaited<ReturnType<typeof startPgCluster>> | null = null;
    if (store === 'postgres') {
      const why = pgUnavailableReason();
      if (why) {
        console.log(`postgres: skipped (${why})`);
        continue;
      }
      cluster = await startPgCluster();
    }
    try {
      const rates: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (cluster)
          env = { DATABASE_URL: await cluster.createDatabase(`bench_${process.pid}_${i}`) };
        const r = await run(w, env);
        const ok = r.cis === w.expectedCis && r.duplicates === 1;
        failed ||= !ok;
        const rate = w.records / (r.ms / 1000);
        rates.push(rate);
        console.log(
          `${store} run ${i + 1}: ${(r.ms / 1000).toFixed(2)} s, ${rate.toFixed(0)} records/s; ` +
            `CIs ${r.cis} (expected ${w.expectedCis}), resend ${r.duplicates ? 'duplicate' : 'NOT duplicate'}${ok ? '' : '  WRONG'}`,
        );
      }
      const s = minMedMax(rates);
      console.log(
        `${store}: records/s min ${s.min.toFixed(0)}  median ${s.median.toFixed(0)}  max ${s.max.toFixed(0)}`,
      );
    } finally {
      await cluster?.stop();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
