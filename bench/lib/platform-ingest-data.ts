// Synthetic but realistic host records for the platform-ingest bench: a fleet of machines with
// the identity mixes real networks have, and a second sighting of part of the fleet so that
// reconciliation has matches to find, not only inserts.
import { gzipSync } from 'node:zlib';
import type { HostRecord, RelationshipRecord } from '@nopesight/model';
import { seededRandom } from '../../packages/platform/src/testing/random.js';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const uuidOf = (i: number) =>
  `${hex(0x4c4c4544 + i, 8)}-${hex(i & 0xffff, 4)}-4${hex(i % 0xfff, 3)}-8${hex(i % 0xfff, 3)}-${hex(i * 7919, 12)}`;
const swapped = (u: string) => {
  const [a, b, c, ...rest] = u.split('-');
  const rev = (s: string) => (s.match(/../g) ?? []).reverse().join('');
  return [rev(a!), rev(b!), rev(c!), ...rest].join('-');
};
const macOf = (i: number) =>
  `00:50:56:${hex((i >> 16) & 0xff, 2)}:${hex((i >> 8) & 0xff, 2)}:${hex(i & 0xff, 2)}`;
const addrOf = (i: number, shift = 0) =>
  `10.${(i >> 16) & 0xff}.${((i + shift) >> 8) & 0xff}.${(i + shift) & 0xff || 1}`;
const JUNK = ['To be filled by O.E.M.', 'Default string', '0', 'System Serial Number'];
const PACKAGES = [
  'openssh-server',
  'curl',
  'bash',
  'coreutils',
  'systemd',
  'libc6',
  'openssl',
  'tzdata',
  'ca-certificates',
  'python3',
];

/** How machine `i` identifies itself: the mix of a mid-size estate. */
type IdentityKind = 'uuid+serial' | 'uuid+junk-serial' | 'mac-only' | 'name-only' | 'anonymous';
function kindOf(i: number): IdentityKind {
  const k = i % 20;
  if (k < 9) return 'uuid+serial';
  if (k < 11) return 'uuid+junk-serial';
  if (k < 15) return 'mac-only';
  if (k < 18) return 'name-only';
  return 'anonymous';
}

function record(i: number, sighting: 0 | 1, r: () => number): HostRecord {
  const kind = kindOf(i);
  const at = new Date(Date.UTC(2026, 10, 29, 8 + sighting, 0, 0) + i).toISOString();
  const address = addrOf(i, sighting === 1 && kind !== 'anonymous' ? 7 : 0);
  const uuid = kind.startsWith('uuid')
    ? sighting === 1 && i % 2 === 0
      ? swapped(uuidOf(i))
      : uuidOf(i)
    : null;
  const named = kind !== 'anonymous' && kind !== 'mac-only';
  const software = PACKAGES.map((name, p) => ({
    name,
    version: `${1 + ((i + p) % 9)}.${p}.${sighting}`,
    arch: 'amd64',
  }));
  const relationships: RelationshipRecord[] = Array.from({ length: 3 }, (_, k) => ({
    type: k === 0 ? 'connected_to' : 'depends_on',
    target: addrOf((i * 31 + k * 977) % 7500),
    evidence: {
      source: 'ssh',
      direction: k === 0 ? 'inbound' : 'outbound',
      remotePort: [22, 5432, 443][k],
      process: 'java',
      count: 1 + Math.floor(r() * 5),
    },
  }));
  return {
    address,
    hostnames: named ? [{ name: `host${i}.corp.example`, source: 'dns' }] : [],
    macs: kind === 'anonymous' ? [] : [{ mac: macOf(i), vendor: 'VMware, Inc.', source: 'arp' }],
    discovery: {
      foundBy: ['tcp'],
      openPorts: [
        {
          port: 22,
          proto: 'tcp',
          service: 'ssh',
          banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
        },
        { port: 443, proto: 'tcp', service: 'https' },
      ],
      rttMs: Math.round(r() * 100) / 100,
      candidateProtocols: ['ssh'],
      startedAt: at,
      finishedAt: at,
    },
    protocols: [
      kind === 'anonymous'
        ? {
            protocol: 'ssh',
            status: 'unauthorized',
            credentialId: 'c1',
            durationMs: 90,
            error: { code: 'ERR_AUTH_FAILED', message: 'denied' },
          }
        : {
            protocol: 'ssh',
            status: 'success',
            credentialId: 'c1',
            durationMs: 140 + Math.floor(r() * 200),
            error: null,
          },
    ],
    ci: {
      type: kind === 'anonymous' ? 'unknown' : 'server',
      typeReason: kind === 'anonymous' ? 'no credentials: tcp/22' : 'ssh: Linux',
      identity: {
        hostname: named ? `host${i}` : null,
        fqdn: named ? `host${i}.corp.example` : null,
        domain: named ? 'corp.example' : null,
        serial:
          kind === 'uuid+serial'
            ? `CZ${hex(i * 104729, 8).toUpperCase()}`
            : kind === 'uuid+junk-serial'
              ? JUNK[i % JUNK.length]!
              : null,
        systemUuid: uuid,
        macs: kind === 'anonymous' || kind === 'name-only' ? [] : [macOf(i)],
      },
      ...(kind === 'anonymous'
        ? {}
        : {
            os: { name: 'Debian GNU/Linux', version: '12', kernel: `6.1.0-${(i % 20) + 10}-amd64` },
            hardware: { cpus: 2 + (i % 4) * 2, memoryBytes: (4 + (i % 8) * 4) * 2 ** 30 },
            software,
          }),
    },
    sections:
      kind === 'anonymous'
        ? {}
        : {
            os: 'complete',
            hardware: 'complete',
            software: sighting === 1 ? 'partial' : 'complete',
          },
    relationships: kind === 'anonymous' ? [] : relationships,
  };
}

