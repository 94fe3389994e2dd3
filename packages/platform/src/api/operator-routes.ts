// The operator API (admin token): agents and their commands, CMDB reads, scan logs, CSV export.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PlatformError } from '../errors.js';
import { connectionQuality } from '../agents/connection-quality.js';
import { agentView, type AgentView } from '../agents/status.js';
import { AGENT_ID_PATTERN } from '../ingest/validate.js';
import type { CiView, Page, Paged, RelationshipView, ScanView } from '../store/platform-store.js';
import { authenticateAdmin } from '../tokens.js';
import { COMMAND_TYPES, type CommandType } from '../ws/hub.js';
import type { ApiDeps } from './app.js';
import { toCsv, type CsvColumn } from './csv.js';
import { MAX_LIMIT, optionalString, parseFormat, parsePage } from './paging.js';

/** How long `POST …/commands` waits for the agent by default, and at most. */
export const COMMAND_TIMEOUT_MS = { default: 30_000, max: 300_000 } as const;

/** Columns that are a field of the row as it is. */
const fields = <T>(...names: (keyof T & string)[]): CsvColumn<T>[] =>
  names.map((n) => ({ header: n, get: (r: T) => r[n] }));

const IDENTITY_FIELDS = ['hostname', 'fqdn', 'domain', 'serial', 'systemUuid'] as const;

const CI_COLUMNS: CsvColumn<CiView>[] = [
  ...fields<CiView>('id', 'type', 'name'),
  ...IDENTITY_FIELDS.map((k) => ({ header: k, get: (c: CiView) => c.identity[k] })),
  { header: 'macs', get: (c) => ((c.identity.macs as string[] | undefined) ?? []).join(' ') },
  { header: 'addresses', get: (c) => c.addresses.join(' ') },
  {
    header: 'sections',
    get: (c) =>
      Object.entries(c.sections as Record<string, { state: string }>)
        .map(([k, v]) => `${k}:${v.state}`)
        .join(' '),
  },
  ...fields<CiView>('firstSeenAt', 'lastSeenAt'),
];

const RELATIONSHIP_COLUMNS = fields<RelationshipView>(
  'id',
  'type',
  'sourceCiId',
  'sourceName',
  'target',
  'targetCiId',
  'evidence',
  'agentId',
  'firstSeenAt',
  'lastSeenAt',
);

const flatStatuses = (p: Record<string, Record<string, number>>): string =>
  Object.entries(p)
    .flatMap(([proto, st]) => Object.entries(st).map(([s, n]) => `${proto}:${s}=${n}`))
    .join(' ');

const SCAN_COLUMNS: CsvColumn<ScanView>[] = [
  ...fields<ScanView>(
    'agentId',
    'scanId',
    'state',
    'batchesReceived',
    'batchesExpected',
    'hosts',
    'startedAt',
    'finishedAt',
    'durationMs',
  ),
  { header: 'protocolStatuses', get: (s) => flatStatuses(s.protocols) },
];

const AGENT_COLUMNS = fields<AgentView>(
  'agentId',
  'name',
  'status',
  'connected',
  'lastSeenAt',
  'version',
  'scansCompleted',
).concat({ header: 'connectionQuality', get: (a) => a.connection.grade });

/**
 * Answers a list: one page as `{data, pagination}`, or with `format=csv` every row (fetched a
 * page of 500 at a time) as text/csv.
 */
async function list<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  fetch: (p: Page) => Promise<Paged<T>>,
  columns: CsvColumn<T>[],
  filename: string,
) {
  const q = req.query as Record<string, unknown>;
  const format = parseFormat(q);
  if (format === 'json') {
    const page = parsePage(q);
    const { data, total } = await fetch(page);
    return { data, pagination: { page: page.page, limit: page.limit, total } };
  }
  const first = await fetch({ page: 1, limit: MAX_LIMIT });
  const rows = [...first.data];
  const pages = Math.ceil(first.total / MAX_LIMIT);
  for (let p = 2; p <= pages; p++) rows.push(...(await fetch({ page: p, limit: MAX_LIMIT })).data);
  void reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}.csv"`);
  return toCsv(columns, rows);
}

