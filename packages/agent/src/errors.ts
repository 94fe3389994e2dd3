// Error classes with stable codes that callers match on, and the one mapping to platform statuses.
import type { ProtocolStatus } from '@nopesight/model';

/** Every code the agent emits; docs/errors.md documents each (a test checks it). */
export const ERROR_CODES = [
  'ERR_CONFIG_INVALID',
  'ERR_TARGET_INVALID',
  'ERR_TARGET_TOO_LARGE',
  'ERR_UNREACHABLE',
  'ERR_PORT_CLOSED',
  'ERR_TIMEOUT',
  'ERR_AUTH_FAILED',
  'ERR_ACCESS_DENIED',
  'ERR_PROTOCOL',
  'ERR_RPC',
  'ERR_ABORTED',
  'ERR_VAULT_CORRUPT',
  'ERR_VAULT_KEY',
  'ERR_STORE_CORRUPT',
  'ERR_HOST_KEY_CHANGED',
  'ERR_CREDENTIAL_NOT_FOUND',
  'ERR_CREDENTIAL_SKIPPED',
  'ERR_NOT_SUPPORTED',
  'ERR_IO',
  'ERR_PLATFORM_AUTH',
  'ERR_PLATFORM_UNAVAILABLE',
  'ERR_UPLOAD_REJECTED',
  'ERR_TLS_UNTRUSTED',
  // The local GUI's API (docs/gui.md); their HTTP statuses: gui/server/http.ts statusFor.
  'ERR_GUI_AUTH',
  'ERR_GUI_CSRF',
  'ERR_GUI_BAD_REQUEST',
  'ERR_GUI_NOT_FOUND',
  'ERR_GUI_INTERNAL',
  'ERR_SCAN_RUNNING',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** `code` when it is one of ERROR_CODES (as a collector's `{code, message}` carries it), else `fallback`. */
export function knownCode(code: string | undefined, fallback: ErrorCode): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : fallback;
}

/** An error the agent raises on purpose: a stable code, a message for people, the cause kept. */
export class ScannerError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerError';
    this.code = code;
  }
}

/** True when `err` is a ScannerError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof ScannerError && err.code === code;
}

/** Maps an error to the platform's protocol status; the one place that decides it. */
export function statusForError(err: unknown): ProtocolStatus {
  if (!(err instanceof ScannerError)) return 'failed';
  switch (err.code) {
    case 'ERR_TIMEOUT':
      return 'timeout';
    case 'ERR_AUTH_FAILED':
      return 'unauthorized';
    case 'ERR_ACCESS_DENIED':
    case 'ERR_PORT_CLOSED':
      return 'no_access';
    case 'ERR_UNREACHABLE':
      return 'unreachable';
    case 'ERR_RPC':
      return 'rpc_error';
    default:
      return 'failed';
  }
}
