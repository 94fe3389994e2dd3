// Host records and batches for tests and the bench: realistic shapes (docs/data-model.md) with
// the identity facts a test varies.
import { gzipSync } from 'node:zlib';
import type { HostRecord, RelationshipRecord, ScanSummary, SectionState } from '@nopesight/model';

export interface HostSpec {
  address?: string;
  hostname?: string | null;
  fqdn?: string | null;
  domain?: string | null;
  serial?: string | null;
  systemUuid?: string | null;
  macs?: string[];
  arpMac?: string | null;
  type?: HostRecord['ci']['type'];
  sections?: Record<string, { state: SectionState; data?: unknown }>;
  relationships?: RelationshipRecord[];
  at?: string;
}

/** A host record as an agent with SSH credentials would upload it. */
export function hostRecord(s: HostSpec = {}): HostRecord {
  const at = s.at ?? '2026-11-29T08:00:00.000Z';
  const address = s.address ?? '198.18.0.10';
  const ci: HostRecord['ci'] = {
    type: s.type ?? 'server',
    typeReason: 'ssh: Linux',
    identity: {
      hostname: s.hostname === undefined ? 'lab-ssh' : s.hostname,
      fqdn: s.fqdn === undefined ? null : s.fqdn,
      domain: s.domain === undefined ? 'nopelab.test' : s.domain,
      serial: s.serial === undefined ? null : s.serial,
      systemUuid: s.systemUuid === undefined ? null : s.systemUuid,
      macs: s.macs ?? [],
    },
  };
  const sections: Record<string, SectionState> = {};
  for (const [name, v] of Object.entries(s.sections ?? {})) {
    sections[name] = v.state;
    if (v.data !== undefined) ci[name] = v.data;
  }
  return {
    address,
    hostnames: ci.identity.hostname ? [{ name: ci.identity.hostname, source: 'ssh' }] : [],
    macs: s.arpMac ? [{ mac: s.arpMac, vendor: null, source: 'arp' }] : [],
    discovery: {
      foundBy: ['tcp'],
      openPorts: [{ port: 22, proto: 'tcp', service: 'ssh', banner: 'SSH-2.0-OpenSSH_9.2p1' }],
      rttMs: 0.2,
      candidateProtocols: ['ssh'],
      startedAt: at,
      finishedAt: at,
    },
    protocols: [
      { protocol: 'ssh', status: 'success', credentialId: 'cred-1', durationMs: 140, error: null },
    ],
    ci,
    sections,
    relationships: s.relationships ?? [],
  };
}

export function scanSummary(scanId: string, over: Partial<ScanSummary> = {}): ScanSummary {
  return {
    scanId,
    state: 'completed',
    startedAt: '2026-11-29T08:00:00.000Z',
    finishedAt: '2026-11-29T08:01:00.000Z',
    durationMs: 60000,
    targets: ['198.18.0.0/24'],
    excludes: [],
    ports: { tcp: [22], udp: [] },
    protocols: ['ssh'],
    counts: { swept: 254, alive: 1, collected: 1 },
    statuses: { success: 1 },
    ...over,
  };
}

export interface BatchBody {
  agentId: string;
  scanId: string;
  seq: number;
  final: boolean;
  hosts: HostRecord[];
  summary?: ScanSummary;
}

export function batch(
  agentId: string,
  scanId: string,
  seq: number,
  hosts: HostRecord[],
  final = false,
): BatchBody {
  return final
    ? { agentId, scanId, seq, final, hosts, summary: scanSummary(scanId) }
    : { agentId, scanId, seq, final, hosts };
}

/** The HTTP request an agent makes for `body`: gzip JSON with its headers. */
export function uploadRequest(body: BatchBody, token: string) {
  return {
    method: 'POST' as const,
    url: '/api/discovery/scan-data',
    headers: {
      authorization: `Bearer ${token}`,
      'x-agent-id': body.agentId,
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'idempotency-key': `${body.agentId}:${body.scanId}:${body.seq}`,
    },
    payload: gzipSync(JSON.stringify(body)),
  };
}
