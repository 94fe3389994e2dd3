// The agent's store, opened once per process part that needs it: the database and its tables'
// typed views (SSH host key pins, credential affinity, scans being uploaded, the upload outbox).
import type { DataDir } from '../config/data-dir.js';
import { openDatabase } from './database.js';
import { AffinityStore } from './affinity.js';
import { HostKeyStore } from './host-keys.js';
import { OutboxStore } from './outbox.js';
import { ScanStore } from './scans.js';
import { ScheduleStore } from './schedules.js';

export interface Store {
  hostKeys: HostKeyStore;
  affinity: AffinityStore;
  outbox: OutboxStore;
  scans: ScanStore;
  schedules: ScheduleStore;
  close(): void;
}

/** Opens DATA_DIR/scanner.db (creating and migrating it); ERR_STORE_CORRUPT leaves it untouched. */
export function openStore(dir: Pick<DataDir, 'databaseFile'>, now?: () => Date): Store {
  const db = openDatabase(dir.databaseFile);
  const outbox = new OutboxStore(db, now);
  return {
    hostKeys: new HostKeyStore(db, now),
    affinity: new AffinityStore(db, now),
    outbox,
    scans: new ScanStore(db, outbox, now),
    schedules: new ScheduleStore(db, now),
    close: () => db.close(),
  };
}

export type { PinnedHostKey } from './host-keys.js';
export { HostKeyStore } from './host-keys.js';
export { AffinityStore } from './affinity.js';
export type { OutboxBatch, OutboxCounts, OutboxEntry, OutboxState } from './outbox.js';
export { OutboxStore } from './outbox.js';
export type { ScanRow } from './scans.js';
export { ScanStore } from './scans.js';
export type { Schedule } from './schedules.js';
export { ScheduleStore } from './schedules.js';
