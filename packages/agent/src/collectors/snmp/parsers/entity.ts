// ENTITY-MIB entPhysicalTable (1.3.6.1.2.1.47.1.1.1): chassis, modules, power supplies and fans.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const ENT_PHYSICAL_ENTRY = '1.3.6.1.2.1.47.1.1.1.1';

/** PhysicalClass (RFC 6933) by number. */
const CLASSES: Record<number, string> = {
  1: 'other',
  2: 'unknown',
  3: 'chassis',
  4: 'backplane',
  5: 'container',
  6: 'powerSupply',
  7: 'fan',
  8: 'sensor',
  9: 'module',
  10: 'port',
  11: 'stack',
  12: 'cpu',
  13: 'energyObject',
  14: 'battery',
  15: 'storageDrive',
};
/** Classes kept in the inventory; ports, sensors and containers are many and say little here. */
const KEPT = new Set([
  'chassis',
  'module',
  'powerSupply',
  'fan',
  'stack',
  'cpu',
  'battery',
  'storageDrive',
]);

export interface PhysicalEntity {
  index: number;
  class: string;
  description: string | null;
  name: string | null;
  /** entPhysicalVendorType, dotted. */
  vendorType: string | null;
  containedIn: number | null;
  hardwareRevision: string | null;
  firmwareRevision: string | null;
  softwareRevision: string | null;
  serial: string | null;
  manufacturer: string | null;
  model: string | null;
  fieldReplaceable: boolean | null;
}

export interface EntityFacts {
  /**
   * The outermost chassis: the chassis contained in nothing or in a stack, lowest index first; for
   * a stack, its first member. Null when no entity has class chassis.
   */
  chassis: PhysicalEntity | null;
  /** Chassis, modules, power supplies, fans, stacks, CPUs, batteries and drives, in index order. */
  components: PhysicalEntity[];
  /** How many rows the table had in all, ports and sensors included. */
  totalEntities: number;
}

/**
 * Reads entPhysicalTable. Rows without a valid class are skipped with a warning.
 * @example parseEntity(vbs).data.chassis?.serial // → 'FOC1234X0AB'
 */
export function parseEntity(varbinds: readonly SnmpVarbind[]): SectionResult<EntityFacts> {
  const table = V.tableRows(varbinds, ENT_PHYSICAL_ENTRY);
  const warnings = V.warningList();
  const all: PhysicalEntity[] = [];
  for (const row of table.rows) {
    const index = Number(row.index);
    const c = row.columns;
    const cls = CLASSES[V.num(c.get(5)) ?? -1];
    if (!Number.isInteger(index) || cls === undefined) {
      warnings.add(`entPhysical ${row.index}: no valid class`);
      continue;
    }
    const fru = V.num(c.get(16));
    all.push({
      index,
      class: cls,
      description: V.nonEmpty(c.get(2)),
      name: V.nonEmpty(c.get(7)),
      vendorType: V.oidValue(c.get(3)),
      containedIn: V.num(c.get(4)),
      hardwareRevision: V.nonEmpty(c.get(8)),
      firmwareRevision: V.nonEmpty(c.get(9)),
      softwareRevision: V.nonEmpty(c.get(10)),
      serial: V.nonEmpty(c.get(11)),
      manufacturer: V.nonEmpty(c.get(12)),
      model: V.nonEmpty(c.get(13)),
      fieldReplaceable: fru === 1 ? true : fru === 2 ? false : null,
    });
  }
  all.sort((a, b) => a.index - b.index);
  const data: EntityFacts = {
    chassis: pickChassis(all),
    components: all.filter((e) => KEPT.has(e.class)),
    totalEntities: all.length,
  };
  if (table.rows.length === 0) {
    return { state: 'unsupported', data, warnings: ['entPhysicalTable not answered'] };
  }
  const w = warnings.list();
  if (table.dropped > 0) w.push(`${table.dropped} entPhysical values dropped`);
  return { state: V.stateOf(table.dropped, w), data, warnings: w };
}

function pickChassis(all: readonly PhysicalEntity[]): PhysicalEntity | null {
  const byIndex = new Map(all.map((e) => [e.index, e]));
  const chassis = all.filter((e) => e.class === 'chassis');
  const outer = chassis.filter((e) => {
    const parent = e.containedIn === null ? undefined : byIndex.get(e.containedIn);
    return parent === undefined || parent.class === 'stack';
  });
  return outer[0] ?? chassis[0] ?? null;
}
