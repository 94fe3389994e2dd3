// The platform's store: every read and write the server and the CLI make, over one SqlDriver.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDriver, SqlValue } from './driver.js';
import { migrate } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import {
  decode,
  type AgentRow,
  type CiRow,
  type RelationshipRow,
  type ScanRow,
  type TokenRow,
} from './rows.js';
import { ingestBatch, type IngestResult } from '../ingest/ingest.js';
import type { ScanBatch } from '../ingest/validate.js';

export type TokenRole = 'agent' | 'admin';

/** A token as listed: never its hash or value. */
export interface TokenInfo {
  id: string;
  name: string;
  role: TokenRole;
  agentId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Page {
  page: number;
  limit: number;
}

export interface Paged<T> {
  data: T[];
  total: number;
}

export interface HeartbeatFacts {
  status: string;
  error: { code: string; message: string } | null;
  metrics: unknown;
}

const offset = (p: Page): number => (p.page - 1) * p.limit;

const tokenInfo = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role as TokenRole,
  agentId: r.agent_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** A CI as the API shows it. */
export interface CiView {
  id: string;
  type: string;
  typeReason: string;
  name: string;
  identity: Record<string, unknown>;
  /** Section name → `{state, data, observedAt, checkedAt}` (reconcile/merge.ts SectionEntry). */
  sections: Record<string, unknown>;
  addresses: string[];
  discovery: unknown;
  sources: unknown[];
  firstSeenAt: string;
  lastSeenAt: string;
}

/** A relationship as the API shows it; `targetCiId` is resolved when read. */
export interface RelationshipView {
  id: string;
  type: string;
  sourceCiId: string;
  sourceName: string | null;
  target: string;
  targetKind: string;
  targetCiId: string | null;
  evidence: Record<string, unknown>;
  agentId: string;
  scanId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * A row in API form: snake_case columns become camelCase keys, the JSON columns named in `json`
 * are decoded (their value when NULL given), and the columns in `omit` are left out.
 */
function fromRow(row: object, json: Record<string, unknown>, omit: string[] = []) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (omit.includes(k)) continue;
    const key = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = k in json ? decode(v as string | null, json[k]) : v;
  }
  return out;
}

export const ciFromRow = (r: CiRow): CiView =>
  fromRow(r, {
    identity: {},
    sections: {},
    addresses: [],
    discovery: null,
    sources: [],
  }) as unknown as CiView;

export const relationshipFromRow = (r: RelationshipRow): RelationshipView =>
  fromRow(r, { evidence: {} }, ['target_value', 'dedupe_key']) as unknown as RelationshipView;

export function scanFromRow(r: ScanRow) {
  return {
    agentId: r.agent_id,
    scanId: r.scan_id,
    state: r.state,
    batchesReceived: Number(r.batches),
    batchesExpected: r.final_seq === null ? null : Number(r.final_seq) + 1,
    hosts: Number(r.hosts),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    /** Per protocol, per status, from the host records received. */
    protocols: decode<Record<string, Record<string, number>>>(r.protocol_statuses, {}),
    summary: decode<unknown>(r.summary, null),
    progress: decode<unknown>(r.progress, null),
    firstBatchAt: r.first_batch_at,
    updatedAt: r.updated_at,
  };
}
export type ScanView = ReturnType<typeof scanFromRow>;

/**
 * The target CI of a relationship, resolved when read (so an edge reported before its target was
 * scanned resolves once it is): an address, a MAC, or a name matched against FQDNs and bare host
 * names.
 */
const RELATIONSHIP_SELECT = `
  SELECT r.*, s.name AS source_name,
    (SELECT i.ci_id FROM ci_identifiers i
      WHERE i.value = r.target_value
        AND (i.kind = r.target_kind OR (r.target_kind = 'name' AND i.kind = 'host'))
      ORDER BY i.kind LIMIT 1) AS target_ci_id
  FROM relationships r JOIN cis s ON s.id = r.source_ci_id`;

/** A WHERE clause from optional conditions, each `[sql, ...params]` or a falsy value (skipped). */
function where(...conds: (readonly [string, ...SqlValue[]] | false | undefined | '')[]) {
  const used = conds.filter((c): c is readonly [string, ...SqlValue[]] => Boolean(c));
  return {
    sql: used.length > 0 ? `WHERE ${used.map((c) => c[0]).join(' AND ')}` : '',
    params: used.flatMap(([, ...p]) => p),
  };
}

export class PlatformStore {
  readonly driver: SqlDriver;

