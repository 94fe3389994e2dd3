// `nopesight-scanner service install|uninstall|start|stop|status`: the daemon as a system
// service (systemd, launchd, WinSW), with --dry-run printing what would be done.
import { resolve } from 'node:path';
import { processDataDirEnvironment } from '../../config/data-dir.js';
import {
  checkServiceHost,
  describeStep,
  processServiceHost,
  runServiceSteps,
  servicePlan,
  type ServiceAction,
  type ServiceHost,
} from '../../service/manager.js';
import {
  checkServiceSpec,
  packageBinPath,
  serviceDataDir,
  type ServiceSpec,
} from '../../service/spec.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { usage, withSubcommands } from './integration.js';

const HELP = `Usage: nopesight-scanner service <install|uninstall|start|stop|status> [options]

Runs 'nopesight-scanner daemon' as a system service: a systemd unit on Linux
(/etc/systemd/system/nopesight-scanner.service), a launchd daemon on macOS
(/Library/LaunchDaemons/com.nopesight.scanner.plist), a WinSW service on Windows. Started at
boot, restarted after a failure. docs/service.md explains the definition line by line.

service install [--user U] [--group G] [--winsw FILE] [--dry-run]
  Creates the data directory, writes the definition, enables and starts the service. --user runs
  it as that (existing) account and gives it the data directory. --winsw (Windows) is the WinSW
  executable to use. --dry-run prints the definition on stdout and the steps on stderr, and
  changes nothing.

service uninstall [--dry-run]   stops and disables the service, removes the definition
service start [--dry-run]       starts it
service stop [--dry-run]        stops it (the daemon cancels a running scan, keeping its results)
service status                  the system's view of it; exit 0 when it runs, 1 otherwise

The data directory is --data-dir DIR, else NOPESIGHT_DATA_DIR, else the machine-wide default:
/var/lib/nopesight-scanner (Linux), /Library/Application Support/NopesightScanner (macOS),
%ProgramData%\\NopesightScanner (Windows). The node running this command and this package's bin
are what the service runs. Linux and macOS need root (except --dry-run and status); Linux needs
systemd running as PID 1.

Exit codes: 0 done; 1 a step failed, or not root, or no systemd (nothing was changed when the
checks fail); 2 bad usage.`;

const INSTALL_OPTIONS = {
  user: { type: 'string' },
  group: { type: 'string' },
  winsw: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;
const OTHER_OPTIONS = { 'dry-run': { type: 'boolean' } } as const;

/** The service command over a host; tests pass a fake one. */
export function serviceCommandFor(host: () => ServiceHost): Command {
  const action =
    (name: ServiceAction) =>
    (args: string[], io: CliIo): Promise<number> =>
      runAction(name, args, io, host);
  return withSubcommands(
    {
      name: 'service',
      summary: 'install, remove, start, stop the system service (systemd, launchd, WinSW)',
      help: HELP,
    },
    {
      install: action('install'),
      uninstall: action('uninstall'),
      start: action('start'),
      stop: action('stop'),
      status: action('status'),
    },
  );
}

export const serviceCommand: Command = serviceCommandFor(processServiceHost);

async function runAction(
  action: ServiceAction,
  args: string[],
  io: CliIo,
  makeHost: () => ServiceHost,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    action === 'install' ? INSTALL_OPTIONS : action === 'status' ? {} : OTHER_OPTIONS,
  );
  if (positionals.length > 0) throw usage('service', `service ${action} takes no arguments`);
  const host = makeHost();
  const spec = checkServiceSpec(specFrom(values, io.env, host.platform), host.platform);
  const winsw = typeof values.winsw === 'string' ? resolve(values.winsw) : undefined;
  const plan = servicePlan(host.platform, spec, { winsw });
  const steps = plan.steps[action];
  const err = (line: string) => io.stderr.write(`${line}\n`);

  if (values['dry-run']) {
    if (action === 'install') {
      io.stdout.write(plan.definition.text);
      err(`# dry run: would write the above to ${plan.definition.path}`);
    }
    err(`# dry run: service ${action} would do (${plan.system}):`);
    for (const step of steps) err(`  ${describeStep(step, host.platform)}`);
    err('# nothing was changed');
    return EXIT.ok;
  }

  checkServiceHost(plan, action, host, { winsw });
  const result = await runServiceSteps(steps, host, (line) => err(`+ ${line}`));
  if (action === 'status') {
    if (result) io.stdout.write(result.stdout);
    return result && plan.running(result) ? EXIT.ok : EXIT.failed;
  }
  if (action === 'install') {
    err(`service installed (${plan.definition.path}) and started; data in ${spec.dataDir}`);
  } else {
    err(`service ${action}: done`);
  }
  return EXIT.ok;
}

function specFrom(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): ServiceSpec {
  const flag = values['data-dir'] as string | undefined;
  const chosen = flag ?? env.NOPESIGHT_DATA_DIR;
  if (chosen !== undefined && chosen.trim() === '') {
    throw usage(
      'service',
      flag !== undefined ? '--data-dir is empty' : 'NOPESIGHT_DATA_DIR is empty',
    );
  }
  const dataDir =
    chosen !== undefined
      ? resolve(chosen)
      : serviceDataDir({ ...processDataDirEnvironment(env), platform });
  return {
    nodePath: process.execPath,
    binPath: packageBinPath(),
    dataDir,
    ...(typeof values.user === 'string' ? { user: values.user } : {}),
    ...(typeof values.group === 'string' ? { group: values.group } : {}),
  };
}
