// A lock file holding its owner's pid, taken exclusively and taken over once its owner is gone
// (the vault's lock while key.enc is made; agent.lock for the long-running agent).
import { open, readFile, unlink } from 'node:fs/promises';
import { ScannerError } from '../errors.js';
import { processAlive } from '../store/scans.js';

/**
 * Creates `path` with this process's pid. When it exists and its pid still runs, throws ERR_IO
 * with `held(owner)`; a stale one (its process gone) is removed and taken. Two attempts at most.
 */
export async function takePidLock(path: string, held: (owner: number) => string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const handle = await open(path, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return null;
      throw new ScannerError('ERR_IO', `cannot create ${path}: ${err.message}`);
    });
    if (handle) {
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      return;
    }
    const owner = await lockOwner(path);
    if (attempt > 0 || processAlive(owner)) throw new ScannerError('ERR_IO', held(owner));
    await unlink(path).catch(() => undefined);
  }
}

/** The pid in a lock file; 0 when it is missing or unreadable. */
export async function lockOwner(path: string): Promise<number> {
  const n = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(n) && n > 0 ? n : 0;
}
