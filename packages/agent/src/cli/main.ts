// The CLI's composition root: picks the command, runs it, turns errors into messages and exit codes.
import { ScannerError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { processIo, type CliIo, type Command } from './io.js';
import { COMMANDS } from './commands/index.js';

const VERSION = '0.1.0';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: nopesight-scanner <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    '  --data-dir DIR  where config, vault, store and logs live (or NOPESIGHT_DATA_DIR)',
    '  -h, --help      help for the command',
    '',
    "Run `nopesight-scanner <command> --help` for a command's options. Exit codes: docs/cli.md.",
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? COMMANDS.find((c) => c.name === topic) : undefined;
    io.stdout.write((command ? command.help : usage()) + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`nopesight-scanner: unknown command '${name}'\n\n${usage()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help + '\n');
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** Prints an error for people (code and message, never a stack for expected errors). */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof ScannerError) {
    io.stderr.write(`nopesight-scanner: ${err.code}: ${err.message}\n`);
    switch (err.code) {
      case 'ERR_CONFIG_INVALID':
      case 'ERR_TARGET_INVALID':
      case 'ERR_TARGET_TOO_LARGE':
      case 'ERR_CREDENTIAL_NOT_FOUND':
        return EXIT.usage;
      case 'ERR_VAULT_CORRUPT':
      case 'ERR_VAULT_KEY':
      case 'ERR_STORE_CORRUPT':
        return EXIT.data;
      case 'ERR_ABORTED':
        return EXIT.interrupted;
      default:
        return EXIT.failed;
    }
  }
  io.stderr.write(`nopesight-scanner: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}
