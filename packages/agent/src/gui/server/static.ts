// Serves the front end's built bundle (packages/agent/dist/gui/, made by scripts/build-gui.mjs):
// only regular files under that directory, never the server's own compiled code beside it.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScannerError } from '../../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** tsc writes the GUI's server (and nothing else) under dist/gui/ too: never served. */
const NOT_SERVED = new Set(['server', 'web']);

/** packages/agent/dist/gui/, from this module (same relative path from src/ and dist/). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../../dist/gui/', import.meta.url));
}

/** Checks that the bundle is built; ERR_NOT_SUPPORTED naming `npm run build` when it is not. */
export function checkStaticDir(dir: string): string {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ScannerError(
      'ERR_NOT_SUPPORTED',
      `the GUI is not built (${join(dir, 'index.html')} is missing): run npm run build first`,
    );
  }
  return resolve(dir);
}

/**
 * Answers a GET for `pathname` from `dir`: `/` and paths without an extension (the app's own
 * routes) get index.html; a missing file is 404. Returns after the answer is started.
 */
export async function serveStatic(
  dir: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return notFound(res);
  }
  if (rel === '/' || extname(rel) === '') rel = '/index.html';
  const first = rel.split('/')[1] ?? '';
  const file = resolve(dir, `.${rel}`);
  if (rel.includes('\0') || NOT_SERVED.has(first) || !file.startsWith(dir + sep)) {
    return notFound(res);
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return notFound(res);
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ETag: etag,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}
