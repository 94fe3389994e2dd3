// What `service install|uninstall|start|stop|status` do on each system, as a list of steps
// (pure, so `--dry-run` prints exactly what would run), the checks before any step runs, and
// the one executor of steps against a host (the real machine, or a fake in tests).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { writeFileAtomic } from '../vault/atomic-file.js';
import { LAUNCHD_PLIST_PATH, launchdPlist } from './launchd-plist.js';
import { SERVICE_NAMES, type ServiceSpec } from './spec.js';
import { SYSTEMD_UNIT_PATH, systemdUnit } from './systemd-unit.js';
import { windowsQuote, winswPaths, winswXml } from './winsw-xml.js';

export const SERVICE_ACTIONS = ['install', 'uninstall', 'start', 'stop', 'status'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export type ServiceStep =
  /** Runs a command; a failure stops the action unless `bestEffort` (stopping what is not running). */
  | { kind: 'run'; argv: string[]; bestEffort?: boolean }
  | { kind: 'write'; path: string; text: string; mode: number }
  | { kind: 'remove'; path: string }
  /** Creates the data directory (0700, with logs/ and results/) when missing. */
  | { kind: 'data-dir'; path: string }
  | { kind: 'copy'; from: string; to: string };

type RunStep = Extract<ServiceStep, { kind: 'run' }>;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServicePlan {
  system: 'systemd' | 'launchd' | 'winsw';
  /** The definition file and its text: what `install --dry-run` prints. */
  definition: { path: string; text: string };
  steps: Record<ServiceAction, ServiceStep[]>;
  /** Whether the status command's result says the daemon runs. */
  running(status: RunResult): boolean;
}

/** Everything the executor and the checks touch; injected so tests never change the machine. */
export interface ServiceHost {
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** sd_booted(): systemd is PID 1 when /run/systemd/system exists. */
  systemdRunning: boolean;
  run(argv: string[]): Promise<RunResult>;
  writeFile(path: string, text: string, mode: number): Promise<void>;
  removeFile(path: string): Promise<void>;
  ensureDataDir(path: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
}

/** Each command's limit: `systemctl enable --now` waits for the start job. */
const COMMAND_TIMEOUT_MS = 120_000;

/** The real machine. */
export function processServiceHost(): ServiceHost {
  return {
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    systemdRunning: existsSync('/run/systemd/system'),
    run: (argv) =>
      new Promise((resolve, reject) => {
        execFile(
          argv[0]!,
          argv.slice(1),
          { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
          (err, stdout, stderr) => {
            const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
            if (e?.killed) {
              const limit = `${COMMAND_TIMEOUT_MS / 1000} s`;
              reject(new ScannerError('ERR_TIMEOUT', `${argv.join(' ')}: no answer in ${limit}`));
              return;
            }
            if (e && typeof e.code === 'string') {
              const what = e.code === 'ENOENT' ? 'not found' : e.message;
              reject(new ScannerError('ERR_NOT_SUPPORTED', `${argv[0]}: ${what}`, { cause: e }));
              return;
            }
            const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      }),
    writeFile: (path, text, mode) => writeFileAtomic(path, text, mode),
    removeFile: (path) => rm(path, { force: true }),
    ensureDataDir: async (path) => void (await ensureDataDir(path)),
    copyFile: async (from, to) => {
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to);
    },
  };
}

/** The account steps: check it exists, then give it the data directory. */
function accountSteps(spec: ServiceSpec): ServiceStep[] {
  if (!spec.user) return [{ kind: 'data-dir', path: spec.dataDir }];
  const owner = spec.group ? `${spec.user}:${spec.group}` : spec.user;
  return [
    { kind: 'run', argv: ['id', '-u', spec.user] },
    { kind: 'data-dir', path: spec.dataDir },
    { kind: 'run', argv: ['chown', '-R', owner, spec.dataDir] },
  ];
}

/** A step-maker for one tool: `runner('systemctl')('start', unit)`. */
const runner =
  (tool: string) =>
  (...args: string[]): RunStep => ({ kind: 'run', argv: [tool, ...args] });

const systemctl = runner('systemctl');
const launchctl = runner('launchctl');
const SYSTEMD_UNIT = `${SERVICE_NAMES.id}.service`;
const LAUNCHD_TARGET = `system/${SERVICE_NAMES.launchdLabel}`;

/** The first install steps of systemd and launchd: the account, the data dir, the definition. */
function writeDefinition(
  spec: ServiceSpec,
  { path, text }: ServicePlan['definition'],
): ServiceStep[] {
  return [...accountSteps(spec), { kind: 'write', path, text, mode: 0o644 }];
}

function systemdPlan(spec: ServiceSpec): ServicePlan {
  const definition = { path: SYSTEMD_UNIT_PATH, text: systemdUnit(spec) };
  return {
    system: 'systemd',
    definition,
    steps: {
      install: [
        ...writeDefinition(spec, definition),
        systemctl('daemon-reload'),
        systemctl('enable', '--now', SYSTEMD_UNIT),
      ],
      uninstall: [
        { ...systemctl('disable', '--now', SYSTEMD_UNIT), bestEffort: true },
        { kind: 'remove', path: SYSTEMD_UNIT_PATH },
        systemctl('daemon-reload'),
      ],
      start: [systemctl('start', SYSTEMD_UNIT)],
      stop: [systemctl('stop', SYSTEMD_UNIT)],
      // Exit 3 (inactive) and 4 (no such unit) are answers, not failures.
      status: [
        { ...systemctl('status', '--no-pager', '--lines=5', SYSTEMD_UNIT), bestEffort: true },
      ],
    },
    running: (r) => r.code === 0,
  };
}

function launchdPlan(spec: ServiceSpec): ServicePlan {
  const definition = { path: LAUNCHD_PLIST_PATH, text: launchdPlist(spec) };
  // RunAtLoad starts the job once it is bootstrapped.
  const install = [
    ...writeDefinition(spec, definition),
    launchctl('bootstrap', 'system', LAUNCHD_PLIST_PATH),
  ];
  return {
    system: 'launchd',
    definition,
    steps: {
      install,
      uninstall: [
        { ...launchctl('bootout', LAUNCHD_TARGET), bestEffort: true },
        { kind: 'remove', path: LAUNCHD_PLIST_PATH },
      ],
      start: [launchctl('kickstart', LAUNCHD_TARGET)],
      // SIGTERM then exit 0: KeepAlive.SuccessfulExit=false leaves it stopped.
      stop: [launchctl('kill', 'SIGTERM', LAUNCHD_TARGET)],
      status: [{ ...launchctl('print', LAUNCHD_TARGET), bestEffort: true }],
    },
    running: (r) => r.code === 0 && /\bstate = running\b/.test(r.stdout),
  };
}

function winswPlan(spec: ServiceSpec, winsw: string | undefined): ServicePlan {
  const { exe, xml } = winswPaths(spec.dataDir);
  const run = runner(exe);
  const definition = { path: xml, text: winswXml(spec) };
  // WinSW's `install` registers it with the SCM (CreateService); `start` starts it.
  const install: ServiceStep[] = [
    { kind: 'data-dir', path: spec.dataDir },
    { kind: 'copy', from: winsw ?? '<--winsw FILE>', to: exe },
    { kind: 'write', ...definition, mode: 0o644 },
    run('install'),
    run('start'),
  ];
  return {
    system: 'winsw',
    definition,
    steps: {
      install,
      uninstall: [
        { ...run('stop'), bestEffort: true },
        run('uninstall'),
        { kind: 'remove', path: xml },
        { kind: 'remove', path: exe },
      ],
      start: [run('start')],
      stop: [run('stop')],
      status: [{ ...run('status'), bestEffort: true }],
    },
    // WinSW 2 prints "Started", WinSW 3 "Active (running)".
    running: (r) => r.code === 0 && /\b(Started|running)\b/.test(r.stdout),
  };
}

/**
 * The plan for `platform`. `winsw` is the WinSW executable that `install` copies (Windows only).
 * @example servicePlan('linux', spec).steps.install // [..., {kind:'write', path:'/etc/systemd/system/nopesight-scanner.service', ...}, ...]
 */
export function servicePlan(
  platform: NodeJS.Platform,
  spec: ServiceSpec,
  { winsw }: { winsw?: string } = {},
): ServicePlan {
  switch (platform) {
    case 'linux':
      return systemdPlan(spec);
    case 'darwin':
      return launchdPlan(spec);
    case 'win32':
      return winswPlan(spec, winsw);
    default:
      throw new ScannerError(
        'ERR_NOT_SUPPORTED',
        `no service manager is supported on ${platform}: run nopesight-scanner daemon under yours`,
      );
  }
}

/**
 * Throws before any step runs when the action cannot be done here: systemd not running (a
 * container, WSL without systemd), not root (Linux, macOS), no WinSW given for a Windows install.
 */
export function checkServiceHost(
  plan: ServicePlan,
  action: ServiceAction,
  host: Pick<ServiceHost, 'isRoot' | 'systemdRunning'>,
  { winsw }: { winsw?: string } = {},
): void {
  if (plan.system === 'systemd' && !host.systemdRunning) {
    throw new ScannerError(
      'ERR_NOT_SUPPORTED',
      `systemd is not running on this machine (PID 1 is not systemd: /run/systemd/system is missing), so 'service ${action}' cannot work here; nothing was changed. Run 'nopesight-scanner daemon' under this machine's own supervisor instead; 'service install --dry-run' prints the unit`,
    );
  }
  if (plan.system !== 'winsw' && action !== 'status' && !host.isRoot) {
    throw new ScannerError(
      'ERR_ACCESS_DENIED',
      `service ${action} needs root (run it with sudo); nothing was changed`,
    );
  }
  if (plan.system === 'winsw' && action === 'install' && !winsw) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      'service install on Windows needs --winsw FILE, the WinSW executable (docs/service.md)',
    );
  }
}

/** One line per step, as a person would type it (what `--dry-run` prints and the CLI echoes). */
export function describeStep(step: ServiceStep, platform: NodeJS.Platform): string {
  const quote = platform === 'win32' ? windowsQuote : posixQuote;
  switch (step.kind) {
    case 'run':
      return step.argv.map(quote).join(' ') + (step.bestEffort ? '   (failure ignored)' : '');
    case 'write':
      return `write ${quote(step.path)} (mode ${step.mode.toString(8).padStart(4, '0')})`;
    case 'remove':
      return `remove ${quote(step.path)}`;
    case 'data-dir':
      return `create ${quote(step.path)} when missing (mode 0700, with logs/ and results/)`;
    case 'copy':
      return `copy ${quote(step.from)} to ${quote(step.to)}`;
  }
}

function posixQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `steps` in order, calling `onStep` before each. A failing step (a command's non-zero
 * exit unless `bestEffort`) throws ERR_IO naming the command and its last error line; the steps
 * after it do not run. Returns the result of the last command run (status reads it).
 */
export async function runServiceSteps(
  steps: ServiceStep[],
  host: ServiceHost,
  onStep: (line: string) => void,
): Promise<RunResult | null> {
  let last: RunResult | null = null;
  for (const step of steps) {
    onStep(describeStep(step, host.platform));
    switch (step.kind) {
      case 'run': {
        last = await host.run(step.argv);
        if (last.code !== 0 && !step.bestEffort) {
          const why = (last.stderr.trim() || last.stdout.trim()).split('\n').at(-1) ?? '';
          throw new ScannerError(
            'ERR_IO',
            `${step.argv.join(' ')} failed (exit ${last.code})${why ? `: ${why}` : ''}`,
          );
        }
        break;
      }
      case 'write':
        await host.writeFile(step.path, step.text, step.mode);
        break;
      case 'remove':
        await host.removeFile(step.path);
        break;
      case 'data-dir':
        await host.ensureDataDir(step.path);
        break;
      case 'copy':
        await host.copyFile(step.from, step.to);
        break;
    }
  }
  return last;
}
