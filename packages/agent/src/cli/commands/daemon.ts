// `nopesight-scanner daemon`: the service's process in the foreground (containers, debugging).
import { runDaemon, type DaemonOptions } from '../../service/daemon.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { usage } from './integration.js';

const HELP = `Usage: nopesight-scanner daemon [--data-dir DIR]

Runs what the installed service runs, in the foreground, until SIGTERM or SIGINT: the agent
(control channel, the platform's scans and schedules, background uploads; see agent run). With
no integration configured it waits for one, checking every 30 s. On SIGTERM it cancels a
running scan (what it found is written and queued), stops the agent, tries one short final
upload (10 s), and exits 0. Its life is in logs/service.log. One daemon per data directory.

Exit codes: 0 stopped by a signal; 1 it could not start (another daemon or agent runs here) or
the agent failed; 2 bad usage or an invalid config.json; 3 unreadable vault or store.`;

export const daemonCommand: Command = {
  name: 'daemon',
  summary: 'run the service in the foreground (what service install runs)',
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {});
    if (positionals.length > 0) throw usage('daemon', 'daemon takes no arguments');
    const say = (line: string) => io.stderr.write(`${line}\n`);
    const options: DaemonOptions = {
      dataDir: values['data-dir'] as string | undefined,
      env: io.env,
      signal: io.signal,
      onStarted: ({ dataDir, pid }) =>
        say(`daemon running (pid ${pid}, data ${dataDir}); stop with SIGTERM or Ctrl-C`),
    };
    await runDaemon(options);
    say('daemon stopped');
    return EXIT.ok;
  },
};
