// The scan pipeline: targets stream into the sweep, live hosts are fingerprinted, then the
// selected protocols are tried with stored credentials; host records stream out as hosts finish.
import type {
  CiType,
  CredentialSkipSummary,
  Hostname,
  HostRecord,
  Protocol,
  ProtocolAttempt,
  ProtocolStatus,
  RelationshipRecord,
  ScanState,
  ScanSummary,
  SectionState,
} from '@nopesight/model';
import type { SweepResult, Target } from '../discovery/types.js';
import { boundedMap } from '../util/bounded-map.js';
import { buildHostRecord, type HostFingerprints } from './host-record-builder.js';

/** What a collector learnt over one protocol; merged into the host record. */
export interface Inventory {
  /** CI sections (`os`, `hardware`, `software`…) and identity fields to merge. */
  ci?: Record<string, unknown>;
  /** What the logged-in collector found the host to be; replaces the port-based guess. */
  type?: { type: CiType; reason: string };
  sections?: Record<string, SectionState>;
  relationships?: RelationshipRecord[];
  hostnames?: Hostname[];
}

/** One protocol's outcome on one host: the login attempt and, on success, the inventory. */
export interface CollectOutcome {
  attempt: ProtocolAttempt;
  inventory?: Inventory;
  /**
   * Records of other CIs this host's API described (a vCenter's datacenters, hosts, VMs…),
   * written after the host's own record.
   */
  records?: HostRecord[];
}

/** What the user asked for, already validated. */
export interface ScanRequest {
  scanId: string;
  targets: string[];
  excludes: string[];
  tcpPorts: number[];
  udpPorts: number[];
  /** Protocols to collect over; empty = discovery only (`--protocols none`). */
  protocols: Protocol[];
  /** Number of addresses the targets expand to (for progress and ETA), when known. */
  expectedAddresses: number | null;
}

/** The stages, injected by the composition root so each can be real, replayed or faulty in tests. */
export interface ScanStages {
  targets(signal: AbortSignal): AsyncIterable<Target>;
  sweep(targets: AsyncIterable<Target>, signal: AbortSignal): AsyncIterable<SweepResult>;
  /** Unauthenticated facts about a live host; must not throw for ordinary failures. */
  fingerprint(result: SweepResult, signal: AbortSignal): Promise<HostFingerprints>;
  /**
   * Tries the stored credentials of `protocol` on the host and, where a collector exists and a
   * login worked, collects its inventory; null when there is nothing to try (no credential in
   * scope, or the protocol is not collected by this build).
   */
  collect?(
    protocol: Protocol,
    host: { address: string; openTcp: number[]; hostnames: string[] },
    signal: AbortSignal,
  ): Promise<CollectOutcome | null>;
  /** Accounts the credential engine stopped trying in this scan (failed-login cap). */
  credentialSkips?(): CredentialSkipSummary[];
  /** Hosts fingerprinted and collected at once. */
  hostConcurrency: number;
  now(): Date;
}

export interface ScanProgress {
  swept: number;
  alive: number;
  collected: number;
  expected: number | null;
  elapsedMs: number;
}

export interface ScanSink {
  host(record: HostRecord): void | Promise<void>;
  progress?(progress: ScanProgress): void;
  warning?(message: string): void;
}

/**
 * Runs one scan to the end (or until `signal` aborts) and returns its summary. A cancelled scan
 * still returns everything found so far through the sink, with state `cancelled`.
 */
