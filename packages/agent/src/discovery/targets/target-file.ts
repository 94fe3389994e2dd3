// Reads an @file of targets with a byte cap, so a huge file or a device cannot exhaust memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ScannerError } from '../../errors.js';
import { TARGET_LIMITS } from './spec.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a UTF-8 text file of at most `maxBytes` bytes (a BOM is dropped). Reads stop one byte
 * past the cap, so a 2 GB file or /dev/zero costs at most the cap. Errors are
 * ERR_TARGET_INVALID naming the file: missing, unreadable, a directory, too large, not UTF-8.
 * @example readTargetFile('/etc/nopesight/targets.txt') // '10.0.0.0/24\n# lab\n'
 */
export function readTargetFile(
  path: string,
  maxBytes: number = TARGET_LIMITS.maxFileBytes,
): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    if (fstatSync(fd).isDirectory()) {
      throw new ScannerError('ERR_TARGET_INVALID', `target file ${path} is a directory`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    if (total > maxBytes) throw tooLarge(path, maxBytes);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch (err) {
      throw new ScannerError('ERR_TARGET_INVALID', `target file ${path} is not UTF-8 text`, {
        cause: err,
      });
    }
  } catch (err) {
    throw err instanceof ScannerError ? err : fileError(path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * The error for a file over the cap (shared with parseTargets for injected readers).
 * @example throw tooLarge('targets.txt', TARGET_LIMITS.maxFileBytes)
 */
export function tooLarge(path: string, maxBytes: number): ScannerError {
  return new ScannerError(
    'ERR_TARGET_INVALID',
    `target file ${path} is larger than ${maxBytes.toLocaleString('en-US')} bytes; split it or use CIDRs and ranges`,
  );
}

/**
 * The error for a file that cannot be read, naming it (shared with parseTargets).
 * @example throw fileError('targets.txt', err) // 'cannot read target file targets.txt: no such file'
 */
export function fileError(path: string, err: unknown): ScannerError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (err as Error).message;
  return new ScannerError('ERR_TARGET_INVALID', `cannot read target file ${path}: ${why}`, {
    cause: err,
  });
}
