// The `nopesight-platform` command: picks the subcommand, turns errors into messages and exit codes.
import { PLATFORM_VERSION } from '../version.js';
import { EXIT, UsageError, type CliIo } from './options.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';

export const USAGE = `Usage: nopesight-platform <command> [options]

Commands:
  serve   run the platform (HTTP API + WebSocket hub); --help for options
  token   create, list and revoke discovery (agent) and admin tokens

Options for every command:
  --data-dir DIR  where the SQLite store lives (or NOPESIGHT_PLATFORM_DATA_DIR)
  -h, --help      help for the command
DATABASE_URL=postgresql://… selects PostgreSQL instead of SQLite.`;

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    switch (name) {
      case 'serve':
        return await serveCommand(rest, io);
      case 'token':
        return await tokenCommand(rest, io);
      case '--version':
      case '-V':
        io.stdout.write(`${PLATFORM_VERSION}\n`);
        return EXIT.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return name === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command '${name}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`nopesight-platform: ${err.message}\nRun nopesight-platform --help.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`nopesight-platform: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT.failed;
  }
}
