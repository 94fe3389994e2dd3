// Retention of DATA_DIR/results/<scan id>.json: deletes results past the age limit, then the
// oldest until the rest fit the size limit (config `results`). Run after each scan.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsConfig } from '../config/defaults.js';

export interface RetentionOutcome {
  deleted: string[];
  keptBytes: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Cleans `dir` by `limits`. Only `*.json` files are considered (a scan's temporary file is
 * never touched); `keep` names files never deleted (the result just written). Files that vanish
 * or cannot be deleted meanwhile are skipped: retention never fails a scan.
 */
export async function cleanResults(
  dir: string,
  limits: ResultsConfig,
  opts: { keep?: readonly string[]; now?: Date } = {},
): Promise<RetentionOutcome> {
  const now = (opts.now ?? new Date()).getTime();
  const keep = new Set(opts.keep ?? []);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch {
    return { deleted: [], keptBytes: 0 };
  }
  const files: { name: string; bytes: number; mtimeMs: number }[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile()) files.push({ name, bytes: info.size, mtimeMs: info.mtimeMs });
  }
  // Newest first: what survives the size limit is the most recent.
  files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1));
  const deleted: string[] = [];
  let keptBytes = 0;
  for (const f of files) {
    const tooOld = limits.maxAgeDays > 0 && now - f.mtimeMs > limits.maxAgeDays * DAY_MS;
    const tooMuch = keptBytes + f.bytes > limits.maxTotalBytes;
    if (keep.has(f.name) || !(tooOld || tooMuch)) {
      keptBytes += f.bytes;
      continue;
    }
    if (
      await unlink(join(dir, f.name)).then(
        () => true,
        () => false,
      )
    ) {
      deleted.push(f.name);
    } else keptBytes += f.bytes;
  }
  return { deleted, keptBytes };
}
