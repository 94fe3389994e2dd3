// Structured JSON-lines loggers for the five log files of DESIGN.md §5, redacted and rotated.
import { join } from 'node:path';
import type { LoggingConfig, LogLevel } from '../config/defaults.js';
import { redact, SecretSet } from './redact.js';
import { RotatingFile } from './rotating-file.js';

/** The five log files: agent (scans), service (lifecycle), scheduler, integrations (platform), app (GUI/CLI). */
export const LOG_NAMES = ['agent', 'service', 'scheduler', 'integrations', 'app'] as const;
export type LogName = (typeof LOG_NAMES)[number];

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

/** What collectors, the orchestrator and services log through. Never throws. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every record carries `fields` too (e.g. `{collector: 'ssh', target}`). */
  child(fields: LogFields): Logger;
}

/** Where records go once formatted; the file set is one, tests may use another. */
export interface LogSink {
  write(level: LogLevel, msg: string, fields: LogFields): void;
  enabled(level: LogLevel): boolean;
}

/** Keys every line starts with; a field of the same name is kept as `field.<name>`. */
const RESERVED = new Set(['ts', 'level', 'msg']);

/**
 * Formats one JSON line: `{"ts","level","msg",...fields}`, after the redaction pass over both
 * the message and the fields.
 */
export function formatRecord(
  level: LogLevel,
  msg: string,
  fields: LogFields,
  secrets: SecretSet | undefined,
  now: Date,
): string {
  const record: Record<string, unknown> = {
    ts: now.toISOString(),
    level,
    msg: secrets ? secrets.scrub(msg) : msg,
  };
  const clean = redact(fields, secrets) as LogFields;
  for (const [k, v] of Object.entries(clean)) record[RESERVED.has(k) ? `field.${k}` : k] = v;
  return `${JSON.stringify(record)}\n`;
}

class SinkLogger implements Logger {
  readonly #sink: LogSink;
  readonly #fields: LogFields;

  constructor(sink: LogSink, fields: LogFields) {
    this.#sink = sink;
    this.#fields = fields;
  }

  debug(msg: string, fields?: LogFields): void {
    this.#log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#log('error', msg, fields);
  }
  child(fields: LogFields): Logger {
    return new SinkLogger(this.#sink, { ...this.#fields, ...fields });
  }

  #log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.#sink.enabled(level)) return;
    this.#sink.write(level, msg, fields ? { ...this.#fields, ...fields } : this.#fields);
  }
}

/** A logger over any sink (tests, a memory buffer for `logs.tail`). */
export function createLogger(sink: LogSink, fields: LogFields = {}): Logger {
  return new SinkLogger(sink, fields);
}

/** A logger that drops everything (commands that run without a data directory). */
export function nullLogger(): Logger {
  return createLogger({ write: () => undefined, enabled: () => false });
}

export interface LogFilesOptions extends LoggingConfig {
  /** Shared with the vault (its `secretSink`) so unlocked secrets are scrubbed. */
  secrets?: SecretSet;
  now?: () => Date;
  /** Called when a line cannot be written (disk full…); logging itself never throws. */
  onError?: (err: Error, file: string) => void;
}

/** The five rotated files under `logs/`, one writer per process. */
export class LogFiles {
  readonly secrets: SecretSet;
  readonly #files = new Map<LogName, RotatingFile>();
  readonly #threshold: number;
  readonly #now: () => Date;
  readonly #onError: (err: Error, file: string) => void;
  readonly #failed = new Set<string>();

  constructor(logsDir: string, options: LogFilesOptions) {
    this.secrets = options.secrets ?? new SecretSet();
    this.#threshold = LEVELS.indexOf(options.level);
    this.#now = options.now ?? (() => new Date());
    this.#onError = options.onError ?? reportOnceToStderr(this.#failed);
    for (const name of LOG_NAMES) {
      this.#files.set(
        name,
        new RotatingFile(join(logsDir, `${name}.log`), {
          maxBytes: options.maxBytes,
          maxFiles: options.maxFiles,
        }),
      );
    }
  }

  /** The logger writing to `logs/<name>.log`. */
  logger(name: LogName, fields: LogFields = {}): Logger {
    const file = this.#files.get(name)!;
    return createLogger(
      {
        enabled: (level) => LEVELS.indexOf(level) >= this.#threshold,
        write: (level, msg, f) => {
          try {
            file.write(formatRecord(level, msg, f, this.secrets, this.#now()));
          } catch (err) {
            this.#onError(err as Error, file.path);
          }
        },
      },
      fields,
    );
  }

  close(): void {
    for (const file of this.#files.values()) file.close();
  }
}

function reportOnceToStderr(failed: Set<string>): (err: Error, file: string) => void {
  return (err, file) => {
    if (failed.has(file)) return;
    failed.add(file);
    process.stderr.write(`nopesight-scanner: cannot write ${file}: ${err.message}\n`);
  };
}
