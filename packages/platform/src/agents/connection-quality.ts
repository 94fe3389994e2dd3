// Connection quality of an agent's control channel: how regularly its heartbeats arrive and how
// often it had to reconnect, as this platform process saw it (the hub keeps the history in
// memory; a platform restart starts it afresh).

/** Heartbeat arrivals and reconnects kept per agent. */
export const LINK_HISTORY = 20;
/** A heartbeat is on time when it follows the previous one within this many intervals. */
export const ON_TIME_FACTOR = 1.5;
/** Reconnects are counted over this window. */
export const RECONNECT_WINDOW_MS = 60 * 60 * 1000;

/** What the hub records per agent (times in ms since the epoch, oldest first). */
export interface LinkStats {
  /** When the current connection opened; null while disconnected. */
  connectedSince: number | null;
  /** Connections after the first one this process saw (the last LINK_HISTORY). */
  reconnects: number[];
  /** Heartbeat arrivals (the last LINK_HISTORY + 1, so LINK_HISTORY gaps). */
  heartbeats: number[];
}

export type ConnectionGrade = 'good' | 'fair' | 'poor' | 'down' | 'unknown';

export interface ConnectionQuality {
  grade: ConnectionGrade;
  connectedSince: string | null;
  reconnectsLastHour: number;
  /** Gaps judged (the current one counts once it is already late). */
  gaps: number;
  /** Share of those gaps within ON_TIME_FACTOR × the interval; null with no gap yet. */
  onTimeRatio: number | null;
  maxGapMs: number | null;
  heartbeatIntervalMs: number;
}

/** Appends `t` to a history kept at `max` entries. */
export function remember(history: number[], t: number, max: number): void {
  history.push(t);
  if (history.length > max) history.splice(0, history.length - max);
}

/**
 * Grades a control channel: `down` when not connected; `unknown` before two gaps between
 * heartbeats have been seen; `good` when every gap was on time and nothing reconnected in the last
 * hour; `fair` with at least 75 % on time and at most 3 reconnects in the hour; else `poor`.
 * The gap since the last heartbeat counts as a late one once it is already late, so an agent
 * that stays connected but silent degrades before it goes offline.
 * @example connectionQuality({ connectedSince: 0, reconnects: [], heartbeats: [0, 15e3, 30e3] }, { connected: true, nowMs: 31e3, heartbeatIntervalMs: 15e3 }).grade // → 'good'
 */
export function connectionQuality(
  stats: LinkStats | undefined,
  ctx: { connected: boolean; nowMs: number; heartbeatIntervalMs: number },
): ConnectionQuality {
  const beats = stats?.heartbeats ?? [];
  const gaps = beats.slice(1).map((t, i) => t - beats[i]!);
  const last = beats[beats.length - 1];
  const lateLimit = ON_TIME_FACTOR * ctx.heartbeatIntervalMs;
  if (ctx.connected && last !== undefined && ctx.nowMs - last > lateLimit) {
    gaps.push(ctx.nowMs - last);
  }
  const onTime = gaps.filter((g) => g <= lateLimit).length;
  const onTimeRatio = gaps.length === 0 ? null : onTime / gaps.length;
  const reconnectsLastHour = (stats?.reconnects ?? []).filter(
    (t) => ctx.nowMs - t <= RECONNECT_WINDOW_MS,
  ).length;
  let grade: ConnectionGrade;
  if (!ctx.connected) grade = 'down';
  else if (gaps.length < 2 || onTimeRatio === null) grade = 'unknown';
  else if (onTimeRatio === 1 && reconnectsLastHour === 0) grade = 'good';
  else if (onTimeRatio >= 0.75 && reconnectsLastHour <= 3) grade = 'fair';
  else grade = 'poor';
  return {
    grade,
    connectedSince:
      ctx.connected && stats?.connectedSince != null
        ? new Date(stats.connectedSince).toISOString()
        : null,
    reconnectsLastHour,
    gaps: gaps.length,
    onTimeRatio,
    maxGapMs: gaps.length === 0 ? null : Math.max(...gaps),
    heartbeatIntervalMs: ctx.heartbeatIntervalMs,
  };
}
