// Bench driver: one Windows inventory over 445 through the compiled agent's collectWindowsHost, the
// scan's own path for a host with only 445 open (login, IPC$, the collection, logoff), counted by
// windows-counters.mjs. Prints one JSON line: in-process time, the counts, the compared sets.
// usage: BENCH_WINDOWS_PASSWORD=… node bench/lib/windows-inventory-driver.mjs HOST USER
/* global AbortSignal -- a Node global; eslint treats .mjs as plain ES */
import { performance } from 'node:perf_hooks';
import { nullLogger } from '../../packages/agent/dist/log/logger.js';
import { collectWindowsHost } from '../../packages/agent/dist/scan/windows-host.js';
import { installWindowsCounters } from './windows-counters.mjs';

const [host, username] = process.argv.slice(2);
const password = process.env.BENCH_WINDOWS_PASSWORD;
if (!host || !username || !password)
  throw new Error('usage: HOST USER, BENCH_WINDOWS_PASSWORD set');
const counts = installWindowsCounters();
const at = new Date(0).toISOString();
const unlocked = {
  credential: {
    ...{ id: '00000000-0000-4000-8000-000000000445', name: 'bench', kind: 'windows', scope: [] },
    ...{ username, domain: '.', createdAt: at, updatedAt: at },
  },
  secrets: { password },
};

const started = performance.now();
const outcome = await collectWindowsHost(unlocked, host, {
  signal: AbortSignal.timeout(150_000),
  loginTimeoutMs: 10_000,
  callTimeoutMs: 10_000,
  collectTimeoutMs: 120_000,
  openTcp: [445],
  log: nullLogger(),
});
const ms = performance.now() - started;
const inv = outcome.inventory;
const ci = inv?.ci;
const sorted = (list) => [...new Set(list)].sort();
process.stdout.write(
  JSON.stringify({
    ms: Math.round(ms),
    loginMs: counts.firstBindAt === null ? null : Math.round(counts.firstBindAt - started),
    status: outcome.attempt.status,
    error: inv?.error?.code ?? null,
    sections: inv?.sections ?? {},
    counts: {
      ...counts,
      services: ci?.services.length ?? 0,
      users: ci?.users.length ?? 0,
      groups: ci?.groups.length ?? 0,
      members: (ci?.groups ?? []).reduce((n, g) => n + g.members.length, 0),
      shares: ci?.shares.length ?? 0,
    },
    sets: {
      software: sorted((ci?.software ?? []).map((s) => s.name)),
      hotfixes: sorted((ci?.os?.patches ?? []).map((p) => p.id)),
      services: sorted((ci?.services ?? []).map((s) => s.name)),
      users: sorted((ci?.users ?? []).map((u) => u.name)),
      groups: sorted((ci?.groups ?? []).map((g) => g.name)),
      shares: sorted((ci?.shares ?? []).map((s) => s.name)),
    },
  }) + '\n',
);
