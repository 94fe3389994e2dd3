// The outbox-drain bench's workload: the platform-ingest fleet (lib/platform-ingest-data.ts, seeded)
// as host records, recorded into an agent data directory through the agent's own store, so the
// outbox holds the batches a scan with an integration would have cut (500 records or 16 MiB, a
// final batch with the summary).
import { gunzipSync } from 'node:zlib';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { openStore } from '../../packages/agent/src/store/index.js';
import { buildWorkload } from './platform-ingest-data.js';

export interface DrainWorkload {
  /** scanId → its host records, in scan order. */
  scans: Map<string, HostRecord[]>;
  records: number;
  /** CIs the platform must end with (reconciliation of the two sightings). */
  expectedCis: number;
}

/** The 10,000 records (7,500 machines, 2,500 seen again) of the platform-ingest bench. */
export function drainWorkload(agentId: string): DrainWorkload {
  const w = buildWorkload(agentId);
  const scans = new Map<string, HostRecord[]>();
  for (const b of w.batches) {
    const doc = JSON.parse(gunzipSync(b.body).toString('utf8')) as {
      scanId: string;
      hosts: HostRecord[];
    };
    scans.set(doc.scanId, [...(scans.get(doc.scanId) ?? []), ...doc.hosts]);
  }
  return { scans, records: w.records, expectedCis: w.expectedCis };
}

function summary(scanId: string, hosts: number, state: ScanSummary['state']): ScanSummary {
  return {
    scanId,
    state,
    startedAt: '2026-11-29T08:00:00.000Z',
    finishedAt: state === 'running' ? null : '2026-11-29T09:00:00.000Z',
    durationMs: state === 'running' ? 0 : 3_600_000,
    targets: ['10.0.0.0/16'],
    excludes: [],
    ports: { tcp: [22, 443], udp: [] },
    protocols: ['ssh'],
    counts: { swept: 65534, alive: hosts, collected: hosts },
    statuses: {},
  };
}

/**
 * Records every scan of `w` into DATA_DIR/scanner.db as finished scans of `agentId` (begin, one
 * addHost per record, finish): the outbox then holds their batches. Returns the batches queued.
 */
export function fillOutbox(databaseFile: string, agentId: string, w: DrainWorkload): number {
  const store = openStore({ databaseFile });
  try {
    for (const [scanId, hosts] of w.scans) {
      store.scans.begin(agentId, summary(scanId, hosts.length, 'running'));
      for (const h of hosts) store.scans.addHost(scanId, h);
      store.scans.finish(scanId, summary(scanId, hosts.length, 'completed'));
    }
    return store.outbox.counts().pending;
  } finally {
    store.close();
  }
}
