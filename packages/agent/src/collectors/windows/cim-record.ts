// Parts of the Windows record only WMI and WinRM know (the 445 path leaves them out): hardware
// detail, SQL Server instances, QFE hotfixes, and which collection path produced the record.
import type { WindowsHotfix } from './software.js';

/** A hotfix as Win32_QuickFixEngineering lists it (the 445 path's come from the registry). */
export interface WindowsQfeHotfix extends Omit<WindowsHotfix, 'source'> {
  source: 'qfe';
}
export type WindowsPatch = WindowsHotfix | WindowsQfeHotfix;

export interface WindowsProcessor {
  /** `CPU0`. */
  deviceId: string | null;
  model: string | null;
  manufacturer: string | null;
  cores: number | null;
  logicalProcessors: number | null;
  maxMhz: number | null;
  socket: string | null;
}

export interface WindowsMemoryModule {
  bank: string | null;
  locator: string | null;
  capacityBytes: number | null;
  speedMhz: number | null;
  manufacturer: string | null;
  partNumber: string | null;
  serial: string | null;
}

export interface WindowsDisk {
  index: number | null;
  /** `\\.\PHYSICALDRIVE0`. */
  deviceId: string | null;
  model: string | null;
  serial: string | null;
  sizeBytes: number | null;
  /** `SCSI`, `IDE`, `USB`. */
  interfaceType: string | null;
  mediaType: string | null;
  firmware: string | null;
}

export interface WindowsLogicalDisk {
  /** `C:`. */
  deviceId: string;
  /** DriveType: 2 removable, 3 local, 4 network, 5 cdrom, 6 ram. */
  type: 'removable' | 'local' | 'network' | 'cdrom' | 'ram' | 'unknown';
  fileSystem: string | null;
  sizeBytes: number | null;
  freeBytes: number | null;
  volumeName: string | null;
  volumeSerial: string | null;
  /** The UNC path of a mapped network drive. */
  providerName: string | null;
}

export interface WindowsNic {
  /** Win32_NetworkAdapterConfiguration.Index. */
  index: number | null;
  interfaceIndex: number | null;
  description: string | null;
  /** Lower-case, colon-separated. */
  mac: string | null;
  /** Addresses with their IPv4 subnet mask or IPv6 prefix length, as Windows lists them. */
  addresses: { address: string; family: 4 | 6; subnet: string | null }[];
  gateways: string[];
  dhcpEnabled: boolean | null;
  dhcpServer: string | null;
  dnsServers: string[];
  dnsDomain: string | null;
}

/** Hardware detail WMI adds to the registry-level hardware section. */
export interface WindowsHardwareDetail {
  processors: WindowsProcessor[];
  memory: { totalBytes: number | null; modules: WindowsMemoryModule[] };
  disks: WindowsDisk[];
  logicalDisks: WindowsLogicalDisk[];
  nics: WindowsNic[];
}

export interface WindowsSqlInstance {
  /** `MSSQLSERVER` for the default instance, else the instance name. */
  name: string;
  /** `MSSQL15.MSSQLSERVER` (registry Instance Names\SQL), null when known only as a service. */
  instanceId: string | null;
  version: string | null;
  edition: string | null;
  /** `MSSQLSERVER` / `MSSQL$NAME`. */
  serviceName: string;
  /** The service's state when the service list has it. */
  state: string | null;
  source: 'registry' | 'service';
}

export type WindowsCollectorPath = 'wmi' | 'winrm' | 'smb';

/** Which path produced the record, and why the ones tried before it were left. */
export interface WindowsCollectorInfo {
  path: WindowsCollectorPath;
  fallbacks: { path: WindowsCollectorPath; code: string; message: string }[];
}
