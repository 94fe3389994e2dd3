// The platform integration (docs/protocol.md "Connection settings"): its public settings in
// DATA_DIR/integration.json and the API token in the same file as a Fernet token made with the
// vault's key (key.enc), so the token is never on disk in clear and reads like the vault does.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { writeFileAtomic } from '../vault/atomic-file.js';
import { Fernet, generateFernetKey } from '../vault/fernet.js';
import { platformKeyProtector, type KeyProtector } from '../vault/key-protector.js';
import { takePidLock } from './pid-lock.js';
import { defaultWsUrl, normaliseApiUrl, normaliseWsUrl } from './urls.js';

/** What `integration show` prints: everything but the token. */
export interface IntegrationSettings {
  name: string;
  /** The API base, normalised to end in /api. */
  apiUrl: string;
  agentId: string;
  /** The control channel; derived from apiUrl unless given. */
  wsUrl: string;
  wsUrlExplicit: boolean;
  caFile: string | null;
  tlsVerify: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Integration extends IntegrationSettings {
  /** The API token in clear, in memory only. */
  apiToken: string;
}

/** What `integration add` takes. */
export interface IntegrationInput {
  name: string;
  apiUrl: string;
  agentId: string;
  wsUrl?: string;
  caFile?: string;
  tlsVerify?: boolean;
  apiToken: string;
}

/** integration.json: the settings and `apiTokenFernet`, the token encrypted with key.enc. */
interface IntegrationFile {
  version: 1;
  integration: IntegrationSettings & { apiTokenFernet: string };
}

const FILE_NAME = 'integration.json';
const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

type Dir = Pick<DataDir, 'root' | 'keyFile' | 'credentialsFile'>;

export function integrationFile(dir: Pick<DataDir, 'root'>): string {
  return join(dir.root, FILE_NAME);
}

/** Validates the input (naming the field, never the token) and returns the settings. */
export function buildSettings(
  input: Omit<IntegrationInput, 'apiToken'>,
  at: { createdAt: string; updatedAt: string },
): IntegrationSettings {
  if (!NAME.test(input.name)) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `--name '${input.name}': 1-64 letters, digits, space, . _ @ -, starting with a letter or digit`,
    );
  }
  if (!AGENT_ID.test(input.agentId)) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `--agent-id '${input.agentId}': 1-64 of A-Z a-z 0-9 . _ - (docs/protocol.md)`,
    );
  }
  const apiUrl = normaliseApiUrl(input.apiUrl);
  const wsUrl = input.wsUrl === undefined ? defaultWsUrl(apiUrl) : normaliseWsUrl(input.wsUrl);
  return {
    name: input.name,
    apiUrl,
    agentId: input.agentId,
    wsUrl,
    wsUrlExplicit: input.wsUrl !== undefined,
    caFile: input.caFile ?? null,
    tlsVerify: input.tlsVerify ?? true,
    ...at,
  };
}

/** Checks an API token's shape without ever quoting it. */
export function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token.trim() === '') {
    throw new ScannerError('ERR_CONFIG_INVALID', 'the API token is empty');
  }
  const t = token.trim();
  if (t.length > 4096 || !/^[\x21-\x7e]+$/.test(t)) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      'the API token must be printable ASCII without spaces, at most 4096 characters (not shown)',
    );
  }
  return t;
}

export interface IntegrationStoreOptions {
  keyProtector?: KeyProtector;
  now?: () => Date;
}

/**
 * Reads and writes the integration. The key is the vault's key.enc (made here when no vault
 * exists yet, under the vault's own lock so `credentials add` never makes a second one).
 */
export class IntegrationStore {
  readonly #dir: Dir;
  readonly #protector: KeyProtector;
  readonly #now: () => Date;

  constructor(dir: Dir, options: IntegrationStoreOptions = {}) {
    this.#dir = dir;
    this.#protector = options.keyProtector ?? platformKeyProtector();
    this.#now = options.now ?? (() => new Date());
  }

  /** The settings without the token; null when no integration is configured. */
  async settings(): Promise<IntegrationSettings | null> {
    const file = await this.#readFile();
    if (!file) return null;
    const { apiTokenFernet: _token, ...settings } = file.integration;
    return settings;
  }

