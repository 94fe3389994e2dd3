// HRESULTs a DCOM server answers with, by name, and the ScannerErrors they become.
import { ScannerError } from '../../errors.js';
import { statusName } from '../dcerpc/status.js';

export const E_ACCESSDENIED = 0x80070005;

/** COM and RPC HRESULTs (MS-ERREF 2.1) seen on activation and object calls. */
export const HRESULT_NAMES: Readonly<Record<number, string>> = {
  0x00000000: 'S_OK',
  0x00000001: 'S_FALSE',
  0x80004001: 'E_NOTIMPL',
  0x80004002: 'E_NOINTERFACE',
  0x80004003: 'E_POINTER',
  0x80004005: 'E_FAIL',
  0x8000ffff: 'E_UNEXPECTED',
  0x80070005: 'E_ACCESSDENIED',
  0x8007000e: 'E_OUTOFMEMORY',
  0x80070057: 'E_INVALIDARG',
  0x800706ba: 'RPC_S_SERVER_UNAVAILABLE',
  0x800706be: 'RPC_S_CALL_FAILED',
  0x80040154: 'REGDB_E_CLASSNOTREG',
  0x80080005: 'CO_E_SERVER_EXEC_FAILURE',
  0x800401fd: 'CO_E_OBJNOTCONNECTED',
  0x80010105: 'RPC_E_SERVERFAULT',
  0x80010108: 'RPC_E_DISCONNECTED',
  0x8001011b: 'RPC_E_ACCESS_DENIED',
  0x80010114: 'RPC_E_INVALID_OBJECT',
  0x80070776: 'OR_INVALID_OXID',
  0x80070777: 'OR_INVALID_OID',
  0x80070778: 'OR_INVALID_SET',
};

/** The HRESULTs that mean "authenticated, but not allowed". */
const ACCESS_DENIED = new Set([E_ACCESSDENIED, 0x8001011b, 0x80041003]);

/** True for failure HRESULTs (severity bit set). */
export function failed(hr: number): boolean {
  return (hr & 0x80000000) !== 0;
}

/**
 * The error for a failed HRESULT: ERR_ACCESS_DENIED for the access-denied family, else ERR_RPC
 * naming it. `names` adds a table (WBEM_E_*) to the COM names. The HRESULT rides on the error as
 * `hresult`.
 */
export function hresultError(
  hr: number,
  what: string,
  names: Readonly<Record<number, string>> = {},
): ScannerError {
  const code = ACCESS_DENIED.has(hr >>> 0) ? 'ERR_ACCESS_DENIED' : 'ERR_RPC';
  const table = { ...HRESULT_NAMES, ...names };
  const err = new ScannerError(code, `${what} returned ${statusName(hr, table)}`);
  Object.assign(err, { hresult: hr >>> 0 });
  return err;
}

/** The HRESULT an hresultError carries, if any. */
export function hresultOf(err: unknown): number | undefined {
  const v = (err as { hresult?: unknown } | null)?.hresult;
  return typeof v === 'number' ? v : undefined;
}
