// The reference platform (packages/platform) for the agent's contract tests: its real app and
// SQLite store in this process, listening on a loopback port, with agent tokens bound to edge-01
// and edge-02 and an admin token. What it stored is read back through its operator API. Tests
// may watch requests (headers) and hook each answer (the kill -9 test kills its child there).
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostRecord } from '@nopesight/model';
import { testPlatform } from '../../../../platform/src/testing/platform.js';
import { hostRecord } from '../../../../platform/src/testing/fixtures.js';
import { createToken } from '../../../../platform/src/tokens.js';

/** A CI as `GET /api/cmdb/ci` lists it (the fields the agent's tests read). */
export interface PlatformCi {
  id: string;
  type: string;
  name: string;
  identity: {
    hostname: string | null;
    fqdn: string | null;
    serial: string | null;
    systemUuid: string | null;
    macs: string[];
  };
  addresses: string[];
}

/** A scan log as `GET /api/discovery/scans` lists it. */
export interface PlatformScan {
  agentId: string;
  scanId: string;
  state: string;
  batchesReceived: number;
  batchesExpected: number | null;
  hosts: number;
  summary: Record<string, unknown> | null;
}

export interface ReferencePlatform {
  url: string;
  port: number;
  /** Bound to edge-01. */
  agentToken: string;
  /** Bound to edge-02 (a 403 for edge-01). */
  otherToken: string;
  adminToken: string;
  /** Method, path and headers of every request, in arrival order. */
  requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /**
   * Called once the platform has handled an upload, before the answer leaves (the batch is
   * committed when the status is 200). May kill the agent.
   */
  onUploaded: ((key: string, status: number) => void) | null;
  /** Every CI (all pages). */
  cis(): Promise<PlatformCi[]>;
  /** Every scan log. */
  scans(): Promise<PlatformScan[]>;
  /** The idempotency ledger: each stored batch's key and host count (read from its store). */
  stored(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

const tlsDir = new URL('./tls/', import.meta.url);

/** Starts the platform on 127.0.0.1 (HTTPS with the test certificate when `tls`). */
export async function startReferencePlatform(
  opts: { tls?: boolean } = {},
): Promise<ReferencePlatform> {
  const https = opts.tls
    ? {
        cert: readFileSync(new URL('platform.pem', tlsDir)),
        key: readFileSync(new URL('platform.key', tlsDir)),
      }
    : null;
  const p = await testPlatform({ https });
  const otherToken = (await createToken(p.store, { name: 'other', agentId: 'edge-02' })).token;
  const state: Pick<ReferencePlatform, 'requests' | 'onUploaded'> = {
    requests: [],
    onUploaded: null,
  };
  p.app.addHook('onRequest', async (req) => {
    state.requests.push({ method: req.method, path: req.url.split('?')[0]!, headers: req.headers });
  });
  p.app.addHook('onSend', async (req, reply) => {
    if (req.method === 'POST' && req.url.startsWith('/api/discovery/scan-data')) {
      state.onUploaded?.(String(req.headers['idempotency-key'] ?? ''), reply.statusCode);
    }
  });
  await p.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (p.app.server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const list = async <T>(path: string): Promise<T[]> => {
    const rows: T[] = [];
    // 500 per page; 100 pages is far more than any test stores.
    for (let page = 1; page <= 100; page++) {
      const res = await p.app.inject({
        method: 'GET',
        url: `${path}?page=${page}&limit=500`,
        headers: { authorization: `Bearer ${p.adminToken}` },
      });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
      const doc = res.json() as { data: T[]; pagination: { total: number } };
      rows.push(...doc.data);
      if (rows.length >= doc.pagination.total || doc.data.length === 0) break;
    }
    return rows;
  };
  return Object.assign(state, {
    url,
    port,
    agentToken: p.agentToken,
    otherToken,
    adminToken: p.adminToken,
    cis: () => list<PlatformCi>('/api/cmdb/ci'),
    scans: () => list<PlatformScan>('/api/discovery/scans'),
    stored: async () => {
      const rows = await p.store.driver.all<{ idempotency_key: string; hosts: number }>(
        'SELECT idempotency_key, hosts FROM ingest_batches',
      );
      return new Map(rows.map((r) => [r.idempotency_key, Number(r.hosts)]));
    },
    close: () => p.close(),
  });
}

/**
 * A host record the platform accepts, for address index `i` (198.18.x.y, as testHost): an SSH
 * host without identifiers, so each address is one CI (reconciliation rule 5).
 */
export function platformHost(i: number): HostRecord {
  return hostRecord({
    address: `198.18.${i >> 8}.${i & 255}`,
    hostname: null,
    domain: null,
  });
}
