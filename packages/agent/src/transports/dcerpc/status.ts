// Names for DCE/RPC fault codes, NTSTATUS and Win32 results, and the ScannerErrors they become.
import { ScannerError } from '../../errors.js';

/** Fault PDU status codes (C706 appendix E, MS-RPCE 2.2.2.11) and the Win32 codes servers fault with. */
export const FAULT_NAMES: Readonly<Record<number, string>> = {
  0x00000005: 'rpc_s_access_denied',
  0x00000008: 'rpc_s_authn_type_not_recognized',
  0x000006c6: 'rpc_x_invalid_bound',
  0x000006d8: 'rpc_fault_cant_perform',
  0x000006e4: 'rpc_s_cannot_support',
  0x000006f7: 'rpc_x_bad_stub_data',
  0x1c010001: 'nca_s_comm_failure',
  0x1c010002: 'nca_s_op_rng_error',
  0x1c010003: 'nca_s_unk_if',
  0x1c010006: 'nca_s_wrong_boot_time',
  0x1c010009: 'nca_s_you_crashed',
  0x1c01000b: 'nca_s_proto_error',
  0x1c010013: 'nca_s_out_args_too_big',
  0x1c010014: 'nca_s_server_too_busy',
  0x1c010015: 'nca_s_fault_string_too_long',
  0x1c010017: 'nca_s_unsupported_type',
  0x1c000001: 'nca_s_fault_int_div_by_zero',
  0x1c000002: 'nca_s_fault_addr_error',
  0x1c000006: 'nca_s_fault_invalid_tag',
  0x1c000007: 'nca_s_fault_invalid_bound',
  0x1c000008: 'nca_s_rpc_version_mismatch',
  0x1c000009: 'nca_s_unspec_reject',
  0x1c00000c: 'nca_s_manager_not_entered',
  0x1c00000d: 'nca_s_fault_cancel',
  0x1c000012: 'nca_s_fault_unspec',
  0x1c000013: 'nca_s_fault_remote_comm_failure',
  0x1c00001a: 'nca_s_fault_context_mismatch',
  0x1c00001b: 'nca_s_fault_remote_no_memory',
  0x1c00001c: 'nca_s_invalid_pres_context_id',
  0x1c00001d: 'nca_s_unsupported_authn_level',
  0x1c00001f: 'nca_s_invalid_checksum',
  0x1c000020: 'nca_s_invalid_crc',
  0x1c000024: 'nca_s_fault_object_not_found',
  0x16c9a0d6: 'ept_s_not_registered',
};

/** Why a server rejected a bind (bind_nak provider_reject_reason, C706 12.6.3.1). */
export const BIND_NAK_REASONS: Readonly<Record<number, string>> = {
  0: 'reason_not_specified',
  1: 'temporary_congestion',
  2: 'local_limit_exceeded',
  3: 'called_paddr_unknown',
  4: 'protocol_version_not_supported',
  5: 'default_context_not_supported',
  6: 'user_data_not_readable',
  7: 'no_psap_available',
  8: 'authentication_type_not_recognized',
  9: 'invalid_checksum',
};

/** Why a presentation context was refused (bind_ack result reason). */
export const CONTEXT_REJECT_REASONS: Readonly<Record<number, string>> = {
  0: 'reason_not_specified',
  1: 'abstract_syntax_not_supported',
  2: 'proposed_transfer_syntaxes_not_supported',
  3: 'local_limit_exceeded',
};

/** NTSTATUS and Win32 results the six interfaces return, by name. */
export const RESULT_NAMES: Readonly<Record<number, string>> = {
  0x00000000: 'STATUS_SUCCESS',
  0x00000005: 'ERROR_ACCESS_DENIED',
  0x00000002: 'ERROR_FILE_NOT_FOUND',
  0x00000006: 'ERROR_INVALID_HANDLE',
  0x00000057: 'ERROR_INVALID_PARAMETER',
  0x0000007c: 'ERROR_INVALID_LEVEL',
  0x000000ea: 'ERROR_MORE_DATA',
  0x00000103: 'ERROR_NO_MORE_ITEMS',
  0x00000424: 'ERROR_SERVICE_DOES_NOT_EXIST',
  0x00000431: 'ERROR_SERVICE_EXISTS',
  0x00000420: 'ERROR_SERVICE_ALREADY_RUNNING',
  0x00000032: 'ERROR_NOT_SUPPORTED',
  0x00000105: 'STATUS_MORE_ENTRIES',
  0x8000001a: 'STATUS_NO_MORE_ENTRIES',
  0xc0000022: 'STATUS_ACCESS_DENIED',
  0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND',
  0xc0000008: 'STATUS_INVALID_HANDLE',
  0xc000000d: 'STATUS_INVALID_PARAMETER',
  0xc0000073: 'STATUS_NONE_MAPPED',
  0xc00000bb: 'STATUS_NOT_SUPPORTED',
  0xc0000003: 'STATUS_INVALID_INFO_CLASS',
  0xc0000064: 'STATUS_NO_SUCH_USER',
  0xc00000df: 'STATUS_NO_SUCH_DOMAIN',
  0x00000107: 'STATUS_SOME_NOT_MAPPED',
};

const ACCESS_DENIED = new Set([0x00000005, 0xc0000022]);

function hex(code: number): string {
  return `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

/** "name (0x…)" for a fault or result code, or the bare hex when unknown. */
export function statusName(code: number, table: Readonly<Record<number, string>>): string {
  const name = table[code >>> 0];
  return name === undefined ? hex(code) : `${name} (${hex(code)})`;
}

/** The error for a fault PDU: ERR_RPC naming the fault. */
export function faultError(status: number, what: string): ScannerError {
  const err = new ScannerError('ERR_RPC', `${what}: RPC fault ${statusName(status, FAULT_NAMES)}`);
  Object.assign(err, { rpcStatus: status >>> 0 });
  return err;
}

/**
 * The error for an operation that returned a failure code: ERR_ACCESS_DENIED for access denied
 * (the credential lacks a right, which the platform shows as no_access), else ERR_RPC naming it.
 */
export function resultError(status: number, what: string): ScannerError {
  const code = ACCESS_DENIED.has(status >>> 0) ? 'ERR_ACCESS_DENIED' : 'ERR_RPC';
  const err = new ScannerError(code, `${what} returned ${statusName(status, RESULT_NAMES)}`);
  Object.assign(err, { rpcStatus: status >>> 0 });
  return err;
}

/** The RPC status a faultError/resultError carries, if any. */
export function rpcStatusOf(err: unknown): number | undefined {
  const v = (err as { rpcStatus?: unknown } | null)?.rpcStatus;
  return typeof v === 'number' ? v : undefined;
}
