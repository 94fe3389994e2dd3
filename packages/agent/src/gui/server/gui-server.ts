// The GUI's HTTP server (docs/gui.md): binds 127.0.0.1 only, checks Host/Origin on every
// request, trades the one-time token for a session cookie, requires that cookie on /api and the
// CSRF header plus a JSON content type on changes, and sets strict security headers. Routes are
// per area under routes/; the built front end is served from dist/gui/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/config.js';
import { openDataDir } from '../../config/data-dir.js';
import { LogFiles } from '../../log/logger.js';
import { agentVersion } from '../../platform/agent-runtime.js';
import { processServiceHost, type ServiceHost } from '../../service/manager.js';
import { openStore } from '../../store/index.js';
import { GuiAuth } from './auth.js';
import { matchRoute, type GuiContext, type Route } from './context.js';
import { EventHub } from './events.js';
import { ApiError, errorAnswer, readJsonObject, sendEmpty, sendJson } from './http.js';
import { credentialRoutes } from './routes/credentials.js';
import { integrationRoutes } from './routes/integration.js';
import { scanRoutes } from './routes/scans.js';
import { scheduleRoutes } from './routes/schedules.js';
import { serviceRoutes } from './routes/service.js';
import { statusRoutes } from './routes/status.js';
import { GuiScanRunner } from './scan-runner.js';
import { checkStaticDir, defaultStaticDir, serveStatic } from './static.js';
import { Watchers } from './watchers.js';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface GuiServerOptions {
  /** --data-dir as given (undefined: NOPESIGHT_DATA_DIR, then the default). */
  dataDir?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built front end; default packages/agent/dist/gui (checked: index.html must exist). */
  staticDir?: string;
  /** Tests inject a fake machine for the service routes. */
  serviceHost?: () => ServiceHost;
  /** Watcher tick (tests shorten it). */
  tickMs?: number;
}

export interface GuiServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The login URL with the one-time token: what `gui` prints and opens. */
  loginUrl: string;
  dataDir: string;
  /** Cancels a running GUI scan (its results are written), ends event streams, closes. */
  close(): Promise<void>;
}

const routes: readonly Route[] = [
  {
    method: 'GET',
    path: '/session',
    async handle(ctx) {
      return {
        status: 200,
        body: {
          version: ctx.version,
          dataDir: ctx.dir.root,
          csrf: ctx.csrf,
          platform: process.platform,
        },
      };
    },
  },
  ...integrationRoutes,
  ...credentialRoutes,
  ...scanRoutes,
  ...scheduleRoutes,
  ...serviceRoutes,
  ...statusRoutes,
];

