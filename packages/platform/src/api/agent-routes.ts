// The agent API (docs/protocol.md): test connection and upload.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PlatformError } from '../errors.js';
import { agentStatus } from '../agents/status.js';
import { BATCH_LIMITS, parseScanBatch } from '../ingest/validate.js';
import { authenticateAgent } from '../tokens.js';
import { PLATFORM_NAME, PLATFORM_VERSION, PROTOCOL_VERSION } from '../version.js';
import type { ApiDeps } from './app.js';

async function agentOf(deps: ApiDeps, req: FastifyRequest): Promise<string> {
  const { agentId } = await authenticateAgent(deps.store, req.headers, deps.now().toISOString());
  return agentId;
}

export function registerAgentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/discovery/agents/me', async (req) => {
    const agentId = await agentOf(deps, req);
    const row = (await deps.store.getAgent(agentId))!;
    return {
      agentId,
      name: row.name,
      status: agentStatus(
        { lastSeenAt: row.last_seen_at, reportedStatus: row.reported_status },
        deps.now().getTime(),
        deps.heartbeatIntervalMs,
      ),
      registeredAt: row.registered_at,
      lastSeenAt: row.last_seen_at,
      platform: { name: PLATFORM_NAME, version: PLATFORM_VERSION, protocol: PROTOCOL_VERSION },
    };
  });

  app.post(
    '/api/discovery/scan-data',
    { bodyLimit: BATCH_LIMITS.maxGzipBytes, config: { maxJsonBytes: BATCH_LIMITS.maxJsonBytes } },
    async (req) => {
      const agentId = await agentOf(deps, req);
      const key = req.headers['idempotency-key'];
      const batch = parseScanBatch(req.body, Array.isArray(key) ? key[0] : key);
      if (batch.agentId !== agentId) {
        throw new PlatformError(
          'bad_request',
          `the body's agentId (${batch.agentId}) is not the X-Agent-Id (${agentId})`,
        );
      }
      const now = deps.now().toISOString();
      const result = await deps.store.ingest(batch, req.bodySha256 ?? '', now);
      req.log.info(
        {
          agentId,
          scanId: batch.scanId,
          seq: batch.seq,
          hosts: batch.hosts.length,
          duplicate: result.duplicate,
        },
        'scan batch',
      );
      return { accepted: result.accepted, duplicate: result.duplicate };
    },
  );
}
