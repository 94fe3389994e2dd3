// The redaction pass every log record goes through: secret-named keys and known secret values.

export const REDACTED = '[redacted]';

/**
 * Key names whose values are secrets wherever they appear (password, passphrase, privateKey,
 * community, authPassword, privPassword, sudoPassword, token, secret, and their spellings).
 * Deliberately broad: a false positive hides a harmless value, a false negative leaks one.
 */
const SECRET_KEY =
  /pass(?:word|phrase|wd)|^pwd$|private_?key|communit(?:y|ies)|token|secret|authorization|api_?key|cookie|credentials?_?blob/i;

/** True when a field named `key` must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Secret values known to this process (from the vault, the platform token…), scrubbed from every
 * message and string field. Owned by whoever composes the loggers; not module state.
 */
export class SecretSet {
  #values = new Set<string>();
  #sorted: string[] = [];

  /** Registers a secret; empty strings are ignored (they would match everywhere). */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret === '' || this.#values.has(secret)) return;
    this.#values.add(secret);
    // Longest first, so a secret that contains another is replaced whole.
    this.#sorted = [...this.#values].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#values.size;
  }

  /** `text` with every known secret replaced by [redacted]. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.#sorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}

/**
 * A copy of `value` safe to log: secret-named keys replaced at any depth, known secrets scrubbed
 * from strings, errors reduced to name/code/message (and stack), cycles and depth cut.
 */
export function redact(value: unknown, secrets?: SecretSet): unknown {
  return walk(value, secrets, new WeakSet(), 0);
}

const MAX_DEPTH = 8;

function walk(
  value: unknown,
  secrets: SecretSet | undefined,
  seen: WeakSet<object>,
  depth: number,
): unknown {
  if (typeof value === 'string') return secrets ? secrets.scrub(value) : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  }
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Error) return walk(errorFields(value), secrets, seen, depth + 1);
    if (Array.isArray(value)) return value.map((v) => walk(v, secrets, seen, depth + 1));
    // URL and similar classes keep their state in private slots; their JSON form is what helps.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      return walk(toJSON.call(value), secrets, seen, depth + 1);
    }
    if (value instanceof Map) return walk(Object.fromEntries(value), secrets, seen, depth + 1);
    if (value instanceof Set) return walk([...value], secrets, seen, depth + 1);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        isSecretKey(k) && v !== undefined && v !== null
          ? REDACTED
          : walk(v, secrets, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  // Expected errors (with a stable code) need no stack; unexpected ones do, to be fixed.
  if (err.name !== 'ScannerError' && err.stack) out.stack = err.stack;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}
