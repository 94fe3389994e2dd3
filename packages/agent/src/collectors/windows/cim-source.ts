// The CIM collector's port: WQL queries per namespace returning CimObjects, whichever transport
// carries them (WMI over DCOM, WinRM), plus the registry when the transport can read it (StdRegProv).
import type { CimObject } from '../../transports/wmio/cim-object.js';
import type { CallLimits, RegistryAccess } from './remote.js';

export interface CimQueryLimits extends CallLimits {
  /** The most objects the caller will read; the source may refuse to deliver more. */
  maxObjects: number;
}

/**
 * A logged-in Windows host answering WQL. `query` yields objects as they arrive; breaking out of
 * the loop releases the enumeration. Failures are ScannerErrors: ERR_ACCESS_DENIED when the account
 * may not read, ERR_TIMEOUT on a call limit, ERR_RPC (WMI, with the HRESULT on the error) or
 * ERR_PROTOCOL (WinRM faults) otherwise.
 */
export interface CimSource {
  /** Which transport this is, as the record names it. */
  readonly path: 'wmi' | 'winrm';
  query(namespace: string, wql: string, limits: CimQueryLimits): AsyncIterable<CimObject>;
  /** HKLM through StdRegProv, when the transport offers it; absent, software is `unsupported`. */
  readonly registry?: RegistryAccess | undefined;
  /**
   * Win32_Process.GetOwner for one process, when offered (processes the logon sessions miss):
   * `DOMAIN\user`, or null when the process is gone or has no owner.
   */
  processOwner?(pid: number, limits: CallLimits): Promise<string | null>;
  /** Releases everything; never throws. */
  close(): Promise<void>;
}
