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
  /** Accounts not tried any more in this scan after reaching the failed-login cap (absent: none). */
  credentialSkips?: CredentialSkipSummary[];
}

/** An account the scan stopped trying (lockout guard): never a secret, names only. */
export interface CredentialSkipSummary {
  /** `kind:user` (`windows:corp\\svc-scan`, `ssh:root`). */
  account: string;
  /** Names of the credentials of that account that failed. */
  names: string[];
  failures: number;
  /** Hosts where a credential of the account was in scope but not tried. */
  hostsSkipped: number;
}

/** The `--json` document. */
export interface ScanDocument {
  scan: ScanSummary;
  hosts: HostRecord[];
}