/** Opens the data directory and starts the server on 127.0.0.1. */
export async function startGuiServer(opts: GuiServerOptions): Promise<GuiServer> {
  const staticDir = checkStaticDir(opts.staticDir ?? defaultStaticDir());
  const dir = await openDataDir(opts.dataDir, opts.env);
  const config = await loadConfig(dir.configFile);
  const logs = new LogFiles(dir.logsDir, config.logging);
  const log = logs.logger('app', { component: 'gui' });
  const store = openStore(dir);
  const auth = new GuiAuth();
  const shutdown = new AbortController();
  let watchers: Watchers | null = null;
  const hub = new EventHub((count) => watchers?.clients(count));
  const scans = new GuiScanRunner({
    dataDir: dir.root,
    env: opts.env,
    logs,
    store,
    hub,
    log,
    secrets: logs.secrets,
    onFinished: (scanId, summary) => recordScheduleRun(scanId, summary?.state ?? 'failed'),
  });
  const ctx: GuiContext = {
    dir,
    dataDirChoice: opts.dataDir ?? nonEmpty(opts.env.NOPESIGHT_DATA_DIR),
    env: opts.env,
    config,
    logs,
    log,
    secrets: logs.secrets,
    store,
    hub,
    scans,
    serviceHost: opts.serviceHost ?? processServiceHost,
    version: await agentVersion(),
    signal: shutdown.signal,
    schedulesChanged: () => watchers?.schedulesChanged(),
    csrf: auth.csrf,
  };
  watchers = new Watchers(ctx, opts.tickMs === undefined ? {} : { tickMs: opts.tickMs });

  /** A schedule's run-now started here ends: its last run says how. */
  function recordScheduleRun(scanId: string, state: string): void {
    for (const s of store.schedules.list()) {
      const last = store.schedules.runState(s.id)?.last;
      if (last?.scanId !== scanId || last.outcome !== 'started') continue;
      store.schedules.recordRun(s.id, {
        at: new Date().toISOString(),
        outcome: 'finished',
        state: state as 'completed',
        detail: 'run-now (GUI)',
        scanId,
      });
      logs
        .logger('scheduler', { component: 'scheduler', scheduleId: s.id, schedule: s.name })
        .info('schedule run finished', { scanId, state, trigger: 'run-now', source: 'gui' });
      watchers?.schedulesChanged();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('GUI request failed', { error: (err as Error)?.message });
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'ERR_GUI_INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!auth.hostAllowed(req)) {
      return sendJson(res, 421, gateError('Host must be 127.0.0.1 or localhost with this port'));
    }
    if (!auth.originAllowed(req)) {
      return sendJson(res, 403, gateError('cross-origin requests are refused'));
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return api(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      return void res.end();
    }
    const token = url.searchParams.get('token');
    if (url.pathname === '/' && token !== null) {
      const session = auth.redeem(token);
      if (!session)
        return page(
          res,
          401,
          'This GUI link was already used or is wrong. Run nopesight-scanner gui again for a new one.',
        );
      res.writeHead(303, {
        Location: '/',
        'Set-Cookie': auth.cookieFor(session),
        'Cache-Control': 'no-store',
      });
      log.info('GUI session opened', { remote: req.socket.remoteAddress });
      return void res.end();
    }
    if (!auth.authenticated(req)) {
      return page(
        res,
        401,
        'Open the link printed by nopesight-scanner gui (it holds a one-time token).',
      );
    }
    return serveStatic(staticDir, url.pathname, req, res);
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!auth.authenticated(req)) {
      return sendJson(res, 401, {
        error: {
          code: 'ERR_GUI_AUTH',
          message: 'no valid session: open the link printed by nopesight-scanner gui',
        },
      });
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      if (!auth.csrfValid(req)) {
        return sendJson(res, 403, {
          error: {
            code: 'ERR_GUI_CSRF',
            message: 'the X-NopeSight-CSRF header is missing or wrong (GET /api/session gives it)',
          },
        });
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        return sendJson(res, 415, {
          error: { code: 'ERR_GUI_BAD_REQUEST', message: 'Content-Type must be application/json' },
        });
      }
    }
    const path = url.pathname.slice('/api'.length) || '/';
    if (path === '/events' && method === 'GET') return hub.attach(res);
    const found = matchRoute(routes, method === 'HEAD' ? 'GET' : method, path);
    if (found === null) {
      return sendJson(res, 404, {
        error: { code: 'ERR_GUI_NOT_FOUND', message: `no API ${path}` },
      });
    }
    if (found === 'method') {
      return sendJson(res, 405, {
        error: { code: 'ERR_GUI_NOT_FOUND', message: `${method} is not allowed on ${path}` },
      });
    }
    let body: Promise<Record<string, unknown>> | null = null;
    try {
      const result = await found.route.handle(ctx, {
        req,
        params: found.params,
        query: url.searchParams,
        body: () => (body ??= readJsonObject(req)),
      });
      if (result.body === undefined)
        return sendEmpty(res, result.status === 200 ? 204 : result.status);
      return sendJson(res, result.status, result.body);
    } catch (err) {
      const answer = errorAnswer(err, logs.secrets, found.route.fieldOf);
      if (answer.internal) {
        log.error('GUI API error', {
          method,
          path,
          error: logs.secrets.scrub(String((err as Error)?.stack ?? err)),
        });
      }
      // A body not read (refused early) is drained so the connection stays usable.
      if (!req.readableEnded && !(err instanceof ApiError && err.status === 413)) req.resume();
      if (err instanceof ApiError && err.status === 413) res.setHeader('Connection', 'close');
      return sendJson(res, answer.status, answer.body);
    }
  }

  const port = opts.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    store.close();
    logs.close();
    throw err;
  });
  const bound = (server.address() as AddressInfo).port;
  auth.setPort(bound);
  const origin = `http://127.0.0.1:${bound}`;
  log.info('GUI started', { port: bound, dataDir: dir.root });

  let closing: Promise<void> | null = null;
  return {
    port: bound,
    origin,
    loginUrl: `${origin}/?token=${auth.token}`,
    dataDir: dir.root,
    close: () => (closing ??= closeAll(server)),
  };

  async function closeAll(s: Server): Promise<void> {
    shutdown.abort();
    await scans.stop();
    watchers?.stop();
    hub.close();
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
    log.info('GUI stopped', {});
    store.close();
    logs.close();
  }
}

function gateError(message: string) {
  return { error: { code: 'ERR_GUI_AUTH', message } };
}

function page(res: ServerResponse, status: number, text: string): void {
  const html = `<!doctype html><meta charset="utf-8"><title>NopeSight Scanner</title><p>${text}</p>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(html);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}