export async function runScan(
  request: ScanRequest,
  stages: ScanStages,
  sink: ScanSink,
  signal: AbortSignal,
): Promise<ScanSummary> {
  const started = stages.now();
  const progress: ScanProgress = {
    swept: 0,
    alive: 0,
    collected: 0,
    expected: request.expectedAddresses,
    elapsedMs: 0,
  };
  const statuses: Partial<Record<ProtocolStatus, number>> = {};
  const report = () => {
    progress.elapsedMs = stages.now().getTime() - started.getTime();
    sink.progress?.({ ...progress });
  };

  async function* counted(source: AsyncIterable<Target>): AsyncGenerator<Target> {
    for await (const target of source) {
      progress.swept++;
      yield target;
    }
  }

  // On cancel the sweep ends its stream early; hosts already found still go through the later
  // stages (which see the aborted signal and finish fast), so they are written, not lost.
  async function* alive(results: AsyncIterable<SweepResult>): AsyncGenerator<SweepResult> {
    try {
      for await (const result of results) {
        if (result.alive) {
          progress.alive++;
          report();
          yield result;
        } else if (progress.swept % 256 === 0) {
          report();
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  const processHost = async (
    result: SweepResult,
  ): Promise<{ record: HostRecord; related: HostRecord[] }> => {
    let fingerprints: HostFingerprints;
    try {
      fingerprints = await stages.fingerprint(result, signal);
    } catch (err) {
      // A fingerprint bug must not lose the host: keep what the sweep found.
      sink.warning?.(`${result.target.address}: fingerprinting failed: ${(err as Error).message}`);
      fingerprints = { openPorts: [], hostnames: [], macs: [] };
    }
    const record = buildHostRecord(result, fingerprints, []);
    const attempts: ProtocolAttempt[] = [];
    const related: HostRecord[] = [];
    if (stages.collect) {
      for (const protocol of record.discovery.candidateProtocols) {
        if (signal.aborted) break;
        if (!request.protocols.includes(protocol)) continue;
        const outcome = await stages.collect(
          protocol,
          {
            address: result.target.address,
            openTcp: result.openTcp,
            hostnames: record.hostnames.map((h) => h.name),
          },
          signal,
        );
        if (!outcome) continue;
        attempts.push(outcome.attempt);
        if (outcome.inventory) mergeInventory(record, outcome.inventory);
        if (outcome.records) related.push(...outcome.records);
      }
    }
    record.protocols = attempts;
    return { record, related };
  };

  let state: ScanState = 'completed';
  try {
    const targets = counted(stages.targets(signal));
    const hosts = boundedMap(
      alive(stages.sweep(targets, signal)),
      stages.hostConcurrency,
      processHost,
    );
    for await (const { record, related } of hosts) {
      for (const attempt of record.protocols) {
        statuses[attempt.status] = (statuses[attempt.status] ?? 0) + 1;
      }
      progress.collected++;
      await sink.host(record);
      for (const other of related) await sink.host(other);
      report();
    }
    if (signal.aborted) state = 'cancelled';
  } catch (err) {
    if (!signal.aborted) throw err;
    state = 'cancelled';
  }
  report();
  // Names and counts only: the summary goes to the platform, ids stay in the log.
  const skips = (stages.credentialSkips?.() ?? []).map((k) => ({
    account: k.account,
    names: k.names,
    failures: k.failures,
    hostsSkipped: k.hostsSkipped,
  }));
  const finished = stages.now();
  return {
    scanId: request.scanId,
    state,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    targets: request.targets,
    excludes: request.excludes,
    ports: { tcp: request.tcpPorts, udp: request.udpPorts },
    protocols: request.protocols,
    counts: { swept: progress.swept, alive: progress.alive, collected: progress.collected },
    statuses,
    ...(skips.length > 0 ? { credentialSkips: skips } : {}),
  };
}

/**
 * Merges a collector's inventory into the record. Identity fields fill gaps only (the first
 * protocol that knew a fact keeps it); sections and section states are the collector's.
 */
export function mergeInventory(record: HostRecord, inventory: Inventory): void {
  const { identity, ...sections } = (inventory.ci ?? {}) as Record<string, unknown> & {
    identity?: Partial<HostRecord['ci']['identity']>;
  };
  if (identity) {
    const target = record.ci.identity as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(identity)) {
      if (value === null || value === undefined) continue;
      if (Array.isArray(value)) {
        const merged = new Set([...((target[key] as unknown[]) ?? []), ...value]);
        target[key] = [...merged];
      } else if (target[key] === null || target[key] === undefined) {
        target[key] = value;
      }
    }
  }
  for (const [key, value] of Object.entries(sections)) {
    if (key !== 'type' && key !== 'typeReason') record.ci[key] = value;
  }
  if (inventory.type) {
    record.ci.type = inventory.type.type;
    record.ci.typeReason = inventory.type.reason;
  }
  Object.assign(record.sections, inventory.sections ?? {});
  record.relationships.push(...(inventory.relationships ?? []));
  for (const h of inventory.hostnames ?? []) {
    if (!record.hostnames.some((x) => x.name === h.name && x.source === h.source)) {
      record.hostnames.push(h);
    }
  }
}
