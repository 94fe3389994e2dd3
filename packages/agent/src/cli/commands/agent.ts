// `nopesight-scanner agent run|status`: the long-running agent (control channel, remote scans,
// background uploads) in the foreground, and what the running one says about its connection.
import { openDataDir } from '../../config/data-dir.js';
import { readAgentState, runAgent } from '../../platform/agent-runtime.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { usage, withSubcommands } from './integration.js';

const HELP = `Usage: nopesight-scanner agent <run|status> [options]

agent run
  Runs the agent in the foreground until SIGINT or SIGTERM: keeps the control channel to the
  platform up (docs/protocol.md; reconnects with backoff), reports status and metrics in
  heartbeats, answers the platform's requests (scan.start, scan.cancel, schedules.get/put,
  metrics.get, config.get, logs.tail), runs the stored schedules when they are due (see
  schedule --help; logs/scheduler.log), and uploads the outbox in the background. Needs an
  integration (integration add) to start: it is the agent connected to the platform; daemon
  runs the same agent without one (schedules and local scans only). An integration replaced or
  removed while it runs is followed within seconds (channel and uploads restart or stop). One
  agent per data directory. Logs: logs/agent.log (agent and scans) and logs/integrations.log
  (connection and uploads).

agent status [--json]
  Whether an agent (agent run or daemon) runs on this data directory, its integration (or none:
  channel and uploads off), its connection: connected, connecting or waiting to reconnect (with
  the last error), heartbeat interval, local address, uploads.

Every subcommand takes --data-dir DIR (or NOPESIGHT_DATA_DIR) and -h/--help.

Exit codes: run: 0 stopped by a signal; 2 no integration or bad usage; 1 it could not start
(another agent runs here). status: 0 an agent runs; 1 none runs.`;

export const agentCommand: Command = withSubcommands(
  {
    name: 'agent',
    summary: 'run the long-running agent (control channel, remote scans, uploads)',
    help: HELP,
  },
  { run: runRun, status: runStatus },
);

async function runRun(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {});
  if (positionals.length > 0) throw usage('agent', 'agent run takes no arguments');
  await runAgent({
    dataDir: values['data-dir'] as string | undefined,
    env: io.env,
    signal: io.signal,
    // `agent run` is the agent connected to the platform: without an integration it would only
    // run schedules, which is the daemon's job; refusing keeps a mistyped data directory visible.
    requireIntegration: true,
    onStarted: ({ agentId, wsUrl, dataDir }) =>
      io.stderr.write(
        `agent ${agentId} running (data ${dataDir}); control channel ${wsUrl}; stop with Ctrl-C\n`,
      ),
  });
  io.stderr.write('agent stopped\n');
  return EXIT.ok;
}

async function runStatus(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw usage('agent', 'agent status takes no arguments');
  const dir = await openDataDir(values['data-dir'] as string | undefined, io.env);
  const found = await readAgentState(dir);
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ running: found?.running ?? false, ...(found?.state ?? {}) }, null, 2)}\n`,
    );
    return found?.running ? EXIT.ok : EXIT.failed;
  }
  const out = (line: string) => io.stdout.write(`${line}\n`);
  if (!found) {
    out('agent:        not running (it never ran on this data directory)');
    return EXIT.failed;
  }
  const { state, running } = found;
  const c = state.channel;
  out(
    `agent:        ${running ? `running (pid ${state.pid}, since ${state.startedAt})` : `not running (last stopped ${state.stoppedAt ?? 'without a clean stop'})`}`,
  );
  if (state.integration === null) {
    out(
      `integration:  none configured: control channel and uploads off; schedules and local scans run`,
    );
  } else if (state.integration) {
    out(`integration:  ${state.integration.name} (${state.integration.apiUrl})`);
  }
  if (state.integrationError) out(`integration:  cannot be used: ${state.integrationError}`);
  if (state.agentId) out(`agent id:     ${state.agentId}`);
  if (c?.url) {
    const shown = running ? c.state : 'stopped';
    out(
      `channel:      ${shown} since ${c.since}${shown === 'waiting' && c.retryAt ? ` (next attempt ${c.retryAt})` : ''}`,
    );
    out(`url:          ${c.url}`);
    if (c.localAddress) out(`local addr:   ${c.localAddress}`);
    out(`heartbeat:    every ${c.heartbeatIntervalMs} ms; ${c.connects} connection(s) accepted`);
    if (c.lastError) out(`last error:   ${c.lastError}`);
  }
  const u = state.uploads;
  out(
    `uploads:      ${u.pending} pending, ${u.deadLetters} dead letters${u.lastDrainAt ? ` (last drain ${u.lastDrainAt})` : ''}${u.error ? `; ${u.error}` : ''}`,
  );
  return running ? EXIT.ok : EXIT.failed;
}