export function registerOperatorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, hub } = deps;
  const admin = async (req: FastifyRequest) => {
    await authenticateAdmin(store, req.headers.authorization);
  };

  const agentViews = async (): Promise<AgentView[]> => {
    const [rows, completed] = await Promise.all([store.listAgents(), store.completedScans()]);
    const nowMs = deps.now().getTime();
    const heartbeatIntervalMs = deps.heartbeatIntervalMs;
    return rows.map((r) => {
      const connected = hub.isConnected(r.agent_id);
      return agentView(r, {
        nowMs,
        heartbeatIntervalMs,
        connected,
        scansCompleted: completed.get(r.agent_id) ?? 0,
        connection: connectionQuality(hub.linkStats(r.agent_id), {
          connected,
          nowMs,
          heartbeatIntervalMs,
        }),
      });
    });
  };

  app.get('/api/discovery/agents', { preHandler: admin }, async (req, reply) =>
    list(
      req,
      reply,
      async (p) => {
        const all = await agentViews();
        return { data: all.slice((p.page - 1) * p.limit, p.page * p.limit), total: all.length };
      },
      AGENT_COLUMNS,
      'agents',
    ),
  );

  app.post<{ Params: { agentId: string } }>(
    '/api/discovery/agents/:agentId/commands',
    { preHandler: admin },
    async (req) => {
      const { agentId } = req.params;
      if (!AGENT_ID_PATTERN.test(agentId)) throw new PlatformError('bad_request', 'bad agent id');
      const body = req.body as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new PlatformError('bad_request', 'the body must be {type, payload, timeoutMs?}');
      }
      if (!COMMAND_TYPES.includes(body.type as CommandType)) {
        throw new PlatformError('bad_request', `type must be one of ${COMMAND_TYPES.join(', ')}`);
      }
      const payload = body.payload ?? {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new PlatformError('bad_request', 'payload must be an object');
      }
      const timeoutMs = body.timeoutMs ?? COMMAND_TIMEOUT_MS.default;
      if (
        !Number.isInteger(timeoutMs) ||
        (timeoutMs as number) < 1 ||
        (timeoutMs as number) > COMMAND_TIMEOUT_MS.max
      ) {
        throw new PlatformError('bad_request', `timeoutMs must be 1-${COMMAND_TIMEOUT_MS.max}`);
      }
      if (!(await store.getAgent(agentId))) {
        throw new PlatformError('not_found', `no agent ${agentId} has registered`);
      }
      const r = await hub.request(
        agentId,
        body.type as CommandType,
        payload as Record<string, unknown>,
        timeoutMs as number,
      );
      return { agentId, type: r.type, payload: r.payload };
    },
  );

  app.get('/api/cmdb/ci', { preHandler: admin }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filter = { type: optionalString(q, 'type'), q: optionalString(q, 'q') };
    return list(req, reply, (p) => store.listCis(filter, p), CI_COLUMNS, 'cis');
  });

  app.get<{ Params: { id: string } }>('/api/cmdb/ci/:id', { preHandler: admin }, async (req) => {
    const ci = await store.getCi(req.params.id);
    if (!ci) throw new PlatformError('not_found', `no CI ${req.params.id}`);
    const rels = await store.listRelationships({ ciId: ci.id }, { page: 1, limit: MAX_LIMIT });
    return { ...ci, relationships: rels.data, relationshipsTotal: rels.total };
  });

  app.get('/api/cmdb/relationships', { preHandler: admin }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filter = { ciId: optionalString(q, 'ciId'), type: optionalString(q, 'type') };
    return list(
      req,
      reply,
      (p) => store.listRelationships(filter, p),
      RELATIONSHIP_COLUMNS,
      'relationships',
    );
  });

  app.get('/api/discovery/scans', { preHandler: admin }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filter = { agentId: optionalString(q, 'agentId') };
    return list(req, reply, (p) => store.listScans(filter, p), SCAN_COLUMNS, 'scans');
  });
}
