// Hardware facts the registry holds: CPUs (HARDWARE\DESCRIPTION\System\CentralProcessor) and the
// firmware's system and BIOS strings (HARDWARE\DESCRIPTION\System\BIOS, Control\SystemInformation).
import { biosDate, type ValueMap } from './values.js';

export const CENTRAL_PROCESSOR = 'HARDWARE\\DESCRIPTION\\System\\CentralProcessor';
export const BIOS = 'HARDWARE\\DESCRIPTION\\System\\BIOS';
export const SYSTEM_INFORMATION = 'SYSTEM\\CurrentControlSet\\Control\\SystemInformation';

export interface WindowsHardware {
  cpu: {
    /** ProcessorNameString of processor 0, spaces squeezed. */
    model: string | null;
    vendor: string | null;
    /** `Intel64 Family 6 Model 85 Stepping 7`. */
    identifier: string | null;
    mhz: number | null;
    /** Logical processors: the number of CentralProcessor subkeys. */
    logicalCount: number | null;
  };
  system: {
    manufacturer: string | null;
    model: string | null;
    sku: string | null;
    family: string | null;
  };
  bios: {
    vendor: string | null;
    version: string | null;
    /** YYYY-MM-DD when the registry has MM/DD/YYYY. */
    releaseDate: string | null;
  };
  baseboard: { manufacturer: string | null; product: string | null };
}

/**
 * Maps the CPU and firmware keys; SystemInformation fills what the BIOS key lacks.
 * @example windowsHardware(cpu0, 4, bios, null).cpu.logicalCount // → 4
 */
export function windowsHardware(
  cpu0: ValueMap | null,
  cpuCount: number | null,
  bios: ValueMap | null,
  sysInfo: ValueMap | null,
): WindowsHardware {
  const pick = (name: string): string | null => bios?.text(name) ?? sysInfo?.text(name) ?? null;
  return {
    cpu: {
      model: cpu0?.text('ProcessorNameString')?.replace(/\s+/g, ' ') ?? null,
      vendor: cpu0?.text('VendorIdentifier') ?? null,
      identifier: cpu0?.text('Identifier') ?? null,
      mhz: cpu0?.int('~MHz') ?? null,
      logicalCount: cpuCount,
    },
    system: {
      manufacturer: pick('SystemManufacturer'),
      model: pick('SystemProductName'),
      sku: pick('SystemSKU'),
      family: pick('SystemFamily'),
    },
    bios: {
      vendor: pick('BIOSVendor'),
      version: pick('BIOSVersion'),
      releaseDate: biosDate(pick('BIOSReleaseDate')),
    },
    baseboard: {
      manufacturer: bios?.text('BaseBoardManufacturer') ?? null,
      product: bios?.text('BaseBoardProduct') ?? null,
    },
  };
}
