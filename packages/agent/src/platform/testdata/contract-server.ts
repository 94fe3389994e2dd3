// A loopback server with the upload semantics of docs/protocol.md and scripted error answers
// (status, Retry-After, a hang-up) for the next requests: the faults the reference platform
// (reference-platform.ts) cannot be asked for. Bearer tokens bound to agent ids (401/403),
// GET /api/discovery/agents/me, POST /api/discovery/scan-data stored once per Idempotency-Key
// (a repeat answers duplicate: true), key parts checked against the body.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ScriptedAnswer {
  status: number;
  retryAfter?: string;
  /** Close the connection without answering (a network error on the agent's side). */
  hangUp?: boolean;
}

export interface ContractServer {
  url: string;
  port: number;
  /** Idempotency-Key → how many times it arrived. */
  arrivals: Map<string, number>;
  /** Idempotency-Key → the body stored the first time. */
  stored: Map<string, Record<string, unknown>>;
  /** Answers for the next upload requests, in order, before normal handling. */
  script: ScriptedAnswer[];
  /** Every request's method, path and headers (for header assertions). */
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export interface ContractServerOptions {
  /** token → agent id it is bound to. */
  tokens: Record<string, string>;
}

function send(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string, message: string, headers = {}): void {
  send(res, status, { error: { code, message } }, headers);
}

export async function startContractServer(opts: ContractServerOptions): Promise<ContractServer> {
  const state: Omit<ContractServer, 'url' | 'port' | 'close'> = {
    arrivals: new Map(),
    stored: new Map(),
    script: [],
    requests: [],
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const path = (req.url ?? '').split('?')[0]!;
    state.requests.push({ method: req.method ?? '', path, headers: req.headers });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const bound = auth ? opts.tokens[auth[1]!] : undefined;
    if (bound === undefined) return error(res, 401, 'unauthorized', 'the token is unknown or revoked');
    const agentId = String(req.headers['x-agent-id'] ?? '');
    if (bound !== agentId) return error(res, 403, 'forbidden', 'the token belongs to another agent');
    if (req.method === 'GET' && path === '/api/discovery/agents/me') {
      return send(res, 200, {
        agentId,
        name: agentId,
        status: 'online',
        registeredAt: '2026-11-29T10:00:00.000Z',
        lastSeenAt: '2026-11-29T10:05:00.000Z',
        platform: { name: 'contract-server', version: '0.0.0', protocol: 1 },
      });
    }
    if (req.method !== 'POST' || path !== '/api/discovery/scan-data') {
      return error(res, 404, 'not_found', `no route ${req.method} ${path}`);
    }
    const scripted = state.script.shift();
    if (scripted?.hangUp) {
      req.socket.destroy();
      return;
    }
    if (scripted) {
      const headers: Record<string, string> = scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {};
      return error(res, scripted.status, 'scripted', `scripted ${scripted.status}`, headers);
    }
    if (req.headers['content-encoding'] !== 'gzip') return error(res, 400, 'bad_request', 'not gzip');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(gunzipSync(raw, { maxOutputLength: 64 * 1024 * 1024 }).toString('utf8')) as Record<string, unknown>;
    } catch {
      return error(res, 400, 'bad_request', 'body is not gzip JSON');
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    if (key !== `${String(body.agentId)}:${String(body.scanId)}:${String(body.seq)}` || body.agentId !== agentId) {
      return error(res, 400, 'bad_request', 'Idempotency-Key does not match the body');
    }
    state.arrivals.set(key, (state.arrivals.get(key) ?? 0) + 1);
    const storedBefore = state.stored.has(key);
    if (!storedBefore) state.stored.set(key, body);
    if (storedBefore) return send(res, 200, { accepted: 0, duplicate: true });
    return send(res, 200, { accepted: (body.hosts as unknown[]).length, duplicate: false });
  };
  const server = createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A CONNECT proxy on loopback that records the tunnels it opened and may demand credentials. */
export async function startConnectProxy(opts: { auth?: string } = {}): Promise<{
  url: string;
  tunnels: string[];
  authHeaders: (string | undefined)[];
  close(): Promise<void>;
}> {
  const { connect } = await import('node:net');
  const tunnels: string[] = [];
  const authHeaders: (string | undefined)[] = [];
  const server = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    authHeaders.push(req.headers['proxy-authorization']);
    if (opts.auth && req.headers['proxy-authorization'] !== `Basic ${Buffer.from(opts.auth).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect({ host: host!, port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    authHeaders,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
