// Types that flow through the discovery pipeline: targets in, sweep results out.
import type { SnmpV3EngineFacts } from '@nopesight/model';

/** One address to sweep. `hostname` is set when the user named the host rather than the address. */
export interface Target {
  address: string;
  family: 4 | 6;
  hostname?: string;
}

/** Per-host outcome of the liveness and port sweep, before fingerprinting. */
export interface SweepResult {
  target: Target;
  alive: boolean;
  /** Which probes saw it: 'tcp' (a SYN-ACK or RST came back), 'icmp', 'snmp'. */
  foundBy: string[];
  openTcp: number[];
  openUdp: number[];
  /** Smoothed connect RTT in ms, null when nothing answered. */
  rttMs: number | null;
  /** sysDescr from the UDP/161 probe, when a community answered. */
  snmpSysDescr?: string;
  /** Community that answered the UDP/161 probe (kept in memory only, never written out). */
  snmpCommunity?: string;
  /** The SNMPv3 engine that answered the UDP/161 engine discovery, with or without a community. */
  snmpV3?: SnmpV3EngineFacts;
  startedAt: Date;
  finishedAt: Date;
}

/** Options shared by every network probe: an abort signal and a time limit for this phase. */
export interface ProbeContext {
  signal: AbortSignal;
  timeoutMs: number;
}
