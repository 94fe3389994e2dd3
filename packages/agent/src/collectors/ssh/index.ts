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
  /**
   * Set when the collection did not run to its end: ERR_TIMEOUT (the exec outlived the budget;
   * the sections read before are kept), ERR_PROTOCOL (refused channel, the host closed it
   * mid-stream, output without any section). Null for a complete run and for the output cap.
   */
  error: SshCollectError | null;
  stats: {
    durationMs: number;
    /** SSH exec channels used: always 1. */
    roundTrips: number;
    stdoutBytes: number;
    truncated: boolean;
    /** The exec hit `timeoutMs`; the sections are what arrived before it. */
    timedOut: boolean;
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

/** Why output without the final marker stopped, for the notes and the error. */
function endedBy(r: ExecResult, timeoutMs: number, maxBytes: number): string {
  if (r.timedOut) return `ssh command timed out after ${timeoutMs}ms`;
  if (r.truncated) return `output cut at ${maxBytes} bytes`;
  if (r.exitCode === null && r.exitSignal === null) {
    return 'the host closed the channel without an exit status';
  }
  return `the script ended early (${r.exitSignal ? `signal ${r.exitSignal}` : `exit ${r.exitCode}`})`;
}

/** Host text fit for an error message: one line, no control characters, bounded. */
function hostText(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * Collects a Linux/Unix host's inventory over an authenticated session with one exec channel.
 * Never throws for an ordinary failure (timeout, refused channel, garbage, truncated output, a
 * channel closed mid-stream): the sections say what is missing and `error` names the failure.
 * Rethrows only on abort (scan cancel).
 *
 * The script keeps its own deadline (budget minus a margin) and per-command `timeout`s, so a slow
 * host ends the script early with the remaining sections reported `timeout`. The exec limit is
 * the last resort: when it fires, the sections already read are kept and the rest are `timeout`.
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
    timedOut: r?.timedOut ?? false,
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
  const ended = split.done ? null : endedBy(result, opts.timeoutMs, maxBytes);
  if (ended && !result.truncated) warnings.push(ended);
  let inventory: SshInventory;
  try {
    inventory = buildInventory({
      sections: split.sections,
      done: split.done,
      endedBy: ended ?? undefined,
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
  const read = `${split.sections.size} sections read`;
  if (!split.sections.has('meta') && result.timedOut) {
    // Silent until the limit: a hung shell (or one far too slow to start); nothing to map.
    const message = `${ended ?? 'ssh command timed out'} before any section`;
    return {
      ...emptyInventory('timeout', message),
      error: { code: 'ERR_TIMEOUT', message },
      stats: stats(result, split.done, warnings),
    };
  }
  if (!split.sections.has('meta')) {
    // No marker at all: not a POSIX shell (a network CLI, a forced command, a password-change
    // prompt, garbage). A peer that echoes its input would echo the script, and with it a sudo
    // password; the host's text is made one printable line.
    let text = `${result.stderr}\n${result.stdout}`;
    if (opts.sudoPassword) text = text.split(opts.sudoPassword).join('***');
    text = hostText(text);
    return {
      ...emptyInventory('unsupported', 'no POSIX shell output'),
      error: {
        code: 'ERR_PROTOCOL',
        message: `the collection script produced no sections (exit ${result.exitCode ?? 'none'})${text ? `: ${text}` : ''}`,
      },
      stats: stats(result, split.done, warnings),
    };
  }
  // The output cap is this collector's own limit, not a failure of the host: the warnings say it.
  let error: SshCollectError | null = null;
  if (ended && result.timedOut) error = { code: 'ERR_TIMEOUT', message: `${ended}; ${read}` };
  else if (ended && !result.truncated)
    error = { code: 'ERR_PROTOCOL', message: `${ended}; ${read}` };
  return { ...inventory, error, stats: stats(result, split.done, warnings) };
}
