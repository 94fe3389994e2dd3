// SNMPv2-MIB system group (1.3.6.1.2.1.1) and IP-MIB ipForwarding: the device's self-description.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const SYSTEM_OID = '1.3.6.1.2.1.1';
/** The system group's scalars by their arc under SYSTEM_OID. */
const ARCS = { descr: 1, objectId: 2, upTime: 3, contact: 4, name: 5, location: 6, services: 7 };
export const SYS = Object.fromEntries(
  Object.entries(ARCS).map(([k, arc]) => [k, `${SYSTEM_OID}.${arc}`]),
) as Record<keyof typeof ARCS, string>;
/** IP-MIB ipForwarding: 1 forwarding (acts as a router), 2 notForwarding. */
export const IP_FORWARDING = '1.3.6.1.2.1.4.1';

/** The scalars read with one GET (each with `.0`). */
export const SYSTEM_SCALARS = [...Object.values(SYS), IP_FORWARDING].map((o) => `${o}.0`);

/** sysServices bit (value 2^(L-1)) for OSI layer L, named. */
const LAYERS: [number, string][] = [
  [1, 'physical'],
  [2, 'datalink'],
  [3, 'internet'],
  [4, 'end-to-end'],
  [7, 'applications'],
];

export interface SystemFacts {
  description: string | null;
  /** sysObjectID, dotted without a leading dot. */
  objectId: string | null;
  name: string | null;
  location: string | null;
  contact: string | null;
  /** sysUpTime in whole seconds (the agent's uptime, usually the device's). */
  uptimeSeconds: number | null;
  /** sysServices as the agent reported it (0–127). */
  services: number | null;
  /** The layers sysServices sets: `physical`, `datalink`, `internet`, `end-to-end`, `applications`. */
  serviceLayers: string[];
  /** ipForwarding: true when the agent says it forwards IP (a router), false when not. */
  ipForwarding: boolean | null;
}

/** The layer names set in a sysServices value. @example serviceLayers(6) // → ['datalink', 'internet'] */
export function serviceLayers(services: number | null): string[] {
  if (services === null || services < 0 || services > 127) return [];
  return LAYERS.filter(([layer]) => (services & (1 << (layer - 1))) !== 0).map(([, n]) => n);
}

/**
 * Reads the system group from a GET of SYSTEM_SCALARS or a walk of 1.3.6.1.2.1.1. `unsupported`
 * when neither sysDescr nor sysObjectID answered; `partial` when one of them is missing.
 */
export function parseSystem(varbinds: readonly SnmpVarbind[]): SectionResult<SystemFacts> {
  const services = V.num(V.scalar(varbinds, SYS.services));
  const validServices = services !== null && services >= 0 && services <= 127 ? services : null;
  const fwd = V.num(V.scalar(varbinds, IP_FORWARDING));
  const up = V.num(V.scalar(varbinds, SYS.upTime));
  const data: SystemFacts = {
    description: V.text(V.scalar(varbinds, SYS.descr)),
    objectId: V.oidValue(V.scalar(varbinds, SYS.objectId)),
    name: V.nonEmpty(V.scalar(varbinds, SYS.name)),
    location: V.nonEmpty(V.scalar(varbinds, SYS.location)),
    contact: V.nonEmpty(V.scalar(varbinds, SYS.contact)),
    uptimeSeconds: up === null ? null : Math.floor(up / 100),
    services: validServices,
    serviceLayers: serviceLayers(validServices),
    ipForwarding: fwd === 1 ? true : fwd === 2 ? false : null,
  };
  const warnings: string[] = [];
  if (services !== null && validServices === null)
    warnings.push(`sysServices ${services} out of range`);
  if (data.description === null && data.objectId === null) {
    return { state: 'unsupported', data, warnings: ['sysDescr and sysObjectID not answered'] };
  }
  if (data.description === null) warnings.push('sysDescr not answered');
  if (data.objectId === null) warnings.push('sysObjectID not answered');
  return { state: warnings.length > 0 ? 'partial' : 'complete', data, warnings };
}
