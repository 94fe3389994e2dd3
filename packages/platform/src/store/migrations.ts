// The platform store's schema, as an append-only list: entry N takes a store from version N to
// N+1. Never edit a released entry; add a new one. Each entry is SQL both SQLite and PostgreSQL
// accept (TEXT, BIGINT, partial indexes, ON DELETE CASCADE; JSON kept as TEXT), so the two
// drivers cannot drift apart.
export const MIGRATIONS: readonly string[] = [
  // 1: tokens (hashed), agents, scan logs, the idempotency ledger, CIs with their identifiers,
  // relationships.
  `CREATE TABLE tokens (
     id            TEXT PRIMARY KEY,
     name          TEXT NOT NULL,
     role          TEXT NOT NULL,
     agent_id      TEXT,
     hash          TEXT NOT NULL UNIQUE,
     created_at    TEXT NOT NULL,
     last_used_at  TEXT,
     revoked_at    TEXT
   );
   CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;

   CREATE TABLE agents (
     agent_id          TEXT PRIMARY KEY,
     name              TEXT NOT NULL,
     registered_at     TEXT NOT NULL,
     last_seen_at      TEXT NOT NULL,
     last_heartbeat_at TEXT,
     reported_status   TEXT,
     reported_error    TEXT,
     metrics           TEXT,
     hello             TEXT
   );

   CREATE TABLE scans (
     agent_id          TEXT NOT NULL,
     scan_id           TEXT NOT NULL,
     state             TEXT NOT NULL,
     batches           BIGINT NOT NULL DEFAULT 0,
     hosts             BIGINT NOT NULL DEFAULT 0,
     final_seq         BIGINT,
     summary           TEXT,
     progress          TEXT,
     protocol_statuses TEXT NOT NULL,
     started_at        TEXT,
     finished_at       TEXT,
     duration_ms       BIGINT,
     first_batch_at    TEXT,
     updated_at        TEXT NOT NULL,
     PRIMARY KEY (agent_id, scan_id)
   );
   CREATE INDEX scans_updated ON scans (updated_at);

   CREATE TABLE ingest_batches (
     idempotency_key TEXT PRIMARY KEY,
     agent_id        TEXT NOT NULL,
     scan_id         TEXT NOT NULL,
     seq             BIGINT NOT NULL,
     final           BIGINT NOT NULL,
     hosts           BIGINT NOT NULL,
     body_sha256     TEXT NOT NULL,
     received_at     TEXT NOT NULL
   );
   CREATE INDEX ingest_batches_scan ON ingest_batches (agent_id, scan_id);

   CREATE TABLE cis (
     id            TEXT PRIMARY KEY,
     type          TEXT NOT NULL,
     type_reason   TEXT NOT NULL,
     name          TEXT NOT NULL,
     identity      TEXT NOT NULL,
     sections      TEXT NOT NULL,
     addresses     TEXT NOT NULL,
     sources       TEXT NOT NULL,
     discovery     TEXT NOT NULL,
     first_seen_at TEXT NOT NULL,
     last_seen_at  TEXT NOT NULL
   );
   CREATE INDEX cis_type_name ON cis (type, name);
   CREATE INDEX cis_name ON cis (name, id);

   CREATE TABLE ci_identifiers (
     kind  TEXT NOT NULL,
     value TEXT NOT NULL,
     ci_id TEXT NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
     PRIMARY KEY (kind, value)
   );
   CREATE INDEX ci_identifiers_ci ON ci_identifiers (ci_id);

   CREATE TABLE relationships (
     id            TEXT PRIMARY KEY,
     source_ci_id  TEXT NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
     type          TEXT NOT NULL,
     target        TEXT NOT NULL,
     target_kind   TEXT NOT NULL,
     target_value  TEXT NOT NULL,
     dedupe_key    TEXT NOT NULL,
     evidence      TEXT NOT NULL,
     agent_id      TEXT NOT NULL,
     scan_id       TEXT NOT NULL,
     first_seen_at TEXT NOT NULL,
     last_seen_at  TEXT NOT NULL,
     UNIQUE (source_ci_id, dedupe_key)
   );
   CREATE INDEX relationships_target ON relationships (target_kind, target_value);
   CREATE INDEX relationships_type ON relationships (type);`,
];
