// The host record: one per live host per scan, the unit the agent stores and uploads (DESIGN.md §3).
import type { Protocol, ProtocolStatus } from './protocol-status.js';

export const CI_TYPES = [
  'server',
  'workstation',
  'network_device',
  'hypervisor',
  'virtual_machine',
  'vcenter',
  'datacenter',
  'cluster',
  'datastore',
  'resource_pool',
  'folder',
  'network',
  'unknown',
] as const;
export type CiType = (typeof CI_TYPES)[number];

export const SECTION_STATES = ['complete', 'partial', 'denied', 'timeout', 'unsupported'] as const;
export type SectionState = (typeof SECTION_STATES)[number];

/** TLS facts read from a certificate presented on an open port, without authenticating. */
export interface TlsFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  fingerprintSha256: string;
  selfSigned: boolean;
  protocol?: string;
}

/** One open port found by the sweep, with what could be learnt there without credentials. */
export interface OpenPort {
  port: number;
  proto: 'tcp' | 'udp';
  /** Service name guessed from the port or from the fingerprint (`ssh`, `microsoft-ds`, `https`…). */
  service: string;
  /** First line the service sent, or its identifying header (SSH banner, HTTP Server header). */
  banner?: string;
  tls?: TlsFacts;
}

/** SMB facts from the negotiate response and the NTLM challenge (no credentials needed). */
export interface SmbFacts {
  dialect: string;
  signingRequired: boolean;
  osBuild?: string;
  netbiosComputerName?: string;
  netbiosDomainName?: string;
  dnsComputerName?: string;
  dnsDomainName?: string;
  dnsTreeName?: string;
  serverTime?: string;
}

/** vSphere identity from the unauthenticated `/sdk` RetrieveServiceContent `about`. */
export interface VsphereFacts {
  name: string;
  fullName: string;
  version: string;
  build: string;
  apiType: string;
  apiVersion: string;
  instanceUuid?: string;
  productLineId?: string;
  vendor?: string;
}

/**
 * An SNMPv3 agent's engine, from the Report it sends to an unauthenticated engine discovery.
 * `engineId` is stable across reboots (a good identity hint); boots and time change.
 */
export interface SnmpV3EngineFacts {
  /** snmpEngineID, lowercase hex. */
  engineId: string;
  /**
   * RFC 3411 layout: `ipv4`, `ipv6`, `mac`, `text`, `octets`, `reserved` or `enterprise` (first
   * bit set, by the fifth octet), `legacy` (first bit clear, 12 octets), `nonstandard` (else).
   */
  engineIdFormat:
    | 'ipv4'
    | 'ipv6'
    | 'mac'
    | 'text'
    | 'octets'
    | 'reserved'
    | 'enterprise'
    | 'legacy'
    | 'nonstandard';
  /** IANA private enterprise number of the agent's vendor (9 Cisco, 2636 Juniper, 8072 net-snmp). */
  enterpriseNumber?: number;
  /** The format's data as text: address, MAC `aa:bb:…`, text, or hex for `octets`. */
  engineIdValue?: string;
  /** snmpEngineBoots: times the engine (re)started since its engine ID was set. */
  engineBoots: number;
  /** snmpEngineTime: seconds since the engine last booted, when it answered. */
  engineTime: number;
}

/** How and when a host was found. */
export interface DiscoveryFacts {
  /** Which probes saw the host alive: `tcp`, `icmp`, `snmp`, `arp`. */
  foundBy: string[];
  openPorts: OpenPort[];
  /** Smoothed TCP connect round-trip time in milliseconds, when measured. */
  rttMs: number | null;
  /** Protocols this host qualifies for, from its ports and fingerprints. */
  candidateProtocols: Protocol[];
  smb?: SmbFacts;
  vsphere?: VsphereFacts;
  /** NetBIOS names from a node-status query on UDP 137. */
  netbios?: { names: { name: string; suffix: number; group: boolean }[]; mac?: string };
  /** sysDescr returned to the unauthenticated-community SNMP probe. */
  snmpSysDescr?: string;
  /** What an SNMPv3 agent told the unauthenticated engine discovery (RFC 3414 §4). */
  snmpV3?: SnmpV3EngineFacts;
  /** When the sweep started and finished with this host (ISO 8601). */
  startedAt: string;
  finishedAt: string;
}

export interface ProtocolError {
  code: string;
  message: string;
}

/** One protocol tried on one host. `credentialId` names the credential, never the secret. */
export interface ProtocolAttempt {
  protocol: Protocol;
  status: ProtocolStatus;
  credentialId: string | null;
  durationMs: number;
  error: ProtocolError | null;
}

export interface MacAddress {
  mac: string;
  vendor: string | null;
  source: 'arp' | 'netbios' | 'snmp' | 'ssh' | 'wmi' | 'vcenter';
}

export interface Hostname {
  name: string;
  source: 'dns' | 'netbios' | 'snmp' | 'ssh' | 'smb' | 'tls' | 'vsphere' | 'wmi';
}

/** The configuration item built from whatever the collectors returned; sections grow per collector. */
export interface CiRecord {
  type: CiType;
  /** Why the type was chosen (e.g. `ports: 22 (ssh); smb: none`). */
  typeReason: string;
  identity: {
    hostname: string | null;
    fqdn: string | null;
    domain: string | null;
    serial: string | null;
    systemUuid: string | null;
    macs: string[];
  };
  [section: string]: unknown;
}

/** Relationship types a record may carry: DESIGN.md §3's six, plus vCenter's `contained_in` and `uses`. */
export const RELATIONSHIP_TYPES = [
  'runs_on',
  'hosted_on',
  'member_of',
  'contains',
  'contained_in',
  'connected_to',
  'depends_on',
  'uses',
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export interface RelationshipRecord {
  type: RelationshipType;
  target: string;
  evidence: Record<string, unknown>;
}

/** One live host found in one scan. Field names are stable; no field changes type between hosts. */
export interface HostRecord {
  address: string;
  hostnames: Hostname[];
  macs: MacAddress[];
  discovery: DiscoveryFacts;
  protocols: ProtocolAttempt[];
  ci: CiRecord;
  sections: Record<string, SectionState>;
  relationships: RelationshipRecord[];
}
