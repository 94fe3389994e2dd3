// Credential affinity in the store: which credential last logged in to a host over a protocol.
import type { Protocol } from '@nopesight/model';
import type { CredentialAffinity } from '../scan/credential-engine.js';
import type { Db } from './database.js';

export class AffinityStore implements CredentialAffinity {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  lastWorked(address: string, protocol: Protocol): string | null {
    const row = this.#db
      .prepare('SELECT credential_id FROM credential_affinity WHERE address = ? AND protocol = ?')
      .get(address, protocol) as { credential_id: string } | undefined;
    return row?.credential_id ?? null;
  }

  remember(address: string, protocol: Protocol, credentialId: string): void {
    this.#db
      .prepare(
        `INSERT INTO credential_affinity (address, protocol, credential_id, worked_at)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (address, protocol) DO UPDATE
           SET credential_id = excluded.credential_id, worked_at = excluded.worked_at`,
      )
      .run(address, protocol, credentialId, this.#now().toISOString());
  }
}
