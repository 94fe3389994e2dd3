// /api/scans: start and cancel GUI scans (scan-runner.ts), the history (results/*.json, newest
// first, with who started each when known), one scan's hosts and one host's record.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { readScanSpec } from '../../../platform/scan-spec.js';
import type { GuiContext, Route } from '../context.js';
import { badRequest, notFound, onlyFields } from '../http.js';
import {
  hostSummary,
  isScanId,
  listResultFiles,
  readResults,
  SummaryCache,
  type HostSummary,
  type ResultFile,
} from '../results.js';
import type { RunningScan } from '../scan-runner.js';
import {
  protocolAttempts,
  protocolSuccessRate,
  scanTotals as totalsOf,
} from '../../../scan/scan-stats.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const DEFAULT_HOSTS = 5000;
const MAX_HOSTS = 20_000;

const summaries = new WeakMap<GuiContext, SummaryCache>();

function cache(ctx: GuiContext): SummaryCache {
  let c = summaries.get(ctx);
  if (!c) {
    c = new SummaryCache();
    summaries.set(ctx, c);
  }
  return c;
}

function intParam(query: URLSearchParams, key: string, fallback: number, max: number): number {
  const text = query.get(key);
  if (text === null) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw badRequest(`${key} must be a whole number from 1 to ${max}`, key);
  }
  return Number(text);
}

type Source = 'cli' | 'gui' | 'schedule' | 'platform';

/** A history row: the summary, who started it (when known), and its protocol success
 * (scan-stats.ts: attempts that succeeded / attempts; null when none was tried). */
function historyRow(
  summary: ScanSummary,
  source: { kind: Source; scheduleId?: string; scheduleName?: string } | null | undefined,
) {
  return {
    ...summary,
    ...(source
      ? {
          source: source.kind,
          ...(source.scheduleName ? { scheduleName: source.scheduleName } : {}),
          ...(source.scheduleId ? { scheduleId: source.scheduleId } : {}),
        }
      : {}),
    protocolAttempts: protocolAttempts(summary),
    successRate: protocolSuccessRate(summary),
  };
}

const listings = new WeakMap<GuiContext, { mtimeMs: number; files: ResultFile[] }>();

/**
 * results/'s finished files, listed again only when the directory changed (a results document
 * appears by rename and leaves by unlink, both of which move the directory's mtime).
 */
async function resultFiles(ctx: GuiContext): Promise<ResultFile[]> {
  const info = await stat(ctx.dir.resultsDir).catch(() => null);
  const known = listings.get(ctx);
  if (info && known && known.mtimeMs === info.mtimeMs) return known.files;
  const files = await listResultFiles(ctx.dir.resultsDir);
  if (info) listings.set(ctx, { mtimeMs: info.mtimeMs, files });
  return files;
}

/**
 * The newest `limit` scans: the store's history (every scan with who started it), then, when
 * it has fewer, results files it does not know (scans recorded before it kept them all).
 */
export async function scanHistory(ctx: GuiContext, limit: number) {
  const rows = ctx.store.scans
    .list({ limit })
    .filter((r) => r.state !== 'running' || r.id !== ctx.scans.current?.scanId)
    .map((r) =>
      historyRow(r.summary ?? { ...(r.initial ?? runningRow(r)), state: r.state }, r.source),
    );
  if (rows.length >= limit) return rows;
  const known = new Set(rows.map((r) => r.scanId));
  for (const file of await resultFiles(ctx)) {
    if (rows.length >= limit) break;
    if (known.has(file.scanId)) continue;
    const summary = await cache(ctx).get(file);
    if (summary) rows.push(historyRow(summary, ctx.store.scans.get(summary.scanId)?.source));
  }
  return rows;
}

/** A row's summary when it has none yet (a running scan recorded without its start summary). */
function runningRow(r: {
  id: string;
  state: ScanSummary['state'];
  startedAt: string;
}): ScanSummary {
  return {
    scanId: r.id,
    state: r.state,
    startedAt: r.startedAt,
    finishedAt: null,
    durationMs: 0,
    targets: [],
    excludes: [],
    ports: { tcp: [], udp: [] },
    protocols: [],
    counts: { swept: 0, alive: 0, collected: 0 },
    statuses: {},
  };
}

