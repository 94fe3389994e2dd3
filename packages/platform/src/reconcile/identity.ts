// Identity normalisation for reconciliation: which serials, UUIDs, MACs and names can tell one
// machine from another, and the keys they are indexed under. Pure.
import type { HostRecord } from '@nopesight/model';

/**
 * Serials that firmware ships as placeholders, shared by many machines; matching on them would
 * merge unrelated hosts. Compared after {@link normalizeSerial} (upper case, spaces collapsed).
 */
const JUNK_SERIALS = new Set(
  [
    '',
    '0',
    'NONE',
    'NULL',
    'N/A',
    'NA',
    'UNKNOWN',
    'TO BE FILLED BY O.E.M.',
    'TO BE FILLED BY OEM',
    'DEFAULT STRING',
    'SYSTEM SERIAL NUMBER',
    'CHASSIS SERIAL NUMBER',
    'SERIAL NUMBER',
    'NOT SPECIFIED',
    'NOT APPLICABLE',
    'NOT AVAILABLE',
    'NOT SET',
    'INVALID',
    'OEM',
    'O.E.M.',
    'XXXXXXXXXX',
    '123456789',
    '1234567890',
    '0123456789',
    'PROVIDED BY OEM',
    'EMPTY',
    'DEFAULT',
    'SYS-1234567890',
  ].map((s) => s.toUpperCase()),
);

/** Serial as compared: trimmed, upper case, inner white space collapsed; null when absent. */
export function normalizeSerial(serial: string | null | undefined): string | null {
  if (typeof serial !== 'string') return null;
  const s = serial.trim().replace(/\s+/g, ' ').toUpperCase();
  return s.length === 0 ? null : s;
}

/**
 * True for a serial that does not identify one machine: a known placeholder, a single repeated
 * character (`0000000`, `FFFFFFFF`, `........`), or too short to be unique (under 3 characters).
 * @example isJunkSerial('To be filled by O.E.M.') // → true
 */
export function isJunkSerial(serial: string | null | undefined): boolean {
  const s = normalizeSerial(serial);
  if (s === null) return true;
  if (JUNK_SERIALS.has(s)) return true;
  const compact = s.replace(/[\s\-.:_]/g, '');
  if (compact.length < 3) return true;
  return /^(.)\1*$/.test(compact);
}

/** Known placeholder SMBIOS UUIDs (boards that ship without one programmed). */
const JUNK_UUIDS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
  '00020003-0004-0005-0006-000700080009',
  '01234567-89ab-cdef-0123-456789abcdef',
]);

/** Lower-case canonical 8-4-4-4-12 form, or null when the text is not a UUID or is a placeholder. */
export function normalizeUuid(uuid: string | null | undefined): string | null {
  if (typeof uuid !== 'string') return null;
  const hex = uuid
    .trim()
    .toLowerCase()
    .replace(/^uuid:/, '')
    .replace(/[{}\-\s]/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  const u = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  if (JUNK_UUIDS.has(u) || /^(.)\1*$/.test(hex)) return null;
  return u;
}

/**
 * The same SMBIOS UUID as the other half of the world prints it: Windows/WMI and Linux's DMI
 * read the first three fields little-endian, vCenter and some BMCs big-endian. Matching tries
 * both so a VM seen through vCenter and through its guest is one CI.
 * @example swapUuidByteOrder('4221c0ff-1234-5678-9abc-def012345678') // → 'ffc02142-3412-7856-9abc-def012345678'
 */
export function swapUuidByteOrder(uuid: string): string {
  const [a, b, c, ...rest] = uuid.split('-');
  const rev = (s: string): string => (s.match(/../g) ?? []).reverse().join('');
  return [rev(a!), rev(b!), rev(c!), ...rest].join('-');
}

/** `aa:bb:cc:dd:ee:ff` lower case, or null when the text is not a 48-bit MAC. */
export function normalizeMac(mac: string | null | undefined): string | null {
  if (typeof mac !== 'string') return null;
  const hex = mac
    .trim()
    .toLowerCase()
    .replace(/[:\-.\s]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return null;
  return (hex.match(/../g) ?? []).join(':');
}

/**
 * Virtual-router and well-known shared MAC prefixes: the same address answers on many devices
 * (VRRP, HSRP, GLBP, CARP) or on every machine of a kind (the Windows loopback adapter).
 */
const SHARED_MAC_PREFIXES = [
  '00:00:5e:00:01', // VRRP IPv4
  '00:00:5e:00:02', // VRRP IPv6
  '00:00:0c:07:ac', // HSRP v1
  '00:00:0c:9f:f', // HSRP v2
  '00:07:b4:00', // GLBP
  '02:00:4c:4f:4f:50', // Microsoft loopback adapter
];

/** How much a MAC says about which machine it belongs to. */
export type MacStrength = 'unusable' | 'local' | 'global';

/**
 * `global` for a burnt-in (universally administered, unicast) address; `local` for a locally
 * administered one (containers, bridges, VPNs, many VMs and the lab's veths: unique only
 * sometimes); `unusable` for zero, broadcast, multicast and virtual-router addresses.
 */
export function macStrength(mac: string): MacStrength {
  const m = normalizeMac(mac);
  if (m === null || m === '00:00:00:00:00:00' || m === 'ff:ff:ff:ff:ff:ff') return 'unusable';
  const first = parseInt(m.slice(0, 2), 16);
  if ((first & 0x01) !== 0) return 'unusable';
  if (SHARED_MAC_PREFIXES.some((p) => m.startsWith(p))) return 'unusable';
  return (first & 0x02) !== 0 ? 'local' : 'global';
}

/** Host names that many machines share out of the box. */
const JUNK_HOSTNAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'localdomain',
  'unknown',
  'none',
  '(none)',
]);

