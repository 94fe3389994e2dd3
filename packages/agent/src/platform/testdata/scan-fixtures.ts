// Scan summaries and recorded scans for the upload tests (store, uploader, kill -9).
import type { HostRecord, ScanSummary } from '@nopesight/model';
import type { Store } from '../../store/index.js';

/** A summary with empty request fields; `over` sets the ones a test cares about. */
export function testSummary(
  scanId: string,
  state: ScanSummary['state'] = 'completed',
  over: Partial<ScanSummary> = {},
): ScanSummary {
  return {
    scanId,
    state,
    startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: null,
    durationMs: 0,
    targets: [],
    excludes: [],
    ports: { tcp: [], udp: [] },
    protocols: [],
    counts: { swept: 0, alive: 0, collected: 0 },
    statuses: {},
    ...over,
  };
}

/** The host record of index `i` (198.18.x.y); `padding` makes it as big as a test needs. */
export function testHost(i: number, padding?: string): HostRecord {
  const address = `198.18.${i >> 8}.${i & 255}`;
  return (padding === undefined ? { address } : { address, padding }) as unknown as HostRecord;
}

/**
 * Records a finished scan of `hosts` hosts for edge-01, as a scan with an integration does;
 * `host` makes the record of index i (platformHost for records the platform must accept).
 */
export function recordScan(
  store: Store,
  scanId: string,
  hosts: number,
  host: (i: number) => HostRecord = testHost,
): void {
  store.scans.begin('edge-01', testSummary(scanId, 'running'));
  for (let i = 0; i < hosts; i++) store.scans.addHost(scanId, host(i));
  store.scans.finish(scanId, testSummary(scanId));
}
