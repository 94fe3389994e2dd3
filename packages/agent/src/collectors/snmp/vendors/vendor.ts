// The contract of a vendor module: what it reads beyond the standard MIBs and what it concludes.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import type { PhysicalEntity } from '../parsers/entity.js';
import type { SystemFacts } from '../parsers/system.js';

/** The finer class of a device, kept in the SNMP `system` section beside the model's CiType. */
export const DEVICE_ROLES = [
  'router',
  'switch',
  'firewall',
  'printer',
  'ups',
  'access_point',
  'server',
  'workstation',
  'unknown',
] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

/** A class suggested by vendor knowledge, with the evidence in words. */
export interface RoleHint {
  role: DeviceRole;
  reason: string;
}

export interface VendorInput {
  system: SystemFacts;
  /** The outermost ENTITY-MIB chassis, when the agent has ENTITY-MIB. */
  chassis: PhysicalEntity | null;
  /** The answers to the module's `extraOids` GET (exceptions already removed). */
  extra: readonly SnmpVarbind[];
}

export interface VendorFacts {
  model: string | null;
  osName: string | null;
  osVersion: string | null;
  firmwareVersion: string | null;
  hardwareVersion: string | null;
  serial: string | null;
  role: RoleHint | null;
}

/** One vendor's knowledge. Pure: `describe` never throws and reads nothing but its input. */
export interface VendorModule {
  id: string;
  /** Display name for the record's `system.vendor`. */
  vendor: string;
  /** IANA enterprise numbers whose sysObjectIDs are this vendor's. */
  enterprises: readonly number[];
  /** Scalars (with `.0`) to GET once the vendor is known: serial, version and model where the vendor MIB has them. */
  extraOids: readonly string[];
  describe(input: VendorInput): VendorFacts;
}

/** A VendorFacts with nothing known, to spread defaults from. */
export function noFacts(): VendorFacts {
  return {
    model: null,
    osName: null,
    osVersion: null,
    firmwareVersion: null,
    hardwareVersion: null,
    serial: null,
    role: null,
  };
}

/** The text of the extra varbind for `oid` (with `.0`), or null. */
export function extraText(input: VendorInput, oid: string): string | null {
  const vb = input.extra.find((v) => v.oid === oid);
  if (vb === undefined || vb.value === null) return null;
  const s = (Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : String(vb.value))
    .replace(/\0+$/, '')
    .trim();
  return s === '' ? null : s.slice(0, 256);
}

/** First line of sysDescr, or ''. */
export function firstLine(system: SystemFacts): string {
  return (system.description ?? '').split('\n')[0] ?? '';
}