/** Lower-case host name without a trailing dot; null when absent or a placeholder. */
export function normalizeName(name: string | null | undefined): string | null {
  if (typeof name !== 'string') return null;
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (n.length === 0 || JUNK_HOSTNAMES.has(n)) return null;
  return n;
}

/**
 * The host's fully qualified name for matching: the FQDN when it has a dot, else hostname +
 * domain; null without a domain, because a bare host name (`ubuntu`, `debian`, `switch`) is
 * shared by too many machines to merge on.
 */
export function fqdnKey(identity: {
  hostname: string | null;
  fqdn: string | null;
  domain: string | null;
}): string | null {
  const fqdn = normalizeName(identity.fqdn);
  if (fqdn !== null && fqdn.includes('.')) return fqdn;
  const host = normalizeName(identity.hostname);
  const domain = normalizeName(identity.domain);
  if (host === null || domain === null) return null;
  const short = host.split('.')[0]!;
  return `${short}.${domain}`;
}

/** The identifiers of one host record, strongest first, as used by {@link chooseMatch}. */
export interface RecordIdentifiers {
  uuid: string | null;
  serial: string | null;
  /** MACs usable for matching: global ones, and local ones seen by ARP for the host's own address. */
  macs: string[];
  name: string | null;
  /** The host's address (always known); a key of last resort, see `fallbackKey`. */
  address: string;
}

/**
 * Extracts what can identify the record's machine. A locally administered MAC counts only when
 * ARP saw it answering for the record's own address (the MAC of the interface we scanned);
 * local MACs a collector lists (docker0, virbr0, tun…) are regenerated or cloned too often.
 */
export function recordIdentifiers(record: HostRecord): RecordIdentifiers {
  const id = record.ci.identity;
  const serial = isJunkSerial(id.serial) ? null : normalizeSerial(id.serial);
  const macs = new Set<string>();
  const consider = (raw: string, fromArp: boolean): void => {
    const m = normalizeMac(raw);
    if (m === null) return;
    const strength = macStrength(m);
    if (strength === 'global' || (strength === 'local' && fromArp)) macs.add(m);
  };
  for (const m of record.macs) consider(m.mac, m.source === 'arp');
  for (const m of id.macs) consider(m, false);
  return {
    uuid: normalizeUuid(id.systemUuid),
    serial,
    macs: [...macs].sort(),
    name: fqdnKey(id),
    address: record.address,
  };
}

/**
 * Identifier kinds in the `ci_identifiers` index. `uuid`, `serial`, `mac`, `name` and `unid`
 * match records to CIs; `addr` and `host` (the bare host name) only resolve relationship targets.
 */
export type IdentifierKind = 'uuid' | 'serial' | 'mac' | 'name' | 'unid' | 'addr' | 'host';

export interface IdentifierKey {
  kind: IdentifierKind;
  value: string;
}

/** The `unid` key: which agent found the host at which address. */
export const unidKey = (agentId: string, address: string): string => `${agentId}|${address}`;

/** True when the record has nothing but its address to be recognised by. */
export function isUnidentified(ids: RecordIdentifiers): boolean {
  return ids.uuid === null && ids.serial === null && ids.macs.length === 0 && ids.name === null;
}

/**
 * The keys to look up candidates for a record: UUID (both byte orders), serial, MACs, name, and
 * the agent + address it was found at (`unid`: what recognises a host that answered no
 * credentialed protocol and no ARP, e.g. behind a router; see `chooseMatch` rule 5).
 */
export function lookupKeys(ids: RecordIdentifiers, agentId: string): IdentifierKey[] {
  const keys: IdentifierKey[] = [];
  if (ids.uuid !== null) {
    keys.push({ kind: 'uuid', value: ids.uuid });
    const swapped = swapUuidByteOrder(ids.uuid);
    if (swapped !== ids.uuid) keys.push({ kind: 'uuid', value: swapped });
  }
  if (ids.serial !== null) keys.push({ kind: 'serial', value: ids.serial });
  for (const m of ids.macs) keys.push({ kind: 'mac', value: m });
  if (ids.name !== null) keys.push({ kind: 'name', value: ids.name });
  keys.push({ kind: 'unid', value: unidKey(agentId, ids.address) });
  return keys;
}
