// Argument parsing shared by the commands: node's parseArgs with clear, token-naming errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}
import { ScannerError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'data-dir': { type: 'string' },
} as const satisfies OptionSpec;

/**
 * Parses `args` against `options` (plus the common ones). Unknown options and missing values
 * become ERR_CONFIG_INVALID naming the offending token.
 */
export function parseCommandArgs(args: string[], options: OptionSpec): ParsedArgs {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ScannerError('ERR_CONFIG_INVALID', (err as Error).message, { cause: err });
  }
}

/** Splits repeated and comma-separated values: `--x a,b --x c` → ['a','b','c']. */
export function listValues(value: string | boolean | (string | boolean)[] | undefined): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  const values = Array.isArray(value) ? value : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
