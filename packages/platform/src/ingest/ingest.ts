// Storing one upload: the idempotency ledger, the reconciliation of every host into CIs and
// relationships, and the scan log, all in one transaction on either driver.
import { randomUUID } from 'node:crypto';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { placeholders, type SqlDriver, type SqlExecutor, type SqlValue } from '../store/driver.js';
import { decode, type CiRow, type ScanRow } from '../store/rows.js';
import {
  fqdnKey,
  lookupKeys,
  normalizeName,
  normalizeSerial,
  normalizeUuid,
  recordIdentifiers,
  isJunkSerial,
  unidKey,
  type IdentifierKey,
} from '../reconcile/identity.js';
import { chooseMatch, type CandidateCi, type MatchRule } from '../reconcile/match.js';
import { applyRecord, observedAtOf, type CiState } from '../reconcile/merge.js';
import { dedupeRelationships } from '../reconcile/relationships.js';
import type { ScanBatch } from './validate.js';

/** Any constant: the PostgreSQL advisory lock that makes reconciliation one writer at a time. */
const INGEST_LOCK = 0x6e737069;
/** Rows per multi-row INSERT (well under both engines' parameter limits). */
const CHUNK_ROWS = 200;

export interface IngestResult {
  accepted: number;
  duplicate: boolean;
  /** Per host, in order: the CI it became and the rule that matched it (`new` for a new CI). */
  cis: { ciId: string; rule: MatchRule | 'new' }[];
}

export interface IngestOptions {
  /** SHA-256 of the decoded body, kept in the ledger for diagnosis. */
  bodySha256: string;
  now: string;
}

/**
 * Stores a batch once per Idempotency-Key. The ledger row is inserted first (ON CONFLICT DO
 * NOTHING): when it already exists the batch is a duplicate and nothing else is touched.
 * Everything — ledger row, CIs, identifiers, relationships, scan log — is one transaction, so a
 * crash, a kill or a failing statement at any point leaves no trace of the batch and the agent's
 * retry applies it whole. On PostgreSQL a transaction-scoped advisory lock serialises ingests
 * (two batches seeing the same new machine must not both create it); SQLite has one writer anyway.
 */
