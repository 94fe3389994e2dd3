// Scan-level facts: what was asked, how it went, and the per-status counts the platform shows.
import type { ProtocolStatus } from './protocol-status.js';
import type { HostRecord } from './host-record.js';

export type ScanState = 'running' | 'completed' | 'cancelled' | 'failed';

export interface ScanSummary {
  scanId: string;
  state: ScanState;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number;
  targets: string[];
  excludes: string[];
  ports: { tcp: number[]; udp: number[] };
  protocols: string[];
  /** Addresses the sweep probed, hosts found alive, hosts whose collection finished. */
  counts: { swept: number; alive: number; collected: number };
  /** Count of protocol attempts per status. */
  statuses: Partial<Record<ProtocolStatus, number>>;
}

/** The `--json` document. */
export interface ScanDocument {
  scan: ScanSummary;
  hosts: HostRecord[];
}
