// Builds a host record from the sweep result and the fingerprints: pure, no I/O.
import type {
  DiscoveryFacts,
  Hostname,
  HostRecord,
  MacAddress,
  OpenPort,
  ProtocolAttempt,
} from '@nopesight/model';
import type { SweepResult } from '../discovery/types.js';
import { selectProtocols } from '../discovery/protocol-selection.js';

/** What the fingerprint stage learnt about a live host, without credentials. */
export interface HostFingerprints {
  /** Open ports with service names, banners and TLS facts (TCP and UDP). */
  openPorts: OpenPort[];
  hostnames: Hostname[];
  macs: MacAddress[];
  sshBanner?: string;
  smb?: DiscoveryFacts['smb'];
  vsphere?: DiscoveryFacts['vsphere'];
  netbios?: DiscoveryFacts['netbios'];
}

const WELL_KNOWN: Record<string, string> = {
  'tcp/21': 'ftp',
  'tcp/22': 'ssh',
  'tcp/23': 'telnet',
  'tcp/25': 'smtp',
  'tcp/53': 'domain',
  'tcp/80': 'http',
  'tcp/88': 'kerberos',
  'tcp/135': 'msrpc',
  'tcp/139': 'netbios-ssn',
  'tcp/389': 'ldap',
  'tcp/443': 'https',
  'tcp/445': 'microsoft-ds',
  'tcp/636': 'ldaps',
  'tcp/1433': 'ms-sql',
  'tcp/3306': 'mysql',
  'tcp/3389': 'ms-wbt-server',
  'tcp/5432': 'postgresql',
  'tcp/5985': 'wsman',
  'tcp/5986': 'wsmans',
  'tcp/8080': 'http-alt',
  'tcp/8443': 'https-alt',
  'udp/137': 'netbios-ns',
  'udp/161': 'snmp',
};

/** The conventional service name of a port, or 'unknown'. */
export function serviceName(proto: 'tcp' | 'udp', port: number): string {
  return WELL_KNOWN[`${proto}/${port}`] ?? 'unknown';
}

/** Open ports from the sweep alone, for hosts whose fingerprinting found nothing more. */
export function plainOpenPorts(result: SweepResult): OpenPort[] {
  return [
    ...result.openTcp.map((port) => ({
      port,
      proto: 'tcp' as const,
      service: serviceName('tcp', port),
    })),
    ...result.openUdp.map((port) => ({
      port,
      proto: 'udp' as const,
      service: serviceName('udp', port),
    })),
  ];
}

/** Merges fingerprinted ports over the sweep's, keeping every port the sweep found open. */
function mergePorts(result: SweepResult, fingerprinted: OpenPort[]): OpenPort[] {
  const byKey = new Map<string, OpenPort>();
  for (const p of plainOpenPorts(result)) byKey.set(`${p.proto}/${p.port}`, p);
  for (const p of fingerprinted) byKey.set(`${p.proto}/${p.port}`, p);
  return [...byKey.values()].sort((a, b) =>
    a.proto === b.proto ? a.port - b.port : a.proto === 'tcp' ? -1 : 1,
  );
}

/** Builds the host record; `protocols` are the attempts made so far. */
export function buildHostRecord(
  result: SweepResult,
  fp: HostFingerprints,
  protocols: ProtocolAttempt[],
): HostRecord {
  const openPorts = mergePorts(result, fp.openPorts);
  const selection = selectProtocols({
    openTcp: result.openTcp,
    openUdp: result.openUdp,
    sshBanner: fp.sshBanner,
    smb: fp.smb,
    vsphere: fp.vsphere,
    snmpSysDescr: result.snmpSysDescr,
    snmpV3: result.snmpV3,
  });
  const hostnames = dedupeHostnames([
    ...(result.target.hostname ? [{ name: result.target.hostname, source: 'dns' as const }] : []),
    ...fp.hostnames,
  ]);
  const primary = hostnames[0]?.name ?? null;
  const fqdn = hostnames.find((h) => h.name.includes('.'))?.name ?? null;
  const discovery: DiscoveryFacts = {
    foundBy: result.foundBy,
    openPorts,
    rttMs: result.rttMs === null ? null : Math.round(result.rttMs * 1000) / 1000,
    candidateProtocols: selection.protocols,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
  };
  if (fp.smb) discovery.smb = fp.smb;
  if (fp.vsphere) discovery.vsphere = fp.vsphere;
  if (fp.netbios) discovery.netbios = fp.netbios;
  if (result.snmpSysDescr !== undefined) discovery.snmpSysDescr = result.snmpSysDescr;
  if (result.snmpV3) discovery.snmpV3 = result.snmpV3;
  return {
    address: result.target.address,
    hostnames,
    macs: fp.macs,
    discovery,
    protocols,
    ci: {
      type: selection.type,
      typeReason: selection.typeReason,
      identity: {
        hostname: primary ? (primary.split('.')[0] ?? primary) : null,
        fqdn,
        domain: fp.smb?.dnsDomainName ?? (fqdn ? fqdn.split('.').slice(1).join('.') || null : null),
        serial: null,
        systemUuid: null,
        macs: fp.macs.map((m) => m.mac),
      },
    },
    sections: {},
    relationships: [],
  };
}

function dedupeHostnames(names: Hostname[]): Hostname[] {
  const seen = new Set<string>();
  return names.filter((h) => {
    const key = `${h.name.toLowerCase()}|${h.source}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