/** Counts over the scans the store remembers (what the Status tab shows; scan-stats.ts). */
export function scanTotals(ctx: GuiContext) {
  return totalsOf(ctx.store.scans.stateCounts());
}

/** The running scan as a summary (state running, counts so far). */
function runningSummary(scan: RunningScan): ScanSummary & { source: string } {
  return {
    scanId: scan.scanId,
    state: 'running',
    startedAt: scan.startedAt,
    finishedAt: null,
    durationMs: scan.progress.elapsedMs,
    targets: scan.targets,
    excludes: scan.excludes,
    ports: scan.ports,
    protocols: scan.protocols,
    counts: {
      swept: scan.progress.swept,
      alive: scan.progress.alive,
      collected: scan.progress.collected,
    },
    statuses: {},
    source: scan.source,
  };
}

function scanIdParam(id: string | undefined): string {
  if (id === undefined || !isScanId(id)) throw notFound(`no scan '${id ?? ''}'`);
  return id;
}

export const scanRoutes: Route[] = [
  {
    method: 'POST',
    path: '/scans',
    fieldOf: (m) =>
      /^excludes/.test(m)
        ? 'excludes'
        : /^protocols|--protocols/.test(m)
          ? 'protocols'
          : /^ports|--ports/.test(m)
            ? 'ports'
            : 'targets',
    async handle(ctx, r) {
      const body = await r.body();
      onlyFields(body, ['targets', 'excludes', 'protocols', 'ports']);
      const spec = readScanSpec(body);
      const scanId = await ctx.scans.start(
        {
          targets: spec.targets.map((t) => t.trim()).filter((t) => t !== ''),
          excludes: spec.excludes.map((t) => t.trim()).filter((t) => t !== ''),
          ...(spec.protocols !== undefined ? { protocols: spec.protocols } : {}),
          ...(spec.ports !== undefined && spec.ports.trim() !== '' ? { ports: spec.ports } : {}),
          source: 'gui',
        },
        ctx.signal,
      );
      return { status: 202, body: { scanId } };
    },
  },
  {
    method: 'POST',
    path: '/scans/:id/cancel',
    async handle(ctx, r) {
      ctx.scans.cancel(scanIdParam(r.params.id));
      return { status: 202, body: { scanId: r.params.id } };
    },
  },
  {
    method: 'GET',
    path: '/scans',
    async handle(ctx, r) {
      const limit = intParam(r.query, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
      const cur = ctx.scans.current;
      return {
        status: 200,
        body: {
          scans: await scanHistory(ctx, limit),
          current: cur ? { scanId: cur.scanId, progress: cur.progress, source: cur.source } : null,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/scans/:id',
    async handle(ctx, r) {
      const id = scanIdParam(r.params.id);
      const max = intParam(r.query, 'limit', DEFAULT_HOSTS, MAX_HOSTS);
      const cur = ctx.scans.current;
      if (cur?.scanId === id) {
        return {
          status: 200,
          body: {
            scan: runningSummary(cur),
            hosts: cur.hosts.slice(0, max),
            total: cur.progress.collected,
            truncated: cur.hostsTruncated || cur.hosts.length > max,
          },
        };
      }
      const hosts: HostSummary[] = [];
      let total = 0;
      const read = await readResults(join(ctx.dir.resultsDir, `${id}.json`), (record) => {
        total++;
        if (hosts.length < max) hosts.push(hostSummary(record));
      });
      if (!read?.summary) throw notFound(`no results for scan ${id}`);
      return {
        status: 200,
        body: {
          scan: historyRow(read.summary, ctx.store.scans.get(id)?.source),
          hosts,
          total,
          truncated: total > hosts.length,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/scans/:id/hosts/:address',
    async handle(ctx, r) {
      const id = scanIdParam(r.params.id);
      const address = r.params.address!;
      // The running scan's document is written under a temporary name (result-writers.ts).
      const path =
        ctx.scans.current?.scanId === id
          ? join(ctx.dir.resultsDir, `${id}.json.${process.pid}.tmp`)
          : join(ctx.dir.resultsDir, `${id}.json`);
      let found: HostRecord | null = null;
      const read = await readResults(path, (record) => {
        if (record.address !== address) return true;
        found = record;
        return false;
      });
      if (!read) throw notFound(`no results for scan ${id}`);
      if (!found) throw notFound(`no host ${address} in scan ${id}`);
      return { status: 200, body: { host: found } };
    },
  },
];
