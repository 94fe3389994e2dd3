// Processes and connections by remote execution: one temporary service runs tasklist and netstat
// with markers between them; the parsers turn the output into the two sections.
import { randomBytes } from 'node:crypto';
import type { RemoteExecPort } from './remote.js';
import type { RemoteExecData } from './inventory.js';
import { parseNetstatAno } from './parsers/netstat.js';
import { parseTasklistCsv } from './parsers/tasklist.js';
import {
  combinedCommand,
  runRemoteCommand,
  splitCombinedOutput,
  type RemoteExecOptions,
} from './remote-exec.js';

/** The commands one run gathers, by section. */
export const EXEC_COMMANDS = [
  ['tasklist', 'tasklist /v /fo csv'],
  ['netstat', 'netstat -ano'],
] as const;

/** Command output is the console code page; UTF-8 when it decodes cleanly, else Latin-1. */
export function decodeOutput(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/**
 * Runs tasklist and netstat on the host through one temporary service and parses both. Cleanup
 * failures (a service or file left behind) are noted on both sections, which become `partial`.
 */
export async function gatherByRemoteExec(
  port: RemoteExecPort,
  opts: Omit<RemoteExecOptions, 'signal'> & { signal: AbortSignal; nonce?: string },
): Promise<RemoteExecData> {
  const nonce = opts.nonce ?? randomBytes(6).toString('hex');
  const run = await runRemoteCommand(port, combinedCommand(nonce, EXEC_COMMANDS), opts);
  const parts = splitCombinedOutput(decodeOutput(run.output), nonce);
  const tasks = parseTasklistCsv(parts.get('tasklist') ?? '');
  const sockets = parseNetstatAno(parts.get('netstat') ?? '');
  const cleanup = run.cleanupFailures.map((f) => `cleanup failed: ${f}`);
  const state = (
    s: 'complete' | 'partial' | 'unsupported',
  ): 'complete' | 'partial' | 'unsupported' =>
    cleanup.length > 0 && s === 'complete' ? 'partial' : s;
  return {
    processes: {
      state: state(tasks.state),
      data: tasks.data,
      notes: [...tasks.warnings, ...cleanup],
    },
    connections: {
      state: state(sockets.state),
      data: sockets.data,
      notes: [...sockets.warnings, ...cleanup],
    },
  };
}
