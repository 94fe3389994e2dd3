// The platform's HTTP app: fastify with the body decoder, the error shape of docs/protocol.md,
// the agent and operator routes, the WebSocket hub on the same server, and the web UI seam.
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { codeForStatus, PlatformError } from '../errors.js';
import type { PlatformStore } from '../store/platform-store.js';
import { WEB_UI_PREFIX, type WebUiPlugin } from '../web/index.js';
import { AgentHub } from '../ws/hub.js';
import { registerAgentRoutes } from './agent-routes.js';
import { decodeJsonBody, DEFAULT_MAX_JSON_BYTES } from './body.js';
import { registerOperatorRoutes } from './operator-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** SHA-256 of the decoded JSON body, set by the body decoder. */
    bodySha256?: string;
  }
  interface FastifyContextConfig {
    /** Decoded JSON bytes this route accepts (default 1 MiB). */
    maxJsonBytes?: number;
  }
}

/** The agent's heartbeat interval the platform asks for (docs/protocol.md default). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;

export interface ApiDeps {
  store: PlatformStore;
  hub: AgentHub;
  heartbeatIntervalMs: number;
  now: () => Date;
}

export interface AppOptions {
  store: PlatformStore;
  heartbeatIntervalMs?: number;
  /** The clock (tests move it to see agents go offline). */
  now?: () => Date;
  /** fastify's logger option; off by default (tests), pino to stderr for `serve`. */
  logger?: FastifyServerOptions['logger'];
  /** TLS for `serve --cert --key`. */
  https?: { cert: Buffer; key: Buffer } | null;
  webUi?: WebUiPlugin;
}

export interface Platform {
  app: FastifyInstance;
  hub: AgentHub;
}

/** Store errors worth a retry: the agent keeps the batch and comes back (503 + Retry-After). */
function isTransientStoreError(err: unknown): boolean {
  const code = String((err as { code?: unknown }).code ?? '');
  return (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_LOCKED' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOENT' ||
    /^(08|53|57P|40001|40P01)/.test(code)
  );
}

/** Builds the app and its hub; the caller listens (`serve`) or injects (tests). */
export async function buildApp(opts: AppOptions): Promise<Platform> {
  const now = opts.now ?? (() => new Date());
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const app = (opts.https
    ? Fastify({
        logger: opts.logger ?? false,
        https: opts.https,
        bodyLimit: DEFAULT_MAX_JSON_BYTES,
      })
    : Fastify({
        logger: opts.logger ?? false,
        bodyLimit: DEFAULT_MAX_JSON_BYTES,
      })) as unknown as FastifyInstance;
  const hub = new AgentHub({ store: opts.store, heartbeatIntervalMs, log: app.log, now });
  hub.attach(app.server);
  // preClose, not onClose: the HTTP server's close waits for upgraded sockets, so the agents'
  // WebSockets must be closed first or close() (and serve on SIGTERM) hangs while one is connected.
  app.addHook('preClose', async () => hub.close());

  // JSON only: any other Content-Type is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    async (req: FastifyRequest, raw: Buffer) => {
      const max = req.routeOptions.config.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
      const decoded = await decodeJsonBody(raw, req.headers['content-encoding'], max);
      req.bodySha256 = decoded.sha256;
      return decoded.value;
    },
  );

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof PlatformError) {
      if (err.statusCode === 503) void reply.header('retry-after', '5');
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: { code: codeForStatus(status), message: (err as Error).message } });
    }
    if (isTransientStoreError(err)) {
      req.log.warn({ err }, 'store unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: { code: 'unavailable', message: 'the store is unavailable; retry later' } });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` },
    }),
  );

  const deps: ApiDeps = { store: opts.store, hub, heartbeatIntervalMs, now };
  registerAgentRoutes(app, deps);
  registerOperatorRoutes(app, deps);
  const webUi = opts.webUi;
  if (webUi) {
    await app.register(async (scope) => webUi(scope, { store: opts.store, hub }), {
      prefix: WEB_UI_PREFIX,
    });
    app.get('/', async (_req, reply) => reply.redirect(`${WEB_UI_PREFIX}/`, 302));
  }
  return { app, hub };
}