  /** The integration with its token decrypted; null when none is configured. */
  async load(): Promise<Integration | null> {
    const file = await this.#readFile();
    if (!file) return null;
    const { apiTokenFernet, ...settings } = file.integration;
    const fernet = await this.#fernet(false);
    if (!fernet) {
      throw new ScannerError(
        'ERR_VAULT_KEY',
        `${integrationFile(this.#dir)} holds a token encrypted with ${this.#dir.keyFile}, which is missing: restore key.enc or run integration add again`,
      );
    }
    let apiToken: string;
    try {
      apiToken = fernet.decrypt(apiTokenFernet).toString('utf8');
    } catch (err) {
      throw new ScannerError(
        'ERR_VAULT_CORRUPT',
        `cannot decrypt the API token in ${integrationFile(this.#dir)} with ${this.#dir.keyFile} (modified, or another key); run integration add again`,
        { cause: err },
      );
    }
    return { ...settings, apiToken };
  }

  /** Stores (or replaces) the integration; returns the settings and whether one was replaced. */
  async save(
    input: IntegrationInput,
  ): Promise<{ settings: IntegrationSettings; replaced: boolean }> {
    const token = checkToken(input.apiToken);
    const previous = await this.#readFile().catch(() => null);
    const at = this.#now().toISOString();
    const settings = buildSettings(input, {
      createdAt: previous?.integration.createdAt ?? at,
      updatedAt: at,
    });
    const fernet = (await this.#fernet(true))!;
    const doc: IntegrationFile = {
      version: 1,
      integration: { ...settings, apiTokenFernet: fernet.encrypt(token) },
    };
    await writeFileAtomic(integrationFile(this.#dir), `${JSON.stringify(doc, null, 2)}\n`, 0o600);
    return { settings, replaced: previous !== null };
  }

  /** Deletes integration.json; false when there was none. The key stays (the vault uses it). */
  async remove(): Promise<boolean> {
    try {
      await unlink(integrationFile(this.#dir));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new ScannerError(
        'ERR_IO',
        `cannot remove ${integrationFile(this.#dir)}: ${(err as Error).message}`,
      );
    }
  }

  async #readFile(): Promise<IntegrationFile | null> {
    const path = integrationFile(this.#dir);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ScannerError('ERR_IO', `cannot read ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const bad = (why: string) =>
      new ScannerError('ERR_CONFIG_INVALID', `${path}: ${why}; run integration add again`);
    let doc: Partial<IntegrationFile>;
    try {
      doc = JSON.parse(text) as Partial<IntegrationFile>;
    } catch {
      throw bad('not JSON');
    }
    if (doc.version !== 1) throw bad(`format version ${JSON.stringify(doc.version)} unknown`);
    const i = doc.integration;
    if (
      !i ||
      typeof i.apiTokenFernet !== 'string' ||
      typeof i.apiUrl !== 'string' ||
      typeof i.agentId !== 'string'
    ) {
      throw bad('integration lacks apiUrl, agentId or the token');
    }
    return doc as IntegrationFile;
  }

  /** The vault key as a Fernet; with `create`, makes key.enc when there is none. */
  async #fernet(create: boolean): Promise<Fernet | null> {
    const stored = await readOptional(this.#dir.keyFile);
    if (stored) return this.#keyFrom(stored);
    if (!create) return null;
    return this.#withVaultLock(async () => {
      // Re-read under the lock: `credentials add` may have made the key meanwhile.
      const again = await readOptional(this.#dir.keyFile);
      if (again) return this.#keyFrom(again);
      if (await readOptional(this.#dir.credentialsFile)) {
        throw new ScannerError(
          'ERR_VAULT_KEY',
          `${this.#dir.credentialsFile} exists but its key ${this.#dir.keyFile} is missing: restore key.enc; no new key is made`,
        );
      }
      const key = generateFernetKey();
      await writeFileAtomic(
        this.#dir.keyFile,
        await this.#protector.protect(Buffer.from(key, 'utf8')),
        0o600,
      );
      return new Fernet(key);
    });
  }

  async #keyFrom(stored: Buffer): Promise<Fernet> {
    const text = (await this.#protector.unprotect(stored)).toString('utf8');
    return new Fernet(text);
  }

  /** The vault's lock file (credentials.enc.lock, holding a pid), taken over when its owner is gone. */
  async #withVaultLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = `${this.#dir.credentialsFile}.lock`;
    await takePidLock(
      lock,
      (owner) => `the vault is locked by process ${owner || '?'} (${lock}); try again`,
    );
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }
}

/** The file's bytes, or null when it does not exist. */
function readOptional(path: string): Promise<Buffer | null> {
  return readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new ScannerError('ERR_IO', `cannot read ${path}: ${err.message}`, { cause: err });
  });
}
