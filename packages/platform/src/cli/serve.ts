// `nopesight-platform serve`: opens the store, builds the app and listens until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { buildApp, DEFAULT_HEARTBEAT_INTERVAL_MS } from '../api/app.js';
import { openStore } from '../store/platform-store.js';
import { webUi } from '../web/ui.js';
import { EXIT, parse, storeLocation, UsageError, type CliIo } from './options.js';

export const SERVE_HELP = `Usage: nopesight-platform serve [--port N] [--host H] [--data-dir DIR]
                                [--cert FILE --key FILE] [--heartbeat-interval MS]

  --host H     address to listen on (default 127.0.0.1). Plain HTTP is served only on a loopback
               address; any other needs --cert and --key (HTTPS).
  --port N     TCP port (default 8443 with TLS, 8080 without; 0 picks a free one)
  --cert, --key  PEM certificate (chain) and private key: serve HTTPS and WSS
  --heartbeat-interval MS  what agents are asked for in the hello reply (default 15000)
  --data-dir DIR  where platform.db lives (or NOPESIGHT_PLATFORM_DATA_DIR)

The store is PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR/platform.db.
The web UI is at URL/ui (log in with an admin token: token create --role admin).
Prints "nopesight-platform listening on URL" once ready.`;

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

function intOption(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * Runs the server; resolves with the exit code once a signal has stopped it (or `stop` aborts).
 */
export async function serveCommand(args: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'heartbeat-interval': { type: 'string' },
  } as const);
  if (values.help) {
    io.stdout.write(`${SERVE_HELP}\n`);
    return EXIT.ok;
  }
  const host = values.host ?? '127.0.0.1';
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError('--cert and --key go together');
  }
  const tls = values.cert !== undefined;
  if (!tls && !isLoopbackHost(host)) {
    throw new UsageError(
      `refusing to serve plain HTTP on ${host}: tokens would cross the network in clear. ` +
        'Give --cert FILE --key FILE for HTTPS, or listen on a loopback address (--host 127.0.0.1)',
    );
  }
  const port = intOption(values.port, '--port', 0, 65535) ?? (tls ? 8443 : 8080);
  const heartbeatIntervalMs =
    intOption(values['heartbeat-interval'], '--heartbeat-interval', 1000, 3_600_000) ??
    DEFAULT_HEARTBEAT_INTERVAL_MS;
  let https: { cert: Buffer; key: Buffer } | null = null;
  if (tls) {
    try {
      https = { cert: readFileSync(values.cert!), key: readFileSync(values.key!) };
    } catch (err) {
      throw new UsageError(`cannot read the certificate or key: ${(err as Error).message}`);
    }
  }
  const store = await openStore(storeLocation(values, io));
  const { app } = await buildApp({
    store,
    https,
    heartbeatIntervalMs,
    webUi,
    logger: { level: io.env.NOPESIGHT_PLATFORM_LOG_LEVEL ?? 'info', stream: process.stderr },
  });
  let address: string;
  try {
    address = await app.listen({ port, host });
  } catch (err) {
    await app.close();
    await store.close();
    throw err;
  }
  io.stdout.write(
    `nopesight-platform listening on ${address} (store: ${store.driver.dialect} ${store.driver.location})\n`,
  );
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    stop?.addEventListener('abort', done, { once: true });
  });
  await app.close();
  await store.close();
  io.stdout.write('nopesight-platform stopped\n');
  return EXIT.ok;
}
