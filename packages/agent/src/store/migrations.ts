// The store's schema, as an append-only list: entry N takes a store from version N to N+1.
// Never edit a released entry; add a new one.
export const MIGRATIONS: readonly string[] = [
  // 1: SSH host keys pinned on first use (trust on first use), with the last key a host offered
  // that did not match, so `host-keys trust` can accept exactly that key.
  `CREATE TABLE ssh_host_keys (
     address        TEXT    NOT NULL,
     port           INTEGER NOT NULL,
     key_type       TEXT    NOT NULL,
     fingerprint    TEXT    NOT NULL,
     first_seen     TEXT    NOT NULL,
     last_seen      TEXT    NOT NULL,
     offered_type   TEXT,
     offered_fingerprint TEXT,
     offered_at     TEXT,
     PRIMARY KEY (address, port)
   ) STRICT;`,
  // 2: uploads to the platform (docs/protocol.md). A scan being uploaded has a `scans` row;
  // its host records wait in `host_records` until they are cut into a protocol batch, which
  // moves them into one `outbox` row (gzip body) in the same transaction, so after a crash a
  // record is either staged or in exactly one batch. `next_seq` keeps the batch numbers gap-free;
  // `initial` is the summary known at the start, used to close a scan whose process died.
  `CREATE TABLE scans (
     id           TEXT    PRIMARY KEY,
     agent_id     TEXT    NOT NULL,
     started_at   TEXT    NOT NULL,
     finished_at  TEXT,
     state        TEXT    NOT NULL,
     initial      TEXT    NOT NULL,
     summary      TEXT,
     next_seq     INTEGER NOT NULL DEFAULT 0,
     hosts        INTEGER NOT NULL DEFAULT 0,
     pid          INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE host_records (
     scan_id  TEXT    NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
     idx      INTEGER NOT NULL,
     address  TEXT    NOT NULL,
     record   TEXT    NOT NULL,
     PRIMARY KEY (scan_id, idx)
   ) STRICT;
   CREATE TABLE outbox (
     id              INTEGER PRIMARY KEY,
     batch_key       TEXT    NOT NULL UNIQUE,
     scan_id         TEXT    NOT NULL,
     seq             INTEGER NOT NULL,
     final           INTEGER NOT NULL,
     host_count      INTEGER NOT NULL,
     body            BLOB    NOT NULL,
     created_at      TEXT    NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error      TEXT,
     state           TEXT    NOT NULL CHECK (state IN ('pending', 'dead'))
   ) STRICT;
   CREATE INDEX outbox_due ON outbox (state, next_attempt_at);`,
  // 3: credential affinity: the credential that last logged in to a host over a protocol, so
  // the next scan tries it first (scan/credential-engine.ts).
  `CREATE TABLE credential_affinity (
     address       TEXT NOT NULL,
     protocol      TEXT NOT NULL,
     credential_id TEXT NOT NULL,
     worked_at     TEXT NOT NULL,
     PRIMARY KEY (address, protocol)
   ) STRICT;`,
  // 4: schedules the platform set over the control channel (`schedules.put`, docs/protocol.md),
  // kept in the order given. Stored here; running them is the scheduler's (issue 7). Lists are
  // JSON text; `protocols` is a JSON array or the string "none"; NULL = not given.
  `CREATE TABLE schedules (
     id          TEXT    PRIMARY KEY,
     position    INTEGER NOT NULL,
     name        TEXT    NOT NULL,
     cron        TEXT    NOT NULL,
     targets     TEXT    NOT NULL,
     excludes    TEXT,
     protocols   TEXT,
     ports       TEXT,
     enabled     INTEGER NOT NULL,
     updated_at  TEXT    NOT NULL
   ) STRICT;`,
  // 5: schedules get their own timing (issue 7): `timing` is JSON with exactly one of `cron`,
  // `daily`, `weekly` or `everyHours` (the cron column becomes `{"cron": …}`), plus a time zone,
  // blackout windows and a stagger. `schedule_runs` is the scheduler's memory per schedule, kept
  // apart so that `schedules.put` (which replaces every schedule row) does not erase it:
  // `handled_until` = the slots at or before it were run or skipped; `timing_key` = the timing it
  // was armed for (a new timing, or enabling, re-arms from then, so nothing old runs as missed).
  `CREATE TABLE schedules_v5 (
     id              TEXT    PRIMARY KEY,
     position        INTEGER NOT NULL,
     name            TEXT    NOT NULL,
     timing          TEXT    NOT NULL,
     timezone        TEXT,
     blackouts       TEXT,
     stagger_seconds INTEGER,
     targets         TEXT    NOT NULL,
     excludes        TEXT,
     protocols       TEXT,
     ports           TEXT,
     enabled         INTEGER NOT NULL,
     updated_at      TEXT    NOT NULL
   ) STRICT;
   INSERT INTO schedules_v5 (id, position, name, timing, targets, excludes, protocols, ports,
                             enabled, updated_at)
     SELECT id, position, name, json_object('cron', cron), targets, excludes, protocols, ports,
            enabled, updated_at
     FROM schedules;
   DROP TABLE schedules;
   ALTER TABLE schedules_v5 RENAME TO schedules;
   CREATE TABLE schedule_runs (
     schedule_id   TEXT PRIMARY KEY,
     timing_key    TEXT NOT NULL,
     handled_until TEXT NOT NULL,
     last_run      TEXT
   ) STRICT;`,
  // 6: every scan gets a `scans` row, with who started it (issue 7): `source` is `cli`, `gui`,
  // `platform` or `schedule` (NULL on rows from before), with the schedule's id and name for a
  // scheduled scan; `upload` = 0 for a scan recorded without being sent (no integration,
  // --no-upload): its records are never staged and it gets no batch. `agent_id` is '' then.
  // `schedule_run_requests` holds run-now requests from other processes (CLI, GUI) for the
  // running agent, taken by its scheduler. `schedule_revision` counts every change to the
  // schedules and every request, kept by triggers whoever writes, so a running agent notices
  // another process's edit by reading one number.
  `ALTER TABLE scans ADD COLUMN source TEXT;
   ALTER TABLE scans ADD COLUMN schedule_id TEXT;
   ALTER TABLE scans ADD COLUMN schedule_name TEXT;
   ALTER TABLE scans ADD COLUMN upload INTEGER NOT NULL DEFAULT 1;
   CREATE INDEX scans_started ON scans (started_at);
   CREATE TABLE schedule_run_requests (
     id           INTEGER PRIMARY KEY,
     schedule_id  TEXT NOT NULL,
     requested_at TEXT NOT NULL,
     requested_by TEXT NOT NULL
   ) STRICT;
   CREATE TABLE schedule_revision (
     id       INTEGER PRIMARY KEY CHECK (id = 1),
     revision INTEGER NOT NULL
   ) STRICT;
   INSERT INTO schedule_revision (id, revision) VALUES (1, 0);
   CREATE TRIGGER schedules_inserted AFTER INSERT ON schedules
     BEGIN UPDATE schedule_revision SET revision = revision + 1; END;
   CREATE TRIGGER schedules_updated AFTER UPDATE ON schedules
     BEGIN UPDATE schedule_revision SET revision = revision + 1; END;
   CREATE TRIGGER schedules_deleted AFTER DELETE ON schedules
     BEGIN UPDATE schedule_revision SET revision = revision + 1; END;
   CREATE TRIGGER schedule_run_requested AFTER INSERT ON schedule_run_requests
     BEGIN UPDATE schedule_revision SET revision = revision + 1; END;`,
];
