// Loads config.json over the embedded defaults and validates it by hand, naming field and value.
import { readFile } from 'node:fs/promises';
import { ScannerError } from '../errors.js';
import { defaultConfig, LOG_LEVELS, type Config, type PortProfile } from './defaults.js';

export type {
  Config,
  LoggingConfig,
  LogLevel,
  PortProfile,
  ResultsConfig,
  ScanConfig,
} from './defaults.js';
export { defaultConfig } from './defaults.js';

type Json = Record<string, unknown>;

/**
 * Reads `configFile` and returns the defaults merged with it; a missing file means "defaults".
 * The file is only ever read: a corrupt one is reported (ERR_CONFIG_INVALID naming the file)
 * and left as it is for the user to fix.
 */
export async function loadConfig(configFile: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw new ScannerError('ERR_IO', `cannot read ${configFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    // Editors on Windows may save a byte-order mark; JSON.parse rejects it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${configFile} is not valid JSON (${(err as Error).message}); fix or remove it — the agent never rewrites it`,
      { cause: err },
    );
  }
  return validateConfig(raw, configFile);
}

/**
 * Validates a parsed config document (every field optional) and merges it over the defaults.
 * Objects merge field by field; arrays and scalars replace; `scan.profiles` adds to (or replaces
 * by name) the built-in profiles. Unknown fields are errors so a typo never goes unnoticed.
 */
export function validateConfig(raw: unknown, source = 'config'): Config {
  const v = new Validator(source);
  const config = defaultConfig();
  const root = v.object(raw, '');
  v.known(root, '', ['$schema', 'scan', 'logging', 'results']);

  if (root.scan !== undefined) {
    const scan = v.object(root.scan, 'scan');
    const s = config.scan;
    v.known(scan, 'scan', Object.keys(s));
    if (scan.tcpPorts !== undefined) s.tcpPorts = v.ports(scan.tcpPorts, 'scan.tcpPorts');
    if (scan.udpPorts !== undefined) s.udpPorts = v.ports(scan.udpPorts, 'scan.udpPorts');
    if (scan.profiles !== undefined) {
      const profiles = v.object(scan.profiles, 'scan.profiles');
      for (const [name, value] of Object.entries(profiles)) {
        s.profiles[v.profileName(name, `scan.profiles.${name}`)] = v.profile(
          value,
          `scan.profiles.${name}`,
        );
      }
    }
    if (scan.maxInFlight !== undefined)
      s.maxInFlight = v.int(scan.maxInFlight, 'scan.maxInFlight', 1, 65535);
    if (scan.hostConcurrency !== undefined)
      s.hostConcurrency = v.int(scan.hostConcurrency, 'scan.hostConcurrency', 1, 65535);
    if (scan.rateLimitPps !== undefined)
      s.rateLimitPps = v.int(scan.rateLimitPps, 'scan.rateLimitPps', 0, 10_000_000);
    if (scan.connectTimeoutMs !== undefined) {
      const t = v.object(scan.connectTimeoutMs, 'scan.connectTimeoutMs');
      v.known(t, 'scan.connectTimeoutMs', ['initial', 'min', 'max']);
      const c = s.connectTimeoutMs;
      if (t.initial !== undefined)
        c.initial = v.int(t.initial, 'scan.connectTimeoutMs.initial', 1, 600_000);
      if (t.min !== undefined) c.min = v.int(t.min, 'scan.connectTimeoutMs.min', 1, 600_000);
      if (t.max !== undefined) c.max = v.int(t.max, 'scan.connectTimeoutMs.max', 1, 600_000);
      if (!(c.min <= c.initial && c.initial <= c.max)) {
        v.fail(
          'scan.connectTimeoutMs',
          c,
          'must satisfy min <= initial <= max (after merging with the defaults 100/1000/3000)',
        );
      }
    }
    if (scan.retries !== undefined) s.retries = v.int(scan.retries, 'scan.retries', 0, 10);
    if (scan.maxFailedLoginsPerAccount !== undefined) {
      s.maxFailedLoginsPerAccount = v.int(
        scan.maxFailedLoginsPerAccount,
        'scan.maxFailedLoginsPerAccount',
        1,
        100,
      );
    }
    if (scan.snmpCommunities !== undefined)
      s.snmpCommunities = v.strings(scan.snmpCommunities, 'scan.snmpCommunities');
    if (scan.icmp !== undefined) s.icmp = v.bool(scan.icmp, 'scan.icmp');
    if (scan.fingerprintTimeoutMs !== undefined)
      s.fingerprintTimeoutMs = v.int(
        scan.fingerprintTimeoutMs,
        'scan.fingerprintTimeoutMs',
        1,
        600_000,
      );
  }

  if (root.logging !== undefined) {
    const logging = v.object(root.logging, 'logging');
    const l = config.logging;
    v.known(logging, 'logging', Object.keys(l));
    if (logging.level !== undefined) l.level = v.oneOf(logging.level, 'logging.level', LOG_LEVELS);
    if (logging.maxBytes !== undefined)
      l.maxBytes = v.int(logging.maxBytes, 'logging.maxBytes', 1024, 2 ** 40);
    if (logging.maxFiles !== undefined)
      l.maxFiles = v.int(logging.maxFiles, 'logging.maxFiles', 0, 100);
  }

  if (root.results !== undefined) {
    const results = v.object(root.results, 'results');
    const r = config.results;
    v.known(results, 'results', Object.keys(r));
    if (results.maxAgeDays !== undefined)
      r.maxAgeDays = v.int(results.maxAgeDays, 'results.maxAgeDays', 0, 36_500);
    if (results.maxTotalBytes !== undefined)
      r.maxTotalBytes = v.int(results.maxTotalBytes, 'results.maxTotalBytes', 1024 * 1024, 2 ** 44);
  }
  return config;
}

