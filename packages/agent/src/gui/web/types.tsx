// The shapes the GUI server's JSON API returns (docs/gui.md), as far as the page reads them.
// Host records and scan summaries are the model's own types; schedules, metrics and scan totals
// the agent's, from files without Node imports (type-only: nothing of them is bundled).
import type { HostRecord, ProtocolStatus, ScanSummary } from '@nopesight/model';
import type { AgentMetrics as Metrics } from '../../platform/agent-metrics.js';
import type { ScanTotals } from '../../scan/scan-stats.js';
import type { LastRun, Schedule } from '../../scheduler/schedule.js';

export type { HostRecord, LastRun, ProtocolStatus, ScanSummary };

export interface Session {
  version: string;
  dataDir: string;
  csrf: string;
  platform: string;
}

export interface Integration {
  name: string;
  apiUrl: string;
  agentId: string;
  wsUrl: string | null;
  secretsSet: string[];
}

export interface ConnectionTest {
  ok: boolean;
  latencyMs?: number;
  error?: { code: string; message: string };
}

export type CredentialKind = 'windows' | 'ssh' | 'snmp' | 'vcenter';

export interface CredentialView {
  name: string;
  kind: CredentialKind;
  username?: string;
  domain?: string;
  port?: number;
  snmpVersion?: '1' | '2c' | '3';
  securityLevel?: string;
  authProtocol?: string;
  privProtocol?: string;
  sudo?: string;
  /** windows: remote execution allowed (a temporary service on targets). */
  remoteExec?: boolean;
  scope: string[];
  jump?: { address: string; port?: number; credential?: string; credentialId?: string };
  secretsSet: string[];
}

export interface CredentialTest {
  ok: boolean;
  status: ProtocolStatus;
  message: string;
  durationMs: number;
}

export interface ScanProgress {
  swept: number;
  alive: number;
  collected: number;
  expected: number | null;
  elapsedMs: number;
}

export interface ScanListEntry extends ScanSummary {
  source?: 'cli' | 'gui' | 'schedule' | 'platform';
  scheduleName?: string;
  /** Protocol attempts (one per protocol tried on a host) and how many succeeded. */
  protocolAttempts?: { succeeded: number; tried: number };
  /** protocolAttempts succeeded / tried; null when nothing was tried. */
  successRate?: number | null;
}

export interface ScanList {
  scans: ScanListEntry[];
  current: { scanId: string; progress: ScanProgress | null } | null;
}

export interface HostSummary {
  address: string;
  hostnames: (string | { name: string; source?: string })[];
  ciType: string;
  protocols: {
    protocol: string;
    status: ProtocolStatus;
    error?: { code: string; message: string } | null;
  }[];
  openPorts: number[];
}

export interface ScanDetail {
  scan: ScanSummary;
  hosts: HostSummary[];
  /** Hosts in the scan; more than `hosts` when the answer was truncated. */
  total?: number;
  truncated?: boolean;
}

/** A schedule as GET /schedules lists it (gui/server/routes/schedules.ts scheduleViews). */
export interface ScheduleView extends Schedule {
  /** The server's wording of the timing, when it sends one. */
  timing?: string | Record<string, unknown>;
  nextRunAt: string | null;
  lastRun: LastRun | null;
}

export interface ServiceView {
  manager: 'systemd' | 'launchd' | 'winsw' | null;
  installed: boolean;
  /** null: unknown (the status could not be read). */
  running: boolean | null;
  status?: string;
  statusText?: string;
  unitPath?: string;
  canManage: boolean;
  reason?: string;
  /** The refusing check's code: ERR_ACCESS_DENIED (not root/administrator), ERR_NOT_SUPPORTED
   * (no usable service manager), ERR_CONFIG_INVALID (Windows without WinSW). */
  reasonCode?: string;
}

export interface ChannelState {
  state: string;
  since?: string;
  url?: string;
  connects?: number;
  lastError?: string | null;
  retryAt?: string | null;
  localAddress?: string | null;
}

/** An older agent's state file has no processCpuPercent (it came later, additively). */
export type AgentMetrics = Omit<Metrics, 'processCpuPercent'> & { processCpuPercent?: number };

export interface DeadLetter {
  key: string;
  scanId: string;
  seq: number;
  hosts?: number;
  bytes?: number;
  createdAt?: string;
  attempts?: number;
  reason: string | null;
}

export interface StatusView {
  agent: {
    pid: number;
    startedAt: string;
    agentId: string;
    channel: ChannelState;
    stoppedAt: string | null;
    /** Whether that daemon's process still runs. */
    running?: boolean;
    uploads?: {
      lastDrainAt: string | null;
      pending: number;
      deadLetters: number;
      error: string | null;
    };
  } | null;
  channel?: ChannelState | string | null;
  metrics: AgentMetrics | null;
  outbox: {
    pending: number;
    pendingBytes?: number;
    deadLetterCount?: number;
    deadLetters: DeadLetter[];
  };
  agentError?: string;
  /** The agent's scans (docs/gui-guide.md): successRate = completed / (completed + failed). */
  scans: ScanTotals;
}

export interface LogEntry {
  ts?: string;
  level?: string;
  msg?: string;
  /** A line that is not JSON. */
  raw?: string;
  [field: string]: unknown;
}

export const LOG_NAMES = ['agent', 'service', 'scheduler', 'integrations', 'app'] as const;
export type LogName = (typeof LOG_NAMES)[number];
