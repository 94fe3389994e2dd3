// NTSTATUS → ScannerError: logon failures are ERR_AUTH_FAILED, access denied ERR_ACCESS_DENIED.
import { ScannerError, type ErrorCode } from '../../errors.js';
import { describeStatus } from './smb2-header.js';

/** Statuses that mean the credentials were refused (MS-ERREF names in the message). */
const AUTH_FAILURES = new Set([
  0xc000006d, // STATUS_LOGON_FAILURE
  0xc000006a, // STATUS_WRONG_PASSWORD
  0xc0000064, // STATUS_NO_SUCH_USER
  0xc000006e, // STATUS_ACCOUNT_RESTRICTION
  0xc000006f, // STATUS_INVALID_LOGON_HOURS
  0xc0000070, // STATUS_INVALID_WORKSTATION
  0xc0000071, // STATUS_PASSWORD_EXPIRED
  0xc0000072, // STATUS_ACCOUNT_DISABLED
  0xc0000193, // STATUS_ACCOUNT_EXPIRED
  0xc0000224, // STATUS_PASSWORD_MUST_CHANGE
  0xc0000234, // STATUS_ACCOUNT_LOCKED_OUT
  0xc000015b, // STATUS_LOGON_TYPE_NOT_GRANTED
  0xc0000413, // STATUS_AUTHENTICATION_FIREWALL_FAILED
]);

/** A failed SMB2 request: the NTSTATUS is kept for callers that branch on it. */
export class Smb2StatusError extends ScannerError {
  readonly status: number;
  constructor(code: ErrorCode, status: number, message: string) {
    super(code, message);
    this.status = status >>> 0;
  }
}

/** The error for a request `what` that the server answered with `status`. */
export function statusError(label: string, what: string, status: number): Smb2StatusError {
  const s = status >>> 0;
  const code: ErrorCode = AUTH_FAILURES.has(s)
    ? 'ERR_AUTH_FAILED'
    : s === 0xc0000022
      ? 'ERR_ACCESS_DENIED'
      : 'ERR_PROTOCOL';
  return new Smb2StatusError(code, s, `${label}: ${what} failed: ${describeStatus(s)}`);
}
