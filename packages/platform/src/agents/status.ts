// How the platform sees an agent: its status derived from the last contact and what it reported.
import type { AgentRow } from '../store/rows.js';
import type { ConnectionQuality } from './connection-quality.js';
import { decode } from '../store/rows.js';

export type AgentStatus = 'online' | 'scanning' | 'offline' | 'error';

/** Heartbeat intervals without contact after which an agent is offline (docs/protocol.md). */
export const MISSED_HEARTBEATS_OFFLINE = 3;

/**
 * `offline` when nothing came from the agent for three heartbeat intervals (any authenticated
 * request or frame counts: an upload proves the agent alive as well as a heartbeat does);
 * otherwise what its last heartbeat said: `scanning`, `error`, else `online`. Derived when read,
 * so no timer has to flip it.
 * @example agentStatus({ lastSeenAt: '2026-01-01T00:00:00Z', reportedStatus: 'scanning' }, Date.parse('2026-01-01T00:00:20Z'), 15000) // → 'scanning'
 */
export function agentStatus(
  a: { lastSeenAt: string | null; reportedStatus: string | null },
  nowMs: number,
  heartbeatIntervalMs: number,
): AgentStatus {
  const seen = a.lastSeenAt === null ? NaN : Date.parse(a.lastSeenAt);
  if (Number.isNaN(seen) || nowMs - seen > MISSED_HEARTBEATS_OFFLINE * heartbeatIntervalMs) {
    return 'offline';
  }
  if (a.reportedStatus === 'scanning') return 'scanning';
  if (a.reportedStatus === 'error') return 'error';
  return 'online';
}

/** The API form of an agent (`GET /api/discovery/agents`). */
export function agentView(
  row: AgentRow,
  ctx: {
    nowMs: number;
    heartbeatIntervalMs: number;
    connected: boolean;
    scansCompleted: number;
    connection: ConnectionQuality;
  },
) {
  const hello = decode<Record<string, unknown> | null>(row.hello, null);
  return {
    agentId: row.agent_id,
    name: row.name,
    status: agentStatus(
      { lastSeenAt: row.last_seen_at, reportedStatus: row.reported_status },
      ctx.nowMs,
      ctx.heartbeatIntervalMs,
    ),
    connected: ctx.connected,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    error: decode(row.reported_error, null),
    metrics: decode(row.metrics, null),
    version: typeof hello?.version === 'string' ? hello.version : null,
    hostname: typeof hello?.hostname === 'string' ? hello.hostname : null,
    os: hello?.os ?? null,
    capabilities: Array.isArray(hello?.capabilities) ? hello.capabilities : [],
    scansCompleted: ctx.scansCompleted,
    connection: ctx.connection,
  };
}
export type AgentView = ReturnType<typeof agentView>;
