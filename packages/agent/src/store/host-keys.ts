// SSH host keys pinned on first use (TOFU), per address and port, in the store. A scan accepts
// a host's first key and pins it; a different key later fails that host, naming both
// fingerprints, until someone trusts the new key explicitly (`host-keys trust`).
import { ScannerError } from '../errors.js';
import type { HostKeyCheck } from '../transports/ssh/ssh-session.js';
import type { Db } from './database.js';

/** A pinned key and, when a host last offered another one, that key. */
export interface PinnedHostKey {
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
  firstSeen: string;
  lastSeen: string;
  /** The last key the host offered that did not match the pin (null when none). */
  offered: { keyType: string; fingerprint: string; at: string } | null;
}

interface Row {
  address: string;
  port: number;
  key_type: string;
  fingerprint: string;
  first_seen: string;
  last_seen: string;
  offered_type: string | null;
  offered_fingerprint: string | null;
  offered_at: string | null;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

function fromRow(r: Row): PinnedHostKey {
  return {
    address: r.address,
    port: r.port,
    keyType: r.key_type,
    fingerprint: r.fingerprint,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    offered:
      r.offered_fingerprint && r.offered_type && r.offered_at
        ? { keyType: r.offered_type, fingerprint: r.offered_fingerprint, at: r.offered_at }
        : null,
  };
}

/** The ssh2 host key algorithms that produce keys of a blob type (RSA has three). */
function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

export class HostKeyStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  get(address: string, port: number): PinnedHostKey | null {
    const row = this.#db
      .prepare('SELECT * FROM ssh_host_keys WHERE address = ? AND port = ?')
      .get(address, port) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Every pin, optionally for one address, ordered by address and port. */
  list(address?: string): PinnedHostKey[] {
    const rows = (
      address === undefined
        ? this.#db.prepare('SELECT * FROM ssh_host_keys ORDER BY address, port').all()
        : this.#db
            .prepare('SELECT * FROM ssh_host_keys WHERE address = ? ORDER BY port')
            .all(address)
    ) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Checks an offered key against the pin: no pin → pins it (trust on first use) and accepts;
   * same key → accepts and updates last_seen; another key → records it as offered and throws
   * ERR_HOST_KEY_CHANGED naming both fingerprints. The check and the pin are one transaction, so
   * two scans meeting a new host at once pin one key, and the other is compared against it.
   */
  verify(address: string, port: number, keyType: string, fingerprint: string): void {
    const now = this.#now().toISOString();
    const outcome = this.#db.transaction((): PinnedHostKey | null => {
      const pinned = this.get(address, port);
      if (!pinned) {
        this.#db
          .prepare(
            `INSERT INTO ssh_host_keys (address, port, key_type, fingerprint, first_seen, last_seen)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(address, port, keyType, fingerprint, now, now);
        return null;
      }
      if (pinned.fingerprint === fingerprint && pinned.keyType === keyType) {
        this.#db
          .prepare('UPDATE ssh_host_keys SET last_seen = ? WHERE address = ? AND port = ?')
          .run(now, address, port);
        return null;
      }
      this.#db
        .prepare(
          `UPDATE ssh_host_keys SET offered_type = ?, offered_fingerprint = ?, offered_at = ?
           WHERE address = ? AND port = ?`,
        )
        .run(keyType, fingerprint, now, address, port);
      return pinned;
    })();
    if (outcome) {
      throw new ScannerError(
        'ERR_HOST_KEY_CHANGED',
        `ssh host key of ${address}:${port} changed: pinned ${outcome.fingerprint} (${outcome.keyType}, ` +
          `first seen ${outcome.firstSeen}), offered ${fingerprint} (${keyType}). If the change is ` +
          `expected (host reinstalled, key rotated), trust the new key with: ` +
          `nopesight-scanner host-keys trust ${address}${port === 22 ? '' : ` --port ${port}`}`,
      );
    }
  }

  /**
   * Trusts a new key for a host: the given fingerprint, or else the key the host last offered.
   * The fingerprint must match what was offered when one was, so nobody pins a key by typo.
   * Returns the new pin.
   */
  trust(address: string, port: number, fingerprint?: string): PinnedHostKey {
    if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint)) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `'${fingerprint}' is not an SSH SHA256 fingerprint (SHA256: followed by 43 base64 characters, as ssh-keygen -lf prints)`,
      );
    }
    const pinned = this.get(address, port);
    const offered = pinned?.offered ?? null;
    if (!offered) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        pinned
          ? `${address}:${port} has not offered another key than the pinned ${pinned.fingerprint}; nothing to trust`
          : `no host key is known for ${address}:${port}; the next scan pins the key it offers`,
      );
    }
    if (fingerprint !== undefined && fingerprint !== offered.fingerprint) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `${address}:${port} last offered ${offered.fingerprint}, not ${fingerprint}; nothing was changed`,
      );
    }
    const now = this.#now().toISOString();
    this.#db
      .prepare(
        `UPDATE ssh_host_keys SET key_type = ?, fingerprint = ?, first_seen = ?, last_seen = ?,
           offered_type = NULL, offered_fingerprint = NULL, offered_at = NULL
         WHERE address = ? AND port = ?`,
      )
      .run(offered.keyType, offered.fingerprint, now, offered.at, address, port);
    return this.get(address, port)!;
  }

  /** Forgets a host's pin (the next scan pins whatever it offers); false when there was none. */
  remove(address: string, port: number): boolean {
    return (
      this.#db
        .prepare('DELETE FROM ssh_host_keys WHERE address = ? AND port = ?')
        .run(address, port).changes > 0
    );
  }

  /** The transport's host key check for one host: TOFU against this store. */
  checkFor(address: string, port: number): HostKeyCheck {
    const pinned = this.get(address, port);
    return {
      preferredAlgorithms: pinned ? algorithmsFor(pinned.keyType) : [],
      verify: (fingerprint, keyType) => {
        this.verify(address, port, keyType, fingerprint);
        return true;
      },
    };
  }
}
