// Printers of any make, through the Printer-MIB (RFC 3805, 1.3.6.1.2.1.43) and HOST-RESOURCES.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import type { HrDevice } from '../parsers/host-resources.js';
import { nonEmpty, num, tableRows, type SectionResult } from '../parsers/varbinds.js';
import { noFacts, type VendorFacts } from './vendor.js';

export const PRINTER_MIB = {
  generalEntry: '1.3.6.1.2.1.43.5.1.1',
  markerEntry: '1.3.6.1.2.1.43.10.2.1',
} as const;

export interface PrinterFacts {
  /** prtGeneralPrinterName (RFC 3805). */
  name: string | null;
  /** prtGeneralSerialNumber. */
  serial: string | null;
  /** hrDeviceDescr of the hrDevice of type printer ("HP LaserJet 4250"). */
  model: string | null;
  /** prtMarkerLifeCount summed over the markers (impressions or the unit the marker counts in). */
  lifeCount: number | null;
}

/**
 * Reads prtGeneralTable and prtMarkerTable, with the printer's hrDevice for the model.
 * `unsupported` when prtGeneralTable did not answer: not a printer (or not this MIB).
 */
export function parsePrinter(
  varbinds: readonly SnmpVarbind[],
  devices: readonly HrDevice[] = [],
): SectionResult<PrinterFacts> {
  const general = tableRows(varbinds, PRINTER_MIB.generalEntry);
  const markers = tableRows(varbinds, PRINTER_MIB.markerEntry);
  const first = general.rows[0]?.columns;
  const counts = markers.rows.map((r) => num(r.columns.get(4))).filter((n) => n !== null);
  const data: PrinterFacts = {
    name: nonEmpty(first?.get(16)),
    serial: nonEmpty(first?.get(17)),
    model: devices.find((d) => d.type === 'printer')?.description ?? null,
    lifeCount: counts.length > 0 ? counts.reduce((a, b) => a + b, 0) : null,
  };
  if (general.rows.length === 0) {
    return { state: 'unsupported', data, warnings: ['Printer-MIB prtGeneralTable not answered'] };
  }
  return { state: 'complete', data, warnings: [] };
}

/** What the Printer-MIB says about the device, as vendor facts (any make). */
export function describePrinter(p: PrinterFacts): VendorFacts {
  return {
    ...noFacts(),
    model: p.model,
    serial: p.serial,
    role: { role: 'printer', reason: 'Printer-MIB prtGeneralTable answered' },
  };
}