  constructor(driver: SqlDriver) {
    this.driver = driver;
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /** One page of `from` (a table or subquery) filtered by `w`, and the total count. */
  async #paged<R extends object, V>(
    from: string,
    w: { sql: string; params: SqlValue[] },
    order: string,
    page: Page,
    view: (r: R) => V,
  ): Promise<Paged<V>> {
    const [rows, count] = await Promise.all([
      this.driver.all<R>(`SELECT * FROM ${from} ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, [
        ...w.params,
        page.limit,
        offset(page),
      ]),
      this.driver.get<{ n: number }>(`SELECT count(*) AS n FROM ${from} ${w.sql}`, w.params),
    ]);
    return { data: rows.map(view), total: Number(count?.n ?? 0) };
  }

  // Tokens ---------------------------------------------------------------------------------------

  /** Stores a token by its hash. Refuses a name an active token already has. */
  async insertToken(t: {
    name: string;
    role: TokenRole;
    agentId: string | null;
    hash: string;
    now: string;
  }): Promise<TokenInfo> {
    const id = randomUUID();
    try {
      await this.driver.run(
        'INSERT INTO tokens (id, name, role, agent_id, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [id, t.name, t.role, t.agentId, t.hash, t.now],
      );
    } catch (err) {
      if (/unique/i.test((err as Error).message)) {
        throw new Error(`an active token named ${JSON.stringify(t.name)} exists already`, {
          cause: err,
        });
      }
      throw err;
    }
    const row = await this.driver.get<TokenRow>('SELECT * FROM tokens WHERE id = ?', [id]);
    return tokenInfo(row!);
  }

  async listTokens(): Promise<TokenInfo[]> {
    const rows = await this.driver.all<TokenRow>('SELECT * FROM tokens ORDER BY created_at, name');
    return rows.map(tokenInfo);
  }

  /** Revokes the active token called `name`; false when there is none. */
  async revokeToken(name: string, now: string): Promise<boolean> {
    const r = await this.driver.run(
      'UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL',
      [now, name],
    );
    return r.changes > 0;
  }

  /** The active token with this hash. */
  async findActiveToken(hash: string): Promise<TokenInfo | undefined> {
    const row = await this.driver.get<TokenRow>(
      'SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL',
      [hash],
    );
    return row ? tokenInfo(row) : undefined;
  }

  /**
   * Binds an unbound token to the agent using it first; returns the agent the token is bound to
   * afterwards (this one, or the one that won a race).
   */
  async bindToken(tokenId: string, agentId: string, now: string): Promise<string | null> {
    await this.driver.run(
      'UPDATE tokens SET agent_id = COALESCE(agent_id, ?), last_used_at = ? WHERE id = ?',
      [agentId, now, tokenId],
    );
    const row = await this.driver.get<{ agent_id: string | null }>(
      'SELECT agent_id FROM tokens WHERE id = ?',
      [tokenId],
    );
    return row?.agent_id ?? null;
  }

  // Agents ---------------------------------------------------------------------------------------

  /** Registers the agent on its first authenticated contact and records the contact. */
  async touchAgent(agentId: string, now: string): Promise<void> {
    await this.driver.run(
      `INSERT INTO agents (agent_id, name, registered_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      [agentId, agentId, now, now],
    );
  }

  async getAgent(agentId: string): Promise<AgentRow | undefined> {
    return this.driver.get<AgentRow>('SELECT * FROM agents WHERE agent_id = ?', [agentId]);
  }

  async listAgents(): Promise<AgentRow[]> {
    return this.driver.all<AgentRow>('SELECT * FROM agents ORDER BY agent_id');
  }

  async recordHello(agentId: string, hello: unknown, now: string): Promise<void> {
    const name =
      typeof (hello as { hostname?: unknown }).hostname === 'string'
        ? (hello as { hostname: string }).hostname
        : agentId;
    await this.driver.run(
      'UPDATE agents SET hello = ?, name = ?, last_seen_at = ?, last_heartbeat_at = ? WHERE agent_id = ?',
      [JSON.stringify(hello), name, now, now, agentId],
    );
  }

  async recordHeartbeat(agentId: string, hb: HeartbeatFacts, now: string): Promise<void> {
    await this.driver.run(
      `UPDATE agents SET reported_status = ?, reported_error = ?, metrics = ?, last_seen_at = ?,
         last_heartbeat_at = ? WHERE agent_id = ?`,
      [
        hb.status,
        hb.error === null ? null : JSON.stringify(hb.error),
        JSON.stringify(hb.metrics ?? null),
        now,
        now,
        agentId,
      ],
    );
  }

  /** Completed scans per agent (state `completed` in the scan log). */
  async completedScans(): Promise<Map<string, number>> {
    const rows = await this.driver.all<{ agent_id: string; n: number }>(
      "SELECT agent_id, count(*) AS n FROM scans WHERE state = 'completed' GROUP BY agent_id",
    );
    return new Map(rows.map((r) => [r.agent_id, Number(r.n)]));
  }

  // Scans ----------------------------------------------------------------------------------------

  /** Records `scan.progress` (creates the scan log when the first batch has not come yet). */
  async recordScanProgress(agentId: string, scanId: string, progress: unknown, now: string) {
    await this.driver.run(
      `INSERT INTO scans (agent_id, scan_id, state, progress, protocol_statuses, updated_at)
       VALUES (?, ?, 'running', ?, '{}', ?)
       ON CONFLICT (agent_id, scan_id) DO UPDATE SET progress = excluded.progress,
         updated_at = excluded.updated_at`,
      [agentId, scanId, JSON.stringify(progress), now],
    );
  }

  /** Records `scan.completed`: its state and summary, unless the final batch brought them already. */
  async recordScanCompleted(
    agentId: string,
    scanId: string,
    state: string,
    summary: unknown,
    now: string,
  ) {
    await this.driver.run(
      `INSERT INTO scans (agent_id, scan_id, state, summary, protocol_statuses, updated_at)
       VALUES (?, ?, ?, ?, '{}', ?)
       ON CONFLICT (agent_id, scan_id) DO UPDATE SET state = excluded.state,
         summary = COALESCE(scans.summary, excluded.summary), updated_at = excluded.updated_at`,
      [agentId, scanId, state, summary === undefined ? null : JSON.stringify(summary), now],
    );
  }

  async listScans(filter: { agentId?: string }, page: Page): Promise<Paged<ScanView>> {
    const w = where(filter.agentId && ['agent_id = ?', filter.agentId]);
    return this.#paged('scans', w, 'updated_at DESC, scan_id', page, scanFromRow);
  }

  // Ingest ---------------------------------------------------------------------------------------

  ingest(batch: ScanBatch, bodySha256: string, now: string): Promise<IngestResult> {
    return ingestBatch(this.driver, batch, { bodySha256, now });
  }

  // CMDB -----------------------------------------------------------------------------------------

  async listCis(filter: { type?: string; q?: string }, page: Page): Promise<Paged<CiView>> {
    const like = `%${(filter.q ?? '').toLowerCase().replace(/[%_]/g, '')}%`;
    const w = where(
      filter.type && ['type = ?', filter.type],
      filter.q && ['lower(name) LIKE ?', like],
    );
    return this.#paged('cis', w, 'name, id', page, ciFromRow);
  }

  async getCi(id: string): Promise<CiView | undefined> {
    const row = await this.driver.get<CiRow>('SELECT * FROM cis WHERE id = ?', [id]);
    return row ? ciFromRow(row) : undefined;
  }

  /**
   * Relationships, optionally of one CI (`ciId`: edges from it and edges whose target resolves
   * to it) and of one type.
   */
  async listRelationships(
    filter: { ciId?: string; type?: string },
    page: Page,
  ): Promise<Paged<RelationshipView>> {
    const w = where(
      filter.type && ['q.type = ?', filter.type],
      filter.ciId && ['(q.source_ci_id = ? OR q.target_ci_id = ?)', filter.ciId, filter.ciId],
    );
    const order = 'q.source_name, q.type, q.target, q.id';
    return this.#paged(`(${RELATIONSHIP_SELECT}) q`, w, order, page, relationshipFromRow);
  }

  /** Counts for a quick look (tests, the bench, `/api/discovery/stats`). */
  async counts(): Promise<{ cis: number; relationships: number; batches: number }> {
    const n = async (table: string) =>
      Number((await this.driver.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0);
    return {
      cis: await n('cis'),
      relationships: await n('relationships'),
      batches: await n('ingest_batches'),
    };
  }
}

/** Where the store lives: PostgreSQL when `databaseUrl` is given, else DATA_DIR/platform.db. */
export interface StoreLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
}

/** Opens and migrates the store. */
export async function openStore(loc: StoreLocation): Promise<PlatformStore> {
  let driver: SqlDriver;
  if (loc.databaseUrl) {
    driver = await openPostgres(loc.databaseUrl);
  } else {
    mkdirSync(loc.dataDir, { recursive: true, mode: 0o700 });
    driver = openSqlite(join(loc.dataDir, 'platform.db'));
  }
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return new PlatformStore(driver);
}
