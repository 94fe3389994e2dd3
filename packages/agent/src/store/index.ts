// The agent's store, opened once per process part that needs it: the database and its tables'
// typed views. Later tables (host records, outbox) join HostKeyStore here.
import type { DataDir } from '../config/data-dir.js';
import { openDatabase } from './database.js';
import { HostKeyStore } from './host-keys.js';

export interface Store {
  hostKeys: HostKeyStore;
  close(): void;
}

/** Opens DATA_DIR/scanner.db (creating and migrating it); ERR_STORE_CORRUPT leaves it untouched. */
export function openStore(dir: Pick<DataDir, 'databaseFile'>, now?: () => Date): Store {
  const db = openDatabase(dir.databaseFile);
  return {
    hostKeys: new HostKeyStore(db, now),
    close: () => db.close(),
  };
}

export type { PinnedHostKey } from './host-keys.js';
export { HostKeyStore } from './host-keys.js';
