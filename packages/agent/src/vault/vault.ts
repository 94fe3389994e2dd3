// The credential vault: credentials.enc (one Fernet token over a JSON document) and key.enc.
import { randomUUID } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import type { CredentialKind } from '@nopesight/model';
import type { DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import {
  buildCredential,
  normaliseKind,
  validateName,
  type CredentialInput,
} from './credential-input.js';
import {
  SECRET_FIELDS,
  type Credential,
  type CredentialSecrets,
  type UnlockedCredential,
} from './credential-types.js';
import { Fernet, generateFernetKey } from './fernet.js';
import { platformKeyProtector, type KeyProtector } from './key-protector.js';
import { compileScope, type ScopeMatcher } from './scope.js';

/** The plaintext of credentials.enc; readable by any Fernet implementation with key.enc. */
export interface VaultDocument {
  version: 1;
  credentials: StoredCredential[];
}

export type StoredCredential = Credential & { secrets: CredentialSecrets };

/** Changes to an existing credential; `secrets`, when given, replaces all its secrets. */
export type CredentialChanges = Partial<Omit<CredentialInput, 'kind'>>;

export interface VaultOptions {
  /** How key.enc is protected at rest; DPAPI on Windows, the plain file elsewhere. */
  keyProtector?: KeyProtector;
  /** Receives every secret handed out by `unlock`, so loggers can scrub it from messages. */
  secretSink?: { add(secret: string): void };
  now?: () => Date;
}

const FORMAT_VERSION = 1;

/**
 * Credentials for collectors. Reads happen at `open`; every change re-reads and decrypts the
 * file first, so a file that cannot be decrypted (tampered, wrong key) is never overwritten,
 * and writes are atomic and serialised between processes by a lock file.
 */
export class Vault {
  readonly #dir: DataDir;
  readonly #protector: KeyProtector;
  readonly #secretSink: VaultOptions['secretSink'];
  readonly #now: () => Date;
  #entries: StoredCredential[];
  #scopes = new Map<string, ScopeMatcher>();

  private constructor(dir: DataDir, options: VaultOptions, entries: StoredCredential[]) {
    this.#dir = dir;
    this.#protector = options.keyProtector ?? platformKeyProtector();
    this.#secretSink = options.secretSink;
    this.#now = options.now ?? (() => new Date());
    this.#entries = entries;
  }

  /**
   * Opens the vault in `dataDir`. An empty directory is an empty vault (the key is made on the
   * first `add`). Throws ERR_VAULT_KEY when key.enc is missing or unusable while
   * credentials.enc exists, and ERR_VAULT_CORRUPT when credentials.enc does not decrypt.
   */
  static async open(dataDir: DataDir, options: VaultOptions = {}): Promise<Vault> {
    const protector = options.keyProtector ?? platformKeyProtector();
    const state = await readState(dataDir, protector);
    return new Vault(dataDir, { ...options, keyProtector: protector }, state.entries);
  }

  /** Every credential in insertion order, without secrets. */
  list(): Credential[] {
    return this.#entries.map(publicPart);
  }

  /** The credential named `name` (case-insensitive) or with id `name`, without secrets. */
  get(name: string): Credential {
    return publicPart(this.#find(name));
  }

  /** Names of the secret fields set on a credential (never their values). */
  secretFields(name: string): (keyof CredentialSecrets)[] {
    const secrets = this.#find(name).secrets;
    return SECRET_FIELDS.filter((f) => secrets[f] !== undefined);
  }

  /** The credential with its secrets, for one attempt by a collector. */
  unlock(id: string): UnlockedCredential {
    const entry = this.#find(id);
    const secrets = { ...entry.secrets };
    for (const value of Object.values(secrets)) if (value) this.#secretSink?.add(value);
    return { credential: publicPart(entry), secrets };
  }

  /**
   * Credentials of `kind` whose scope covers the host, in insertion order (the order the user
   * added them is the order they are tried in; the engine moves the last one that worked first).
   */
  candidatesFor(
    kind: CredentialKind,
    address: string,
    hostnames: readonly string[] = [],
  ): Credential[] {
    return this.#entries
      .filter((c) => c.kind === kind && this.#scope(c).contains(address, hostnames))
      .map(publicPart);
  }

  /** Validates and stores a new credential; names are unique (case-insensitive). */
  async add(input: CredentialInput): Promise<Credential> {
    const at = this.#now().toISOString();
    const { credential, secrets } = buildCredential(input, {
      id: randomUUID(),
      createdAt: at,
      updatedAt: at,
    });
    await this.#mutate((entries) => {
      assertUniqueName(entries, credential.name, null);
      resolveJump(entries, credential);
      return [...entries, { ...credential, secrets }];
    });
    return publicPart({ ...credential, secrets });
  }

  /** Changes fields of the credential `name`; the kind cannot change (remove and add instead). */
  async update(name: string, changes: CredentialChanges): Promise<Credential> {
    let updated: StoredCredential | undefined;
    await this.#mutate((entries) => {
      const current = findIn(entries, name);
      const input = mergeChanges(current, changes);
      const { credential, secrets } = buildCredential(input, {
        id: current.id,
        createdAt: current.createdAt,
        updatedAt: this.#now().toISOString(),
      });
      assertUniqueName(entries, credential.name, current.id);
      resolveJump(entries, credential);
      updated = { ...credential, secrets };
      return entries.map((e) => (e.id === current.id ? updated! : e));
    });
    return publicPart(updated!);
  }

  /** Deletes the credential `name`; returns what was removed. */
  async remove(name: string): Promise<Credential> {
    let removed: StoredCredential | undefined;
    await this.#mutate((entries) => {
      removed = findIn(entries, name);
      const users = entries.filter((e) => e.kind === 'ssh' && e.jump?.credentialId === removed!.id);
      if (users.length > 0) {
        throw new ScannerError(
          'ERR_CONFIG_INVALID',
          `'${removed.name}' logs in to the jump host of ${users.map((u) => `'${u.name}'`).join(', ')}; remove or change those first`,
        );
      }
      return entries.filter((e) => e.id !== removed!.id);
    });
    return publicPart(removed!);
  }

  #find(name: string): StoredCredential {
    return findIn(this.#entries, name);
  }

  #scope(c: StoredCredential): ScopeMatcher {
    let matcher = this.#scopes.get(c.id);
    if (!matcher) {
      matcher = compileScope(c.scope);
      this.#scopes.set(c.id, matcher);
    }
    return matcher;
  }

  /** Lock, re-read and decrypt, apply `change`, write key (if new) and credentials atomically. */
  async #mutate(change: (entries: StoredCredential[]) => StoredCredential[]): Promise<void> {
    const release = await lockVault(this.#dir);
    try {
      const state = await readState(this.#dir, this.#protector);
      const entries = change(state.entries);
      let fernet = state.fernet;
      if (!fernet) {
        const key = generateFernetKey();
        const stored = await this.#protector.protect(Buffer.from(key, 'utf8'));
        await writeFileAtomic(this.#dir.keyFile, stored, 0o600);
        fernet = new Fernet(key);
      }
      const doc: VaultDocument = { version: FORMAT_VERSION, credentials: entries };
      await writeFileAtomic(this.#dir.credentialsFile, fernet.encrypt(JSON.stringify(doc)), 0o600);
      this.#entries = entries;
      this.#scopes = new Map();
    } finally {
      await release();
    }
  }
}

interface VaultState {
  fernet: Fernet | null;
  entries: StoredCredential[];
}

async function readState(dir: DataDir, protector: KeyProtector): Promise<VaultState> {
  const token = await readOptional(dir.credentialsFile);
  const stored = await readOptional(dir.keyFile);
  if (stored === null) {
    if (token !== null) {
      throw new ScannerError(
        'ERR_VAULT_KEY',
        `${dir.credentialsFile} exists but its key ${dir.keyFile} is missing: restore key.enc from the backup made with it. ` +
          'A new key is not made, as it could not read the stored credentials; nothing was changed.',
      );
    }
    return { fernet: null, entries: [] };
  }
  const keyText = (await protector.unprotect(stored)).toString('utf8');
  let fernet: Fernet;
  try {
    fernet = new Fernet(keyText);
  } catch (err) {
    throw new ScannerError(
      'ERR_VAULT_KEY',
      `${dir.keyFile} does not hold a usable key (damaged, or protected differently: ${protector.name}); nothing was changed`,
      { cause: err },
    );
  }
  if (token === null) return { fernet, entries: [] };
  let plaintext: Buffer;
  try {
    plaintext = fernet.decrypt(token.toString('utf8'));
  } catch (err) {
    throw new ScannerError(
      'ERR_VAULT_CORRUPT',
      `cannot decrypt ${dir.credentialsFile} with ${dir.keyFile}: either the file was modified or damaged, ` +
        'or key.enc is not the key it was written with (the two cannot be told apart). ' +
        'Nothing was changed; restore both files from the same backup.',
      { cause: err },
    );
  }
  return { fernet, entries: parseDocument(plaintext, dir.credentialsFile) };
}

/** Checks the decrypted document's shape; a valid MAC over a wrong shape means a foreign writer. */
function parseDocument(plaintext: Buffer, file: string): StoredCredential[] {
  const bad = (why: string, cause?: unknown) =>
    new ScannerError(
      'ERR_VAULT_CORRUPT',
      `${file} decrypts but its content is not a vault document: ${why}`,
      {
        cause,
      },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(plaintext.toString('utf8'));
  } catch (err) {
    throw bad('not JSON', err);
  }
  if (typeof doc !== 'object' || doc === null) throw bad('not an object');
  const { version, credentials } = doc as Partial<VaultDocument>;
  if (version !== FORMAT_VERSION) {
    throw bad(
      `format version ${JSON.stringify(version)} (this agent reads version ${FORMAT_VERSION}; was it written by a newer one?)`,
    );
  }
  if (!Array.isArray(credentials)) throw bad('credentials is not an array');
  credentials.forEach((c: Partial<StoredCredential>, i) => {
    if (
      typeof c !== 'object' ||
      c === null ||
      typeof c.id !== 'string' ||
      typeof c.name !== 'string' ||
      typeof c.kind !== 'string' ||
      !Array.isArray(c.scope) ||
      typeof c.secrets !== 'object' ||
      c.secrets === null
    ) {
      throw bad(`credential #${i + 1} lacks id, name, kind, scope or secrets`);
    }
  });
  return credentials;
}

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ScannerError('ERR_IO', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Serialises writers between processes (the CLI and the service may both change the vault).
 * The lock file holds the owner's pid; a lock whose owner is gone is taken over.
 */
async function lockVault(dir: DataDir): Promise<() => Promise<void>> {
  const path = `${dir.credentialsFile}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ScannerError('ERR_IO', `cannot create ${path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const owner = Number((await readOptional(path))?.toString('utf8'));
      if (attempt === 0 && !processAlive(owner)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      throw new ScannerError(
        'ERR_IO',
        `the vault is being changed by process ${owner || '?'} (lock ${path}); try again, or delete the lock if that process is gone`,
      );
    }
  }
  throw new ScannerError('ERR_IO', `cannot take the vault lock ${path}`);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Replaces an SSH credential's jump reference (a name or id as given) by the id of the stored
 * SSH credential it names, which must not itself go through a jump host (one hop).
 */
function resolveJump(entries: StoredCredential[], credential: Credential): void {
  if (credential.kind !== 'ssh' || !credential.jump) return;
  const label = `credential '${credential.name}'`;
  let target: StoredCredential;
  try {
    target = findIn(entries, credential.jump.credentialId);
  } catch {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${label}: no stored credential '${credential.jump.credentialId}' for the jump host; add it first`,
    );
  }
  if (target.kind !== 'ssh') {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${label}: the jump host's credential '${target.name}' is ${target.kind}, not ssh`,
    );
  }
  if (target.id === credential.id) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${label}: cannot be its own jump host's credential`,
    );
  }
  if (target.jump) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${label}: '${target.name}' goes through a jump host itself; only one hop is supported`,
    );
  }
  credential.jump = { ...credential.jump, credentialId: target.id };
}

function findIn(entries: StoredCredential[], name: string): StoredCredential {
  const lower = name.toLowerCase();
  const found =
    entries.find((e) => e.name.toLowerCase() === lower) ?? entries.find((e) => e.id === name);
  if (!found) throw new ScannerError('ERR_CREDENTIAL_NOT_FOUND', `no credential named '${name}'`);
  return found;
}

function assertUniqueName(entries: StoredCredential[], name: string, selfId: string | null): void {
  const lower = name.toLowerCase();
  const other = entries.find((e) => e.id !== selfId && e.name.toLowerCase() === lower);
  if (other) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `a credential named '${other.name}' already exists (names are unique, ignoring case); remove it first or choose another name`,
    );
  }
}

/** A deep copy without secrets: callers may keep or change it freely. */
function publicPart(entry: StoredCredential): Credential {
  const { secrets: _secrets, ...rest } = entry;
  return structuredClone(rest) as Credential;
}

/** The input that re-creates `current` with `changes` applied, for full re-validation. */
function mergeChanges(current: StoredCredential, changes: CredentialChanges): CredentialInput {
  const { id: _id, createdAt: _c, updatedAt: _u, secrets, ...fields } = current;
  const base: CredentialInput = { ...(fields as CredentialInput), secrets: { ...secrets } };
  if (current.kind === 'ssh' && current.jump) {
    const { credentialId, ...where } = current.jump;
    base.jump = { ...where, credential: credentialId };
  }
  // A new Windows account given as DOMAIN\user or user@domain carries its own domain.
  if (
    current.kind === 'windows' &&
    changes.username !== undefined &&
    changes.domain === undefined
  ) {
    delete base.domain;
  }
  // Moving an SNMP credential between v1/2c and v3 drops the other model's fields.
  if (current.kind === 'snmp' && changes.version !== undefined) {
    for (const f of ['username', 'securityLevel', 'authProtocol', 'privProtocol'] as const)
      delete base[f];
  }
  if (changes.name !== undefined) validateName(changes.name);
  const merged: CredentialInput = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  }
  merged.kind = normaliseKind(current.kind);
  return merged;
}
