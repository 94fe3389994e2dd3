// Scan schedules as the platform set them (`schedules.put` over the control channel): stored in
// the order given, replaced as a whole. Validation happens before (platform/schedules.ts);
// running them is the scheduler's job (issue 7), not this table's.
import type { Db } from './database.js';

/** docs/protocol.md `Schedule`: five-field cron in the agent's local time zone. */
export interface Schedule {
  id: string;
  name: string;
  cron: string;
  targets: string[];
  excludes?: string[];
  protocols?: string[] | 'none';
  ports?: string;
  enabled: boolean;
}

interface Row {
  id: string;
  name: string;
  cron: string;
  targets: string;
  excludes: string | null;
  protocols: string | null;
  ports: string | null;
  enabled: number;
}

export class ScheduleStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Every schedule, in the order the last `replaceAll` gave them. */
  list(): Schedule[] {
    const rows = this.#db
      .prepare(
        'SELECT id, name, cron, targets, excludes, protocols, ports, enabled FROM schedules ORDER BY position',
      )
      .all() as Row[];
    return rows.map(fromRow);
  }

  /** Replaces all schedules with `schedules` (already validated; ids unique) in one transaction. */
  replaceAll(schedules: readonly Schedule[]): void {
    const at = this.#now().toISOString();
    const insert = this.#db.prepare(
      `INSERT INTO schedules (id, position, name, cron, targets, excludes, protocols, ports, enabled, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM schedules').run();
      schedules.forEach((s, position) =>
        insert.run(
          s.id,
          position,
          s.name,
          s.cron,
          JSON.stringify(s.targets),
          s.excludes === undefined ? null : JSON.stringify(s.excludes),
          s.protocols === undefined ? null : JSON.stringify(s.protocols),
          s.ports ?? null,
          s.enabled ? 1 : 0,
          at,
        ),
      );
    })();
  }
}

function fromRow(row: Row): Schedule {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    targets: JSON.parse(row.targets) as string[],
    ...(row.excludes === null ? {} : { excludes: JSON.parse(row.excludes) as string[] }),
    ...(row.protocols === null
      ? {}
      : { protocols: JSON.parse(row.protocols) as Schedule['protocols'] }),
    ...(row.ports === null ? {} : { ports: row.ports }),
    enabled: row.enabled === 1,
  };
}
