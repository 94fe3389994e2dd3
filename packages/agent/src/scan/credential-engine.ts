// Which stored credentials a scan tries on a host, in which order, and when it stops trying an
// account: credentials scoped to the host before unscoped ones, the one that last worked on the
// host first within each, and no account past its failed-login cap in one scan (no lockouts).
import type { Protocol, ProtocolAttempt } from '@nopesight/model';
import { credentialKindFor } from '@nopesight/model';
import type { Credential } from '../vault/credential-types.js';

/** What last worked where: kept in the store so the next scan starts with it. */
export interface CredentialAffinity {
  lastWorked(address: string, protocol: Protocol): string | null;
  remember(address: string, protocol: Protocol, credentialId: string): void;
}

/** The vault's part the engine needs: credentials of a kind whose scope covers the host. */
export interface CredentialSource {
  candidatesFor(
    kind: Credential['kind'],
    address: string,
    hostnames?: readonly string[],
  ): Credential[];
}

/** An account the engine stopped trying in this scan, for the summary and the log. */
export interface CredentialSkip {
  account: string;
  credentialIds: string[];
  names: string[];
  failures: number;
  /** Hosts where a credential of this account was in scope but not tried. */
  hostsSkipped: number;
}

export interface CredentialEngineOptions {
  /** Failed logins per account per scan before the account is skipped (default 3). */
  maxFailuresPerAccount?: number;
}

export const DEFAULT_MAX_FAILURES_PER_ACCOUNT = 3;

/**
 * The account a credential logs in as, for the failure cap: the same user in two credentials
 * (two passwords tried) counts once. SNMP v1/v2c communities are not accounts (null).
 */
export function accountOf(c: Credential): string | null {
  switch (c.kind) {
    case 'windows':
      return `windows:${c.domain.toLowerCase()}\\${c.username.toLowerCase()}`;
    case 'ssh':
      return `ssh:${c.username}`;
    case 'vcenter':
      return `vcenter:${c.username.toLowerCase()}`;
    case 'snmp':
      return c.version === '3' && c.username ? `snmp:${c.username}` : null;
  }
}

export class CredentialEngine {
  readonly #source: CredentialSource;
  readonly #affinity: CredentialAffinity;
  readonly #max: number;
  readonly #failures = new Map<string, number>();
  /** Logins of each account in flight: hosts run concurrently, and the cap must hold anyway. */
  readonly #inFlight = new Map<string, number>();
  readonly #skips = new Map<string, CredentialSkip>();

  constructor(
    source: CredentialSource,
    affinity: CredentialAffinity,
    opts: CredentialEngineOptions = {},
  ) {
    this.#source = source;
    this.#affinity = affinity;
    this.#max = opts.maxFailuresPerAccount ?? DEFAULT_MAX_FAILURES_PER_ACCOUNT;
  }

  /**
   * The credentials to try for `protocol` on the host, in order, and those in scope but skipped
   * because their account reached the failure cap. Order: scoped before unscoped (a scope is the
   * user saying "for these hosts"), the one that last worked here first within its group, then
   * the order the user added them.
   */
  plan(
    protocol: Protocol,
    address: string,
    hostnames: readonly string[] = [],
  ): { tryOrder: Credential[]; skipped: Credential[] } {
    const all = this.#source.candidatesFor(credentialKindFor(protocol), address, hostnames);
    const last = this.#affinity.lastWorked(address, protocol);
    const rank = (c: Credential): number => (c.scope.length > 0 ? 0 : 2) + (c.id === last ? 0 : 1);
    const ordered = all
      .map((c, i) => ({ c, i }))
      .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
      .map((x) => x.c);
    const tryOrder: Credential[] = [];
    const skipped: Credential[] = [];
    for (const c of ordered) {
      const account = accountOf(c);
      if (account !== null && (this.#failures.get(account) ?? 0) >= this.#max) {
        skipped.push(c);
        this.#countSkip(account);
      } else {
        tryOrder.push(c);
      }
    }
    return { tryOrder, skipped };
  }

  /**
   * Call before each login: false when the account's failures plus its logins in flight have
   * reached the cap (the login must not be tried; it counts as skipped on this host). A true
   * must be followed by record() for the same credential.
   */
  begin(credential: Credential): boolean {
    const account = accountOf(credential);
    if (account === null) return true;
    const busy = (this.#failures.get(account) ?? 0) + (this.#inFlight.get(account) ?? 0);
    if (busy >= this.#max) {
      this.#countSkip(account);
      return false;
    }
    this.#inFlight.set(account, (this.#inFlight.get(account) ?? 0) + 1);
    return true;
  }

  #countSkip(account: string): void {
    const skip = this.#skips.get(account);
    if (skip) skip.hostsSkipped += 1;
  }

  /**
   * Records an attempt's outcome: a success becomes the host's affinity; a rejected login
   * (`unauthorized`) counts against the account. Timeouts and closed ports do not: they lock
   * nobody out. Returns true when this failure took the account to the cap.
   */
  record(credential: Credential, address: string, attempt: ProtocolAttempt): boolean {
    const held = accountOf(credential);
    if (held !== null && (this.#inFlight.get(held) ?? 0) > 0) {
      this.#inFlight.set(held, this.#inFlight.get(held)! - 1);
    }
    if (attempt.status === 'success') {
      this.#affinity.remember(address, attempt.protocol, credential.id);
      return false;
    }
    const account = accountOf(credential);
    if (attempt.status !== 'unauthorized' || account === null) return false;
    const failures = (this.#failures.get(account) ?? 0) + 1;
    this.#failures.set(account, failures);
    const skip = this.#skips.get(account);
    if (skip) {
      skip.failures = failures;
      if (!skip.credentialIds.includes(credential.id)) {
        skip.credentialIds.push(credential.id);
        skip.names.push(credential.name);
      }
    }
    if (failures < this.#max) return false;
    if (!skip) {
      this.#skips.set(account, {
        account,
        credentialIds: [credential.id],
        names: [credential.name],
        failures,
        hostsSkipped: 0,
      });
    }
    return failures === this.#max;
  }

  /** Accounts skipped in this scan (reached the cap), for the scan summary. */
  skips(): CredentialSkip[] {
    return [...this.#skips.values()].map((s) => ({ ...s }));
  }
}

/** An affinity kept in memory only (tests; a scan without a store). */
export function memoryAffinity(): CredentialAffinity {
  const map = new Map<string, string>();
  return {
    lastWorked: (address, protocol) => map.get(`${protocol}|${address}`) ?? null,
    remember: (address, protocol, id) => void map.set(`${protocol}|${address}`, id),
  };
}
