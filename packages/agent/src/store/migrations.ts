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
];
