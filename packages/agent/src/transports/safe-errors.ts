// Errors safe to keep and show: library errors copied with secrets masked; abort reasons as codes.
import { ScannerError } from '../errors.js';

const MASK = '[redacted]';
const MAX_DEPTH = 5;

/** `text` with each secret (strings of 3+ characters) replaced by a mask. */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 3) continue;
    out = out.split(secret).join(MASK);
  }
  return out;
}

/**
 * A copy of `err` safe to keep as a ScannerError `cause`: name, message, `code` and `level`
 * (ssh2) and the cause chain (bounded), with secrets masked. Every other property is dropped,
 * because libraries attach their state to errors (net-snmp puts the v3 user and its keys on
 * authentication failures).
 */
export function redactError(
  err: unknown,
  secrets: readonly (string | undefined)[],
  depth = 0,
): Error {
  if (!(err instanceof Error)) {
    return new Error(redactText(String(err), secrets));
  }
  const copy = new Error(redactText(err.message, secrets));
  copy.name = err.name;
  copy.stack = redactText(err.stack ?? '', secrets);
  const { code, level } = err as { code?: unknown; level?: unknown };
  if (typeof code === 'string' || typeof code === 'number') {
    Object.assign(copy, { code: typeof code === 'string' ? redactText(code, secrets) : code });
  }
  if (typeof level === 'string') Object.assign(copy, { level });
  if (err.cause !== undefined && depth < MAX_DEPTH) {
    Object.assign(copy, { cause: redactError(err.cause, secrets, depth + 1) });
  }
  return copy;
}

/**
 * The error for an operation stopped by `signal`: the reason itself when the caller aborted with a
 * ScannerError (a budget naming its limit), ERR_TIMEOUT for `AbortSignal.timeout()`, else
 * ERR_ABORTED. `what` names the phase (`ssh connect`).
 */
export function abortError(signal: AbortSignal, what: string): ScannerError {
  const reason: unknown = signal.reason;
  if (reason instanceof ScannerError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ScannerError('ERR_TIMEOUT', `${what} stopped by the caller's deadline`, {
      cause: redactError(reason, []),
    });
  }
  return new ScannerError('ERR_ABORTED', `${what} aborted`, {
    cause: reason === undefined ? undefined : redactError(reason, []),
  });
}
