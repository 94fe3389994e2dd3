// How a running agent notices integration.json being added, replaced or removed by another
// process (`integration add|remove`, the GUI — both write it through IntegrationStore, which
// replaces the file atomically): a stamp of the file's identity, read every few seconds. A poll
// rather than fs.watch: it behaves the same on every platform and file system, and a rename
// over the file (a new inode) is seen even when its size and time stay the same.
import { stat } from 'node:fs/promises';
import type { DataDir } from '../config/data-dir.js';
import { integrationFile } from './integration.js';

/** How often the running agent looks at integration.json (docs/service.md). */
export const INTEGRATION_POLL_MS = 3_000;

/**
 * A string that changes whenever integration.json is written or removed; null when there is no
 * such file. An unreadable directory counts as a change (the text says why).
 */
export async function integrationStamp(dir: Pick<DataDir, 'root'>): Promise<string | null> {
  try {
    const s = await stat(integrationFile(dir), { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    return `error:${code ?? (err as Error).message}`;
  }
}
