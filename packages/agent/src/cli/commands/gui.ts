// `nopesight-scanner gui`: the local web GUI (docs/gui.md) on 127.0.0.1, until Ctrl-C.
import { spawn } from 'node:child_process';
import { ScannerError } from '../../errors.js';
import { startGuiServer } from '../../gui/server/gui-server.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';

const HELP = `Usage: nopesight-scanner gui [--port N] [--no-open] [--data-dir DIR]

Serves the local web GUI on 127.0.0.1 (never another interface): integrations, credentials,
scans, schedules, the service and the agent's status, for the data directory. Prints the URL
with a one-time token, opens the browser (xdg-open, open or start) unless --no-open, and runs
until Ctrl-C (a scan started from the GUI is cancelled and its results are still written).

Options:
  --port N        listen on this port (default: a free one)
  --no-open       do not open a browser; open the printed URL yourself
  --data-dir DIR  agent data directory (or NOPESIGHT_DATA_DIR)
  -h, --help      this help

The token in the URL works once; it sets a session cookie for that browser. Run gui again
for a new link. NOPESIGHT_GUI_DIR serves the front end from another built directory.

Exit codes: 0 stopped by Ctrl-C/SIGTERM; 1 the port is taken or the GUI is not built
(npm run build); 2 bad usage.`;

const OPTIONS = {
  port: { type: 'string' },
  'no-open': { type: 'boolean' },
} as const;

/** Opens `url` in the desktop's browser; never waits, never fails (a server has none). */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [cmd, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser opener here: the printed URL is enough.
  }
}

async function runGui(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (positionals.length > 0) {
    throw new ScannerError('ERR_CONFIG_INVALID', `gui takes no arguments, got '${positionals[0]}'`);
  }
  const portText = values.port as string | undefined;
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--port must be 0-65535, got '${portText}'`);
  }
  const staticDir = io.env.NOPESIGHT_GUI_DIR;
  let server;
  try {
    server = await startGuiServer({
      dataDir: values['data-dir'] as string | undefined,
      env: io.env,
      port: portText === undefined ? 0 : Number(portText),
      ...(staticDir ? { staticDir } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      throw new ScannerError('ERR_IO', `cannot listen on 127.0.0.1:${portText}: ${e.code}`, {
        cause: err,
      });
    }
    throw err;
  }
  io.stdout.write(`GUI: ${server.loginUrl}\n`);
  io.stderr.write(`data directory ${server.dataDir}; Ctrl-C stops the GUI\n`);
  if (values['no-open'] !== true) openBrowser(server.loginUrl);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stderr.write('stopping the GUI\n');
  await server.close();
  return EXIT.ok;
}

export const guiCommand: Command = {
  name: 'gui',
  summary: 'open the local web GUI (127.0.0.1, one-time token)',
  help: HELP,
  run: runGui,
};
