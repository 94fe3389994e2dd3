// `logs.tail`: the last lines of one of the five logs, read backwards from the end of the file in
// bounded chunks (a 20 MB log is never read whole) and trimmed to fit one control frame.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_NAMES, type LogName } from '../log/logger.js';
import type { SecretSet } from '../log/redact.js';
import { CommandError } from './control-channel.js';

export const MAX_TAIL_LINES = 1000;
export const DEFAULT_TAIL_LINES = 100;
/** Bytes read from the end of the file at most. */
const MAX_READ_BYTES = 2 * 1024 * 1024;
/** The answer's lines stay under this (the frame limit is 1 MiB, the envelope needs room). */
const MAX_ANSWER_BYTES = 900 * 1024;
const CHUNK = 64 * 1024;

export interface TailRequest {
  log: LogName;
  lines: number;
}

/** Reads `{log, lines?}`; bad_request names the field. */
export function readTailRequest(payload: Record<string, unknown>): TailRequest {
  const log = payload.log;
  if (typeof log !== 'string' || !(LOG_NAMES as readonly string[]).includes(log)) {
    throw new CommandError('bad_request', `log must be one of ${LOG_NAMES.join(', ')}`);
  }
  const lines = payload.lines ?? DEFAULT_TAIL_LINES;
  if (!Number.isInteger(lines) || (lines as number) < 1 || (lines as number) > MAX_TAIL_LINES) {
    throw new CommandError('bad_request', `lines must be an integer from 1 to ${MAX_TAIL_LINES}`);
  }
  return { log: log as LogName, lines: lines as number };
}

/**
 * The last `lines` lines of logs/<log>.log (the current file, not its rotated ones), oldest
 * first. Lines were redacted when written; known secrets are scrubbed again on the way out.
 * `truncated` says older lines were left out to stay within the read or answer limits.
 */
export async function tailLog(
  logsDir: string,
  req: TailRequest,
  secrets?: SecretSet,
): Promise<{ log: LogName; lines: string[]; truncated: boolean }> {
  const path = join(logsDir, `${req.log}.log`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { log: req.log, lines: [], truncated: false };
    }
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    const parts: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    // Read backwards until enough lines (one more, to know the first is whole) or the cap.
    while (pos > 0 && size - pos < MAX_READ_BYTES && newlines <= req.lines) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      parts.unshift(buf);
      for (const byte of buf) if (byte === 0x0a) newlines++;
    }
    let all = Buffer.concat(parts).toString('utf8').split('\n');
    if (all.at(-1) === '') all.pop();
    // Unless the file was read from its start, the first piece may be part of a line.
    if (pos > 0) all = all.slice(1);
    const lines = all.slice(-req.lines).map((l) => (secrets ? secrets.scrub(l) : l));
    let truncated = pos > 0 && lines.length < req.lines;
    let bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 8, 0);
    while (bytes > MAX_ANSWER_BYTES && lines.length > 0) {
      bytes -= Buffer.byteLength(lines.shift()!) + 8;
      truncated = true;
    }
    return { log: req.log, lines, truncated };
  } finally {
    await handle.close();
  }
}
