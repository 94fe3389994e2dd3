// The vendor modules in one explicit list, and the choice of module by sysObjectID enterprise.
import { cisco } from './cisco.js';
import { fortinet } from './fortinet.js';
import { hpeAruba } from './hpe-aruba.js';
import { juniper } from './juniper.js';
import { mikrotik } from './mikrotik.js';
import { paloalto } from './paloalto.js';
import { ubiquiti } from './ubiquiti.js';
import type { VendorModule } from './vendor.js';

export { describePrinter, parsePrinter, PRINTER_MIB, type PrinterFacts } from './printer.js';
export * from './vendor.js';

/** Every vendor module; adding a vendor is one file and one line here. */
export const VENDORS: readonly VendorModule[] = [
  cisco,
  juniper,
  hpeAruba,
  fortinet,
  paloalto,
  mikrotik,
  ubiquiti,
];

/** The module for an enterprise number, or null. @example vendorFor(9)?.id // → 'cisco' */
export function vendorFor(enterprise: number | null): VendorModule | null {
  if (enterprise === null) return null;
  return VENDORS.find((v) => v.enterprises.includes(enterprise)) ?? null;
}
