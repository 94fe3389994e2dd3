// Crash-safe file replacement: temp file in the same directory, fsync, rename, fsync the directory.
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ScannerError } from '../errors.js';

/**
 * Replaces `path` with `data` so a reader sees either the old or the new content, never a mix,
 * even after a power cut. The temp file is created with `mode` (the final file's mode: rename
 * keeps it) and exclusively, so a planted file or symlink is never written through.
 */
export async function writeFileAtomic(
  path: string,
  data: Buffer | string,
  mode = 0o600,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await syncDirectory(dirname(path));
  } catch (err) {
    if (!renamed) await unlink(temp).catch(() => undefined);
    throw new ScannerError('ERR_IO', `cannot write ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Makes the rename durable. Windows cannot open a directory for fsync; NTFS journals renames. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
