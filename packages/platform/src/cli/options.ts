// What every command shares: argument parsing, the data directory, the store location.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { StoreLocation } from '../store/platform-store.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in the command line: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const COMMON = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parse<O extends OptionSpec>(
  args: string[],
  options: O,
): {
  values: ReturnType<typeof parseArgs<{ options: typeof COMMON & O; strict: true }>>['values'];
  positionals: string[];
} {
  try {
    return parseArgs({
      args,
      options: { ...COMMON, ...options } as typeof COMMON & O,
      allowPositionals: true as const,
      strict: true as const,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * The default data directory: NOPESIGHT_PLATFORM_DATA_DIR, else /var/lib/nopesight-platform for
 * root, else $XDG_DATA_HOME/nopesight-platform (~/.local/share when unset or relative).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv, isRoot: boolean, home = homedir()): string {
  if (env.NOPESIGHT_PLATFORM_DATA_DIR) return env.NOPESIGHT_PLATFORM_DATA_DIR;
  if (isRoot) return '/var/lib/nopesight-platform';
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'nopesight-platform');
}

/** The store: PostgreSQL when DATABASE_URL is set, else SQLite in the data directory. */
export function storeLocation(values: { 'data-dir'?: string | boolean }, io: CliIo): StoreLocation {
  const dir = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
  return {
    dataDir: dir ?? defaultDataDir(io.env, process.getuid?.() === 0),
    databaseUrl: io.env.DATABASE_URL || undefined,
  };
}
