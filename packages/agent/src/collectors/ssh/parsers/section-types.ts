// Shared result shape and text helpers for the SSH collector's pure parsers (text in, data out).
import type { SectionState } from '@nopesight/model';

/** The states a parser alone can decide; `denied` and `timeout` are decided by the collector. */
export type ParserState = Extract<SectionState, 'complete' | 'partial' | 'unsupported'>;

/**
 * What every parser returns: never throws, keeps what it could read and says what it could not.
 * `complete` — all input understood; `partial` — some lines skipped, truncated or capped;
 * `unsupported` — the output is from a system or tool this parser does not know.
 */
export interface SectionResult<T> {
  state: ParserState;
  data: T;
  /** Short human-readable notes: skipped lines (first few), caps hit, unknown formats. */
  warnings: string[];
}

/** Upper bound on lines read from one command's output; the rest is dropped and warned about. */
export const MAX_LINES = 50_000;
/** Upper bound on items (packages, processes, sockets…) kept per section. */
export const MAX_ITEMS = 20_000;
/** Upper bound on one field's length (a command line, a description); longer is cut. */
export const MAX_FIELD_CHARS = 4_096;
/** How many per-line warnings are kept before they are summarised as a count. */
export const MAX_WARNINGS = 20;

/**
 * Splits command output into lines: CRLF/CR tolerant, trailing empty line dropped, capped.
 * @example splitLines('a\r\nb\n') // → { lines: ['a', 'b'], truncated: false }
 */
export function splitLines(text: string, max = MAX_LINES): { lines: string[]; truncated: boolean } {
  const lines: string[] = [];
  let start = 0;
  const s = typeof text === 'string' ? text : '';
  while (start < s.length) {
    if (lines.length >= max) return { lines, truncated: true };
    let end = s.indexOf('\n', start);
    if (end === -1) end = s.length;
    let line = s.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lines.push(line);
    start = end + 1;
  }
  return { lines, truncated: false };
}

/** Cuts a string to `MAX_FIELD_CHARS`. @example clip('abc') // → 'abc' */
export function clip(value: string, max = MAX_FIELD_CHARS): string {
  return value.length > max ? value.slice(0, max) : value;
}

/**
 * Collects warnings with a cap, so a flood of bad lines yields one summary, not thousands.
 * @example const w = warningList(); w.add('x'); w.list() // → ['x']
 */
export function warningList(max = MAX_WARNINGS): { add(message: string): void; list(): string[] } {
  const kept: string[] = [];
  let dropped = 0;
  return {
    add(message: string): void {
      if (kept.length < max) kept.push(clip(message, 200));
      else dropped += 1;
    },
    list(): string[] {
      return dropped > 0 ? [...kept, `${dropped} more warnings not shown`] : [...kept];
    },
  };
}