export function ingestBatch(
  driver: SqlDriver,
  batch: ScanBatch,
  opts: IngestOptions,
): Promise<IngestResult> {
  return driver.transaction(async (tx) => {
    if (driver.dialect === 'postgres')
      await tx.get('SELECT pg_advisory_xact_lock(?)', [INGEST_LOCK]);
    const key = `${batch.agentId}:${batch.scanId}:${batch.seq}`;
    const ledger = await tx.run(
      `INSERT INTO ingest_batches
         (idempotency_key, agent_id, scan_id, seq, final, hosts, body_sha256, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        key,
        batch.agentId,
        batch.scanId,
        batch.seq,
        batch.final ? 1 : 0,
        batch.hosts.length,
        opts.bodySha256,
        opts.now,
      ],
    );
    if (ledger.changes === 0) return { accepted: 0, duplicate: true, cis: [] };
    const cis: IngestResult['cis'] = [];
    for (const host of batch.hosts) {
      cis.push(await reconcileHost(tx, batch.agentId, batch.scanId, host, opts.now));
    }
    await updateScanLog(tx, batch, opts.now);
    return { accepted: batch.hosts.length, duplicate: false, cis };
  });
}

async function loadCandidates(tx: SqlExecutor, keys: IdentifierKey[]): Promise<CandidateCi[]> {
  if (keys.length === 0) return [];
  const where = keys.map(() => '(kind = ? AND value = ?)').join(' OR ');
  const hits = await tx.all<{ ci_id: string }>(
    `SELECT DISTINCT ci_id FROM ci_identifiers WHERE ${where}`,
    keys.flatMap((k) => [k.kind, k.value]),
  );
  if (hits.length === 0) return [];
  const ids = hits.map((h) => h.ci_id);
  const [rows, idents] = await Promise.all([
    tx.all<{ id: string; first_seen_at: string }>(
      `SELECT id, first_seen_at FROM cis WHERE id IN (${placeholders(ids.length)})`,
      ids,
    ),
    tx.all<{ ci_id: string; kind: IdentifierKey['kind']; value: string }>(
      `SELECT ci_id, kind, value FROM ci_identifiers WHERE ci_id IN (${placeholders(ids.length)})`,
      ids,
    ),
  ]);
  return rows.map((r) => ({
    id: r.id,
    firstSeenAt: r.first_seen_at,
    keys: idents.filter((i) => i.ci_id === r.id).map((i) => ({ kind: i.kind, value: i.value })),
  }));
}

function rowToState(row: CiRow): CiState {
  return {
    type: row.type as CiState['type'],
    typeReason: row.type_reason,
    name: row.name,
    identity: decode(row.identity, null as unknown as CiState['identity']),
    sections: decode(row.sections, {}),
    addresses: decode(row.addresses, []),
    sources: decode(row.sources, []),
    discovery: decode(row.discovery, null),
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** The index keys a CI is found by after this record: its strong identifiers, address, names. */
function indexKeys(ci: CiState, record: HostRecord, agentId: string, usableMacs: string[]) {
  const keys: IdentifierKey[] = [];
  const uuid = normalizeUuid(ci.identity.systemUuid);
  if (uuid !== null) keys.push({ kind: 'uuid', value: uuid });
  if (!isJunkSerial(ci.identity.serial)) {
    keys.push({ kind: 'serial', value: normalizeSerial(ci.identity.serial)! });
  }
  for (const m of usableMacs) keys.push({ kind: 'mac', value: m });
  const name = fqdnKey(ci.identity);
  if (name !== null) keys.push({ kind: 'name', value: name });
  // Only an anonymous CI is found by agent + address (match rule 5).
  if (keys.length === 0) keys.push({ kind: 'unid', value: unidKey(agentId, record.address) });
  // Not for matching: how relationship targets (an address, a bare LLDP/CDP name) find the CI.
  keys.push({ kind: 'addr', value: record.address.toLowerCase() });
  const short = normalizeName(ci.identity.hostname)?.split('.')[0];
  if (short) keys.push({ kind: 'host', value: short });
  return keys;
}

async function insertChunked(
  tx: SqlExecutor,
  head: string,
  rowSql: string,
  rows: SqlValue[][],
  tail: string,
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const chunk = rows.slice(i, i + CHUNK_ROWS);
    await tx.run(`${head} ${chunk.map(() => rowSql).join(', ')} ${tail}`, chunk.flat());
  }
}

async function reconcileHost(
  tx: SqlExecutor,
  agentId: string,
  scanId: string,
  record: HostRecord,
  now: string,
): Promise<{ ciId: string; rule: MatchRule | 'new' }> {
  const ids = recordIdentifiers(record);
  const candidates = await loadCandidates(tx, lookupKeys(ids, agentId));
  const match = chooseMatch(ids, candidates, agentId);
  const heldRow = match
    ? await tx.get<CiRow>('SELECT * FROM cis WHERE id = ?', [match.ciId])
    : undefined;
  const held = heldRow ? rowToState(heldRow) : null;
  const next = applyRecord(held, record, { agentId, scanId, now });
  const ciId = heldRow?.id ?? randomUUID();
  const values: SqlValue[] = [
    next.type,
    next.typeReason,
    next.name,
    JSON.stringify(next.identity),
    JSON.stringify(next.sections),
    JSON.stringify(next.addresses),
    JSON.stringify(next.sources),
    JSON.stringify(next.discovery ?? null),
    next.firstSeenAt,
    next.lastSeenAt,
  ];
  if (heldRow) {
    await tx.run(
      `UPDATE cis SET type = ?, type_reason = ?, name = ?, identity = ?, sections = ?,
         addresses = ?, sources = ?, discovery = ?, first_seen_at = ?, last_seen_at = ?
       WHERE id = ?`,
      [...values, ciId],
    );
  } else {
    await tx.run(
      `INSERT INTO cis (type, type_reason, name, identity, sections, addresses, sources,
         discovery, first_seen_at, last_seen_at, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...values, ciId],
    );
  }
  const keys = indexKeys(next, record, agentId, ids.macs);
  // A renamed host must not keep answering to its old name (another machine may take it).
  // (An older observation, a late batch of an earlier scan, leaves the names as they are.)
  const name = keys.find((k) => k.kind === 'name');
  if (name && held !== null && observedAtOf(record, now) >= held.lastSeenAt) {
    await tx.run("DELETE FROM ci_identifiers WHERE ci_id = ? AND kind = 'name' AND value <> ?", [
      ciId,
      name.value,
    ]);
  }
  // Last writer wins: an identifier that moved (a NIC into another server) follows the machine.
  await insertChunked(
    tx,
    'INSERT INTO ci_identifiers (kind, value, ci_id) VALUES',
    '(?, ?, ?)',
    keys.map((k) => [k.kind, k.value, ciId]),
    'ON CONFLICT (kind, value) DO UPDATE SET ci_id = excluded.ci_id',
  );
  const rels = dedupeRelationships(record.relationships);
  const at = next.lastSeenAt;
  await insertChunked(
    tx,
    `INSERT INTO relationships (id, source_ci_id, type, target, target_kind, target_value,
       dedupe_key, evidence, agent_id, scan_id, first_seen_at, last_seen_at) VALUES`,
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    rels.map((r) => [
      randomUUID(),
      ciId,
      r.rel.type,
      r.rel.target,
      r.target.kind,
      r.target.value,
      r.key,
      JSON.stringify(r.rel.evidence),
      agentId,
      scanId,
      at,
      at,
    ]),
    // The newest report's evidence (counts, pids) wins; the first sighting is kept.
    `ON CONFLICT (source_ci_id, dedupe_key) DO UPDATE SET
       evidence = CASE WHEN excluded.last_seen_at >= relationships.last_seen_at
                       THEN excluded.evidence ELSE relationships.evidence END,
       agent_id = excluded.agent_id, scan_id = excluded.scan_id,
       first_seen_at = CASE WHEN excluded.first_seen_at < relationships.first_seen_at
                            THEN excluded.first_seen_at ELSE relationships.first_seen_at END,
       last_seen_at = CASE WHEN excluded.last_seen_at > relationships.last_seen_at
                           THEN excluded.last_seen_at ELSE relationships.last_seen_at END`,
  );
  return { ciId, rule: match?.rule ?? 'new' };
}

/** Per protocol, per status: how many host records of this batch ended that way. */
export function protocolStatusCounts(
  hosts: readonly HostRecord[],
  into: Record<string, Record<string, number>> = {},
): Record<string, Record<string, number>> {
  for (const h of hosts) {
    for (const p of h.protocols) {
      const per = (into[p.protocol] ??= {});
      per[p.status] = (per[p.status] ?? 0) + 1;
    }
  }
  return into;
}

/** The scan log after one more batch: counts add up, the final batch brings the summary. */
async function updateScanLog(tx: SqlExecutor, batch: ScanBatch, now: string): Promise<void> {
  const row = await tx.get<ScanRow>('SELECT * FROM scans WHERE agent_id = ? AND scan_id = ?', [
    batch.agentId,
    batch.scanId,
  ]);
  const statuses = protocolStatusCounts(batch.hosts, decode(row?.protocol_statuses ?? null, {}));
  const summary: ScanSummary | null = batch.summary ?? decode(row?.summary ?? null, null);
  const state = summary?.state ?? row?.state ?? 'running';
  const values: SqlValue[] = [
    state,
    (row?.batches ?? 0) + 1,
    (row?.hosts ?? 0) + batch.hosts.length,
    batch.final ? batch.seq : (row?.final_seq ?? null),
    summary === null ? null : JSON.stringify(summary),
    JSON.stringify(statuses),
    summary?.startedAt ?? row?.started_at ?? null,
    summary?.finishedAt ?? row?.finished_at ?? null,
    summary?.durationMs ?? row?.duration_ms ?? null,
    now,
  ];
  if (row) {
    await tx.run(
      `UPDATE scans SET state = ?, batches = ?, hosts = ?, final_seq = ?, summary = ?,
         protocol_statuses = ?, started_at = ?, finished_at = ?, duration_ms = ?, updated_at = ?
       WHERE agent_id = ? AND scan_id = ?`,
      [...values, batch.agentId, batch.scanId],
    );
  } else {
    await tx.run(
      `INSERT INTO scans (state, batches, hosts, final_seq, summary, protocol_statuses,
         started_at, finished_at, duration_ms, updated_at, first_batch_at, agent_id, scan_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...values, now, batch.agentId, batch.scanId],
    );
  }
}