export interface IngestWorkload {
  /** Gzip bodies with their Idempotency-Key, in upload order. */
  batches: { key: string; body: Buffer; hosts: number }[];
  records: number;
  /** CIs the platform must end with if reconciliation is right. */
  expectedCis: number;
  rawBytes: number;
}

/**
 * `records` host records from two scans: the first sees `machines` machines, the second sees
 * the rest again (new addresses, UUIDs half in the other byte order, a partial software section),
 * so `records - machines` uploads must land on existing CIs. Anonymous machines are seen again at
 * their old address (rule 5). Batches of `batchSize`, as an agent uploads them.
 */
export function buildWorkload(
  agentId: string,
  records = 10_000,
  machines = 7_500,
  batchSize = 500,
): IngestWorkload {
  const r = seededRandom(20261129);
  const hosts: { scanId: string; host: HostRecord }[] = [];
  for (let i = 0; i < machines; i++) hosts.push({ scanId: 'bench-scan-1', host: record(i, 0, r) });
  for (let i = 0; i < records - machines; i++)
    hosts.push({ scanId: 'bench-scan-2', host: record(i, 1, r) });
  const batches: IngestWorkload['batches'] = [];
  let rawBytes = 0;
  for (const scanId of ['bench-scan-1', 'bench-scan-2']) {
    const mine = hosts.filter((h) => h.scanId === scanId).map((h) => h.host);
    const count = Math.ceil(mine.length / batchSize);
    for (let seq = 0; seq < count; seq++) {
      const final = seq === count - 1;
      const json = JSON.stringify({
        agentId,
        scanId,
        seq,
        final,
        hosts: mine.slice(seq * batchSize, (seq + 1) * batchSize),
        ...(final
          ? {
              summary: {
                scanId,
                state: 'completed',
                startedAt: '2026-11-29T08:00:00.000Z',
                finishedAt: '2026-11-29T09:00:00.000Z',
                durationMs: 3_600_000,
                targets: ['10.0.0.0/16'],
                excludes: [],
                ports: { tcp: [22, 443], udp: [] },
                protocols: ['ssh'],
                counts: { swept: 65534, alive: mine.length, collected: mine.length },
                statuses: {},
              },
            }
          : {}),
      });
      rawBytes += json.length;
      batches.push({
        key: `${agentId}:${scanId}:${seq}`,
        body: gzipSync(json),
        hosts: Math.min(batchSize, mine.length - seq * batchSize),
      });
    }
  }
  return { batches, records, expectedCis: machines, rawBytes };
}
