// /api/status and /api/logs: the agent as `agent status` sees it (agent-state.json, whether
// the daemon runs), its metrics as heartbeats carry them, the outbox with its dead letters, the
// scan totals; and the last lines of the five logs, read backwards in bounded chunks.
import { readAgentState } from '../../../platform/agent-runtime.js';
import { tailLog } from '../../../platform/log-tail.js';
import { MetricsCollector } from '../../../platform/metrics.js';
import { LOG_NAMES, type LogName } from '../../../log/logger.js';
import type { GuiContext, Route } from '../context.js';
import { badRequest, notFound } from '../http.js';
import { scanTotals } from './scans.js';

const MAX_DEAD_LETTERS = 50;
export const MAX_LOG_LINES = 2000;
const DEFAULT_LOG_LINES = 200;

const collectors = new WeakMap<GuiContext, MetricsCollector>();

/** The GET /api/status body (also the `status` event). */
export async function statusBody(ctx: GuiContext) {
  let collector = collectors.get(ctx);
  if (!collector) {
    collector = new MetricsCollector({
      dataDir: ctx.dir.root,
      store: ctx.store,
      localIp: () => null,
    });
    collectors.set(ctx, collector);
  }
  const agent = await readAgentState(ctx.dir).catch((err: Error) => ({ error: err.message }));
  const counts = ctx.store.outbox.counts();
  const dead = ctx.store.outbox.list('dead', MAX_DEAD_LETTERS).map((e) => ({
    key: e.key,
    scanId: e.scanId,
    seq: e.seq,
    hosts: e.hosts,
    bytes: e.bytes,
    createdAt: e.createdAt,
    attempts: e.attempts,
    reason: e.lastError === null ? null : ctx.secrets.scrub(e.lastError),
  }));
  const hasState = agent !== null && !('error' in agent);
  return {
    agent: hasState ? { ...agent.state, running: agent.running } : null,
    ...(agent !== null && 'error' in agent ? { agentError: agent.error } : {}),
    channel: hasState && agent.running ? agent.state.channel : null,
    metrics: await collector.sample(),
    outbox: {
      pending: counts.pending,
      pendingBytes: counts.pendingBytes,
      deadLetterCount: counts.deadLetters,
      deadLetters: dead,
    },
    scans: scanTotals(ctx),
    guiScan: ctx.scans.current
      ? { scanId: ctx.scans.current.scanId, progress: ctx.scans.current.progress }
      : null,
  };
}

/** A log line as the page gets it: the JSON record, or `{raw}` for a line that is not JSON. */
export function parseLogLine(line: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(line) as unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
      return doc as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  return { raw: line };
}

export const statusRoutes: Route[] = [
  {
    method: 'GET',
    path: '/status',
    async handle(ctx) {
      return { status: 200, body: await statusBody(ctx) };
    },
  },
  {
    method: 'GET',
    path: '/logs/:name',
    async handle(ctx, r) {
      const name = r.params.name!;
      if (!(LOG_NAMES as readonly string[]).includes(name)) {
        throw notFound(`no log '${name}' (logs: ${LOG_NAMES.join(', ')})`);
      }
      const text = r.query.get('lines');
      let lines = DEFAULT_LOG_LINES;
      if (text !== null) {
        if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LOG_LINES) {
          throw badRequest(`lines must be a whole number from 1 to ${MAX_LOG_LINES}`, 'lines');
        }
        lines = Number(text);
      }
      const tail = await tailLog(ctx.dir.logsDir, { log: name as LogName, lines }, ctx.secrets);
      return {
        status: 200,
        body: { name, lines: tail.lines.map(parseLogLine), truncated: tail.truncated },
      };
    },
  },
];
