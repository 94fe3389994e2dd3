// The SSH collector core: one script over one exec channel, split into sections, mapped to the host record.
import type { SectionState } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import type { ExecOptions, ExecResult } from '../../transports/ssh/ssh-session.js';
import {
  buildInventory,
  SSH_SECTIONS,
  type SshInventory,
  type SshSectionName,
} from './inventory.js';
import { buildCollectionScript, newNonce, SCRIPT_COMMAND } from './script.js';
import { splitSections } from './sections.js';

export { buildInventory, SSH_SECTIONS } from './inventory.js';
export type { SshInventory, SshCi, SshSectionName, SshRunFacts } from './inventory.js';
export { splitSections } from './sections.js';
export { buildCollectionScript, newNonce, SCRIPT_COMMAND } from './script.js';

/** What the collector needs from a session: `SshSession` satisfies it; tests pass a fake. */
export interface SshExecutor {
  exec(cmd: string, opts: ExecOptions): Promise<ExecResult>;
}

export interface CollectSshOptions {
  signal: AbortSignal;
  /** Budget for the whole collection on this host (one exec). */
  timeoutMs: number;
  /** Cap on the script's stdout; past it the channel is closed and later sections are `timeout`. */
  maxBytes?: number;
  /** Enhanced mode: DMI and sockets of every user need root. From the credential. */
  sudo: 'none' | 'nopasswd' | 'password';
  /** Only for sudo `password`: sent inside the script over stdin, never on a command line. */
  sudoPassword?: string;
  /** Limit for each command inside the script; default a quarter of the budget, at most 60 s. */
  commandTimeoutMs?: number;
  /** Characters kept per section; default a quarter of maxBytes. */
  maxSectionBytes?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** A collection that did not produce sections: what failed, with its stable code. */
export interface SshCollectError {
  code: string;
  message: string;
}

export interface SshCollection extends SshInventory {
  /** Set when the exec itself failed (timeout, refused channel); sections then say why. */
  error: SshCollectError | null;
  stats: {
    durationMs: number;
    /** SSH exec channels used: always 1. */
    roundTrips: number;
    stdoutBytes: number;
    truncated: boolean;
    exitCode: number | null;
    /** Whether the script printed its final marker. */
    done: boolean;
    warnings: string[];
  };
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** The script stops starting sections this long before the budget, so its output arrives in time. */
const DEADLINE_MARGIN_MS = 5000;

function emptyInventory(state: SectionState, note: string): SshInventory {
  const inv = buildInventory({ sections: new Map(), done: true });
  const sections = Object.fromEntries(SSH_SECTIONS.map((s) => [s, state])) as Record<
    SshSectionName,
    SectionState
  >;
  const notes = Object.fromEntries(SSH_SECTIONS.map((s) => [s, [note]]));
  return { ...inv, sections, notes };
}

/**
 * Collects a Linux/Unix host's inventory over an authenticated session with one exec channel.
 * Never throws for an ordinary failure (timeout, refused channel, garbage, truncated output): the
 * sections say what is missing and `error` names the failure. Rethrows only on abort (scan cancel).
 *
 * The transport drops a command's output when its own timeout fires, so the script keeps its own
 * deadline (budget minus a margin) and per-command `timeout`s: a slow host ends the script early
 * with the remaining sections reported `timeout`, and the exec limit is only the last resort.
 *
 * @example
 * const inv = await collectSshInventory(session, { signal, timeoutMs: 120_000, sudo: credential.sudo });
 * inv.sections.software // → 'complete'; inv.ci.software.length // → 412
 */
export async function collectSshInventory(
  session: SshExecutor,
  opts: CollectSshOptions,
): Promise<SshCollection> {
  const now = opts.now ?? ((): Date => new Date());
  const started = now();
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const margin = Math.min(DEADLINE_MARGIN_MS, opts.timeoutMs * 0.2);
  const deadlineSec = Math.max(1, Math.floor((opts.timeoutMs - margin) / 1000));
  const commandTimeoutSec = Math.max(
    1,
    Math.floor((opts.commandTimeoutMs ?? Math.min(60_000, opts.timeoutMs / 4)) / 1000),
  );
  const maxSectionBytes = opts.maxSectionBytes ?? Math.max(64 * 1024, Math.floor(maxBytes / 4));
  const nonce = newNonce();
  const script = buildCollectionScript({
    nonce,
    sudo: opts.sudo,
    sudoPassword: opts.sudoPassword,
    commandTimeoutSec,
    deadlineSec,
    maxSectionBytes,
  });
  const stats = (
    r: ExecResult | null,
    done: boolean,
    warnings: string[],
  ): SshCollection['stats'] => ({
    durationMs: now().getTime() - started.getTime(),
    roundTrips: 1,
    stdoutBytes: r ? Buffer.byteLength(r.stdout) : 0,
    truncated: r?.truncated ?? false,
    exitCode: r?.exitCode ?? null,
    done,
    warnings,
  });

  let result: ExecResult;
  try {
    result = await session.exec(SCRIPT_COMMAND, {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      maxBytes,
      stdin: script,
    });
  } catch (err) {
    if (opts.signal.aborted) throw err;
    const code = err instanceof ScannerError ? err.code : 'ERR_PROTOCOL';
    const message = err instanceof Error ? err.message : String(err);
    const state: SectionState = code === 'ERR_TIMEOUT' ? 'timeout' : 'unsupported';
    return {
      ...emptyInventory(state, `ssh exec failed: ${code}`),
      error: { code, message },
      stats: stats(null, false, []),
    };
  }

  const split = splitSections(result.stdout, nonce, { maxSectionChars: maxSectionBytes });
  const warnings = [...split.warnings];
  if (result.truncated) warnings.push(`output cut at ${maxBytes} bytes`);
  let inventory: SshInventory;
  try {
    inventory = buildInventory({
      sections: split.sections,
      done: split.done,
      capturedAt: now().toISOString(),
    });
  } catch (err) {
    // The parsers never throw by contract; a bug in one must still not end the host's scan.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...emptyInventory('unsupported', 'inventory mapping failed'),
      error: {
        code: 'ERR_PROTOCOL',
        message: `inventory mapping failed: ${message.slice(0, 200)}`,
      },
      stats: stats(result, split.done, warnings),
    };
  }
  let error: SshCollectError | null = null;
  if (!split.sections.has('meta')) {
    // No marker at all: not a POSIX shell (a network CLI, a forced command, a password-change prompt).
    let text = `${result.stderr}\n${result.stdout}`;
    // A peer that echoes its input would echo the script, and with it a sudo password.
    if (opts.sudoPassword) text = text.split(opts.sudoPassword).join('***');
    text = text.trim().slice(0, 200);
    error = {
      code: 'ERR_PROTOCOL',
      message: `the collection script produced no sections (exit ${result.exitCode ?? 'none'})${text ? `: ${text}` : ''}`,
    };
    return {
      ...emptyInventory('unsupported', 'no POSIX shell output'),
      error,
      stats: stats(result, split.done, warnings),
    };
  }
  return { ...inventory, error, stats: stats(result, split.done, warnings) };
}
