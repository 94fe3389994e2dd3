// Splits the collection script's output into named sections by its nonce markers; bounded and forgery-proof.
import { MARKER_PREFIX } from './script.js';

/**
 * How one raw section ended. `complete`: begin and end markers seen; `cut`: begun but never ended
 * (output truncated, host closed mid-stream) or longer than the cap; `timeout`: the command hit
 * its `timeout` (exit 124/137/143) or the script's deadline skipped it; `skipped`: the script chose
 * not to run it (tool absent).
 */
export type RawSectionStatus = 'complete' | 'cut' | 'timeout' | 'skipped';

export interface RawSection {
  text: string;
  /** The command's exit status; null when no end marker was read. */
  exitCode: number | null;
  status: RawSectionStatus;
  /** Why it was skipped (`absent`, `deadline`) or cut (`no end marker`, `capped`). */
  note: string | null;
}

export interface SplitOutput {
  sections: Map<string, RawSection>;
  /** True when the script's final marker was read: every section it meant to print is here. */
  done: boolean;
  /** Lines outside any section (login banners, shell noise), counted, not kept. */
  strayLines: number;
  warnings: string[];
}

export interface SplitLimits {
  /** Sections kept; later ones are dropped with a warning. */
  maxSections?: number;
  /** Characters kept per section; more makes the section `cut` (capped). */
  maxSectionChars?: number;
}

export const DEFAULT_MAX_SECTIONS = 64;
export const DEFAULT_MAX_SECTION_CHARS = 8 * 1024 * 1024;

/** Exit codes of `timeout` (GNU 124; busybox / KILL 137; TERM 143). */
const TIMEOUT_EXITS = new Set([124, 137, 143]);
const NAME = '[a-z0-9][a-z0-9._-]{0,63}';

/**
 * Splits `output` by markers carrying `nonce`, matched only at line starts. A marker with another
 * nonce (forged by a file or a process list) is ordinary text of the section it appears in.
 * A section begun and never ended is `cut`; sections the script never reached are absent (the
 * caller knows which it expected and whether `done` was read).
 *
 * @example
 * splitSections('@@NOPESIGHT-ab begin uname@@\nLinux h 6.1 x86_64\n\n@@NOPESIGHT-ab end uname 0@@\n', 'ab')
 *   .sections.get('uname') // → { text: 'Linux h 6.1 x86_64\n', exitCode: 0, status: 'complete', note: null }
 */
export function splitSections(
  output: string,
  nonce: string,
  limits: SplitLimits = {},
): SplitOutput {
  const maxSections = limits.maxSections ?? DEFAULT_MAX_SECTIONS;
  const maxChars = limits.maxSectionChars ?? DEFAULT_MAX_SECTION_CHARS;
  const marker = `${MARKER_PREFIX}${nonce} `;
  const doneLine = `${MARKER_PREFIX}${nonce} done@@`;
  const begin = new RegExp(`^begin (${NAME})@@$`);
  const end = new RegExp(`^end (${NAME}) (\\d{1,3})( cut)?@@$`);
  const skip = new RegExp(`^skip (${NAME}) ([a-z-]{1,32})@@$`);
  const sections = new Map<string, RawSection>();
  const warnings: string[] = [];
  let dropped = 0;
  let strayLines = 0;
  let done = false;
  let open: { name: string; start: number } | null = null;

  const add = (name: string, section: RawSection): void => {
    if (sections.has(name)) {
      warnings.push(`section ${name} printed twice; the first kept`);
      return;
    }
    if (sections.size >= maxSections) {
      dropped += 1;
      return;
    }
    sections.set(name, section);
  };
  const body = (start: number, stop: number): { text: string; capped: boolean } => {
    // The script prints a newline before each end marker so the marker starts a line: drop it.
    let s = stop;
    if (s > start && output[s - 1] === '\n') s -= 1;
    if (s - start > maxChars) return { text: output.slice(start, start + maxChars), capped: true };
    return { text: output.slice(start, s), capped: false };
  };

  let pos = 0;
  while (pos < output.length && !done) {
    let eol = output.indexOf('\n', pos);
    const last = eol === -1;
    if (last) eol = output.length;
    const lineStart = pos;
    pos = eol + 1;
    if (!output.startsWith(MARKER_PREFIX, lineStart)) {
      if (open === null && output.slice(lineStart, eol).trim() !== '') strayLines += 1;
      continue;
    }
    const line = output.slice(lineStart, eol).replace(/\r$/, '');
    if (line === doneLine) {
      if (open === null) done = true;
      continue;
    }
    if (!line.startsWith(marker)) continue;
    const rest = line.slice(marker.length);
    const b = begin.exec(rest);
    const e = end.exec(rest);
    const k = skip.exec(rest);
    if (b && !last) {
      if (open !== null) {
        const { text, capped } = body(open.start, lineStart);
        add(open.name, {
          text,
          exitCode: null,
          status: 'cut',
          note: capped ? 'capped' : 'no end marker',
        });
      }
      open = { name: b[1] as string, start: pos };
    } else if (e && open !== null && e[1] === open.name) {
      const exitCode = Number(e[2]);
      const { text, capped: tooLong } = body(open.start, lineStart);
      // ` cut`: the script's own cap (`head -c`) dropped the rest of this command's output.
      const capped = tooLong || e[3] !== undefined;
      const status: RawSectionStatus = capped
        ? 'cut'
        : TIMEOUT_EXITS.has(exitCode)
          ? 'timeout'
          : 'complete';
      add(open.name, { text, exitCode, status, note: capped ? 'capped' : null });
      open = null;
    } else if (k && open === null) {
      const note = k[2] as string;
      add(k[1] as string, {
        text: '',
        exitCode: null,
        status: note === 'deadline' ? 'timeout' : 'skipped',
        note,
      });
    } else if (e || k) {
      if (warnings.length < 20) warnings.push(`marker out of order: ${rest.slice(0, 80)}`);
    }
  }
  if (open !== null) {
    const { text, capped } = body(open.start, output.length);
    add(open.name, {
      text,
      exitCode: null,
      status: 'cut',
      note: capped ? 'capped' : 'no end marker',
    });
  }
  if (dropped > 0) warnings.push(`${dropped} sections beyond the cap of ${maxSections} dropped`);
  if (strayLines > 0) warnings.push(`${strayLines} lines outside any section ignored`);
  return { sections, done, strayLines, warnings: warnings.slice(0, 20) };
}