/** Field checks that throw ERR_CONFIG_INVALID naming the source, the field path and the value. */
class Validator {
  readonly #source: string;
  constructor(source: string) {
    this.#source = source;
  }

  fail(path: string, value: unknown, rule: string): never {
    const where = path === '' ? 'the top level' : path;
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `${this.#source}: ${where} ${rule}, got ${show(value)}`,
    );
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, value, 'must be an object');
    }
    return value as Json;
  }

  known(obj: Json, path: string, keys: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!keys.includes(key)) {
        const at = path === '' ? key : `${path}.${key}`;
        throw new ScannerError(
          'ERR_CONFIG_INVALID',
          `${this.#source}: unknown field ${at} (known here: ${keys.filter((k) => k !== '$schema').join(', ')})`,
        );
      }
    }
  }

  int(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, value, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  bool(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, value, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, value, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  strings(value: unknown, path: string): string[] {
    if (!Array.isArray(value)) this.fail(path, value, 'must be an array of strings');
    value.forEach((item, i) => {
      if (typeof item !== 'string' || item.length === 0) {
        this.fail(`${path}[${i}]`, item, 'must be a non-empty string');
      }
    });
    return [...(value as string[])];
  }

  ports(value: unknown, path: string): number[] {
    if (!Array.isArray(value)) this.fail(path, value, 'must be an array of port numbers');
    const ports = value.map((item, i) => this.int(item, `${path}[${i}]`, 1, 65535));
    // Duplicates would probe the same port twice; keep the user's order otherwise.
    return [...new Set(ports)];
  }

  profileName(name: string, path: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(name)) {
      this.fail(path, name, 'must be named with letters, digits, - or _ (at most 32)');
    }
    return name;
  }

  profile(value: unknown, path: string): PortProfile {
    const p = this.object(value, path);
    this.known(p, path, ['tcp', 'udp']);
    const tcp = p.tcp === undefined ? [] : this.ports(p.tcp, `${path}.tcp`);
    const udp = p.udp === undefined ? [] : this.ports(p.udp, `${path}.udp`);
    if (tcp.length + udp.length === 0) {
      this.fail(path, value, 'must list at least one port in tcp or udp');
    }
    return { tcp, udp };
  }
}

/** A bad value as it appeared in the JSON, cut short so one line stays readable. */
function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
