// The agent's metrics as heartbeats, `metrics.get` and the GUI's Status tab carry them
// (docs/protocol.md `metrics`). No Node import here: the GUI page imports it; platform/metrics.ts
// measures them.

export interface AgentMetrics {
  /** System-wide CPU busy percent (all cores) since the previous sample. */
  cpuPercent: number;
  /** This process's CPU percent of the whole machine since the previous sample (additive field). */
  processCpuPercent: number;
  memory: { rssBytes: number; totalBytes: number; freeBytes: number };
  /** Free bytes for an unprivileged writer on the data directory's file system; null if unknown. */
  diskFreeBytes: number | null;
  /** The local address of the control channel's connection; null while disconnected. */
  localIp: string | null;
  scans: { completed: number; failed: number; successRate: number | null };
  outboxDepth: number;
  deadLetters: number;
  uptimeSeconds: number;
}
