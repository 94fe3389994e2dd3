// Remote execution the PAExec/smbexec way, opt-in per credential: a temporary service whose binary
// path is one cmd.exe line writing to a file under ADMIN$, read back over SMB, then the service and
// the files deleted — in finally blocks, with their own time limit, on success, error and cancel.
import { randomBytes } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import type { CallLimits, RemoteExecPort } from './remote.js';

export interface RemoteExecOptions {
  signal: AbortSignal;
  /** Limit for each service or file call. */
  callTimeoutMs: number;
  /** How long to wait for the output file after the service started. */
  waitMs: number;
  /** Largest output read back. */
  maxOutputBytes: number;
  /** Time allowed for the cleanup calls, which run even after `signal` aborted. */
  cleanupTimeoutMs?: number;
  /** Pause between looks for the output file (injected so tests need no real time). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random suffix for the service and file names (tests fix it). */
  random?: () => string;
}

/** What ran, what came back, and whether everything was cleaned up. */
export interface RemoteExecResult {
  output: Buffer;
  serviceName: string;
  outputPath: string;
  /** Cleanup steps that failed (the service or a file may be left behind); empty when clean. */
  cleanupFailures: string[];
}

const POLL_MS = 500;
/** Win32 errors StartService returns for a binary that is not a service: the command still ran. */
const START_EXPECTED = [1053, 1067];

/** Sleeps `ms` or rejects as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): ScannerError {
  const reason: unknown = signal.reason;
  return reason instanceof ScannerError
    ? reason
    : new ScannerError('ERR_ABORTED', 'remote execution cancelled', { cause: reason });
}

/** The Win32 error a failed svcctl call carries (rpcStatus), if any. */
function win32Status(err: unknown): number | undefined {
  const v = (err as { rpcStatus?: unknown } | null)?.rpcStatus;
  return typeof v === 'number' ? v : undefined;
}

/**
 * The service's binary path: cmd.exe runs `command` with stdout and stderr into `tmp`, then renames
 * it to `done`, so the output file appears only once complete.
 * @example serviceCommand('netstat -ano', 'Temp\\a.tmp', 'Temp\\a.txt')
 *   // → '%COMSPEC% /Q /C "netstat -ano > %SystemRoot%\\Temp\\a.tmp 2>&1 & move /Y %SystemRoot%\\Temp\\a.tmp %SystemRoot%\\Temp\\a.txt > nul"'
 */
export function serviceCommand(command: string, tmp: string, done: string): string {
  const at = (p: string): string => `%SystemRoot%\\${p}`;
  return `%COMSPEC% /Q /C "${command} > ${at(tmp)} 2>&1 & move /Y ${at(tmp)} ${at(done)} > nul"`;
}

/**
 * Runs one command line on the host as LocalSystem through a temporary service and returns its
 * output. Order: create the service, start it (the "not a service" timeout is expected: cmd.exe
 * ran), look for the output file until `waitMs`, read it; then, whatever happened — error,
 * timeout, cancel — delete the service (if this call created it) and both files, each with a fresh
 * time limit. Cleanup failures are returned (and never hide the original error).
 */
export async function runRemoteCommand(
  port: RemoteExecPort,
  command: string,
  opts: RemoteExecOptions,
): Promise<RemoteExecResult> {
  const suffix = (opts.random ?? (() => randomBytes(6).toString('hex')))();
  const serviceName = `NopeSight-${suffix}`;
  const tmpPath = `Temp\\nopesight-${suffix}.tmp`;
  const outputPath = `Temp\\nopesight-${suffix}.txt`;
  const sleep = opts.sleep ?? abortableSleep;
  const limits: CallLimits = { signal: opts.signal, timeoutMs: opts.callTimeoutMs };
  const cleanupFailures: string[] = [];
  let created = false;
  try {
    await port.createService(serviceName, serviceCommand(command, tmpPath, outputPath), limits);
    created = true;
    try {
      await port.startService(serviceName, limits);
    } catch (err) {
      const status = win32Status(err);
      if (status === undefined || !START_EXPECTED.includes(status)) throw err;
    }
    const deadline = Date.now() + opts.waitMs;
    // Bounded: one look per POLL_MS until the deadline, and never more than waitMs/POLL_MS + 1.
    const maxLooks = Math.ceil(opts.waitMs / POLL_MS) + 1;
    for (let look = 0; look < maxLooks; look++) {
      const output = await port.readFile(outputPath, opts.maxOutputBytes, limits);
      if (output !== null) return { output, serviceName, outputPath, cleanupFailures };
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS, opts.signal);
    }
    throw new ScannerError(
      'ERR_TIMEOUT',
      `remote command: no output in ADMIN$\\${outputPath} within ${opts.waitMs} ms`,
    );
  } finally {
    // A fresh signal: cleanup must run after a cancel or a spent host budget too.
    const cleanup: CallLimits = {
      signal: AbortSignal.timeout(opts.cleanupTimeoutMs ?? opts.callTimeoutMs),
      timeoutMs: opts.callTimeoutMs,
    };
    if (created) {
      try {
        await port.deleteService(serviceName, cleanup);
      } catch (err) {
        cleanupFailures.push(`service ${serviceName}: ${(err as Error).message}`);
      }
    }
    for (const path of [outputPath, tmpPath]) {
      try {
        await port.deleteFile(path, cleanup);
      } catch (err) {
        cleanupFailures.push(`ADMIN$\\${path}: ${(err as Error).message}`);
      }
    }
  }
}

/** The marker lines that split one run's output into the commands' outputs. */
export function sectionMarker(nonce: string, name: string): string {
  return `==NOPESIGHT-${nonce} ${name}==`;
}

/**
 * One cmd.exe line running each command after an echoed marker, so one service run gathers all.
 * @example combinedCommand('ab', [['tasklist', 'tasklist /v /fo csv']])
 *   // → '(echo ==NOPESIGHT-ab tasklist== & tasklist /v /fo csv)'
 */
export function combinedCommand(
  nonce: string,
  commands: readonly (readonly [string, string])[],
): string {
  return `(${commands.map(([name, cmd]) => `echo ${sectionMarker(nonce, name)} & ${cmd}`).join(' & ')})`;
}

/** Splits combined output back into each command's text, by the markers carrying `nonce`. */
export function splitCombinedOutput(text: string, nonce: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^==NOPESIGHT-${nonce} ([a-z0-9-]{1,32})==\\s*$`, 'gm');
  const marks = [...text.matchAll(re)];
  for (const [i, m] of marks.entries()) {
    const start = m.index + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index : text.length;
    if (!out.has(m[1]!)) out.set(m[1]!, text.slice(start, end).replace(/^\r?\n/, ''));
  }
  return out;
}
