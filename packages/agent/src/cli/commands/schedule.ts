// `nopesight-scanner schedule add|list|enable|disable|remove|run-now`: the scan schedules in the
// agent's store, which the running agent (`daemon`, `agent run`) runs (scheduler/) and picks up
// within seconds when edited here. Checked by the same readSchedule as the platform's
// `schedules.put`. `run-now` hands the run to a running agent, or runs it in the foreground.
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../config/config.js';
import { openDataDir, type DataDir } from '../../config/data-dir.js';
import { ScannerError } from '../../errors.js';
import { LogFiles, type Logger } from '../../log/logger.js';
import { readAgentState } from '../../platform/agent-runtime.js';
import { CommandError } from '../../platform/control-channel.js';
import { readSchedule } from '../../platform/scan-spec.js';
import { handRunNowToAgent } from '../../scheduler/run-now.js';
import { describeTiming, formatInZone, nextRun } from '../../scheduler/timing.js';
import { openStore, type Schedule, type Store } from '../../store/index.js';
import { listValues, parseCommandArgs, type OptionSpec } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { renderTable } from '../summary-table.js';
import { runScanAs } from './scan.js';
import { usage, withSubcommands } from './integration.js';

const HELP = `Usage: nopesight-scanner schedule <add|list|enable|disable|remove|run-now> [options]

Scan schedules, kept in DATA_DIR/scanner.db and run by the running agent (daemon or agent run;
one scan at a time; results are uploaded like any scan when an integration is configured). A
running agent sees edits made here within seconds. The platform's schedules.put replaces all of
them, these included.

schedule add --name N --targets T... TIMING [options]
  TIMING is one of:
    --daily HH:MM              every day at HH:MM (24-hour)
    --weekly DAYS@HH:MM        on those days at HH:MM, e.g. mon,thu@02:30 (mon tue wed thu fri
                               sat sun)
    --every-hours N            every N hours (1-168), counted from 00:00 UTC
    --cron EXPR                five-field cron: minute hour day-of-month month day-of-week
  --timezone TZ                IANA zone for the times and blackouts (default: the agent's)
  --blackout HH:MM-HH:MM       skip runs that fall inside (repeatable; may wrap midnight)
  --stagger SECONDS            start each run a fixed 0..SECONDS later (per schedule, 0-3600)
  --exclude T...               targets to leave out; --protocols LIST|none; --ports LIST (as
                               for scan; @FILE lists are not allowed in schedules)
  --disabled                   store it without running it

schedule list [--json]
  The schedules with their timing, next run (in their time zone) and last run.

schedule enable NAME | disable NAME | remove NAME
  NAME is a schedule's name or id. Enabling starts counting from now: runs that came while it
  was disabled are not made up.

schedule run-now NAME [--foreground] [--no-progress] [--no-upload] [--json FILE|-] [--jsonl FILE|-]
  Runs the schedule's scan now; its timing is not affected. When an agent (daemon, agent run)
  runs on this data directory, the run is handed to it (as the platform's scans and the
  schedules run: one at a time, uploaded) and this prints the scan id it started, or why it
  skipped the run (another scan runs), and returns. Otherwise, or with --foreground, --no-upload,
  --json or --jsonl, it runs here in the foreground exactly as \`scan\` would (same output and
  exit codes).

Runs are logged in logs/scheduler.log; edits in logs/app.log. Every subcommand takes
--data-dir DIR (or NOPESIGHT_DATA_DIR) and -h/--help.

Examples:
  nopesight-scanner schedule add --name nightly --targets 198.18.0.0/24 --daily 02:30 \\
      --timezone Europe/Berlin --blackout 08:00-18:00
  nopesight-scanner schedule add --name dmz --targets 198.18.5.0/24 --weekly mon,thu@22:00 \\
      --protocols ssh,snmp --stagger 600
  nopesight-scanner schedule list
  nopesight-scanner schedule run-now nightly

Exit codes: 0 done; 2 bad usage, an invalid schedule or an unknown NAME; 3 the store cannot be
read; run-now: handed to the agent: 0 started (or still queued), 1 the agent skipped it; in the
foreground: as scan.`;

const ADD_OPTIONS = {
  name: { type: 'string' },
  targets: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  protocols: { type: 'string' },
  ports: { type: 'string' },
  daily: { type: 'string' },
  weekly: { type: 'string' },
  'every-hours': { type: 'string' },
  cron: { type: 'string' },
  timezone: { type: 'string' },
  blackout: { type: 'string', multiple: true },
  stagger: { type: 'string' },
  disabled: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Options `run-now` hands to `scan` as they are, and --foreground. */
const RUN_NOW_OPTIONS = {
  foreground: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'no-upload': { type: 'boolean' },
  json: { type: 'string' },
  jsonl: { type: 'string' },
} as const satisfies OptionSpec;

export const scheduleCommand = withSubcommands(
  {
    name: 'schedule',
    summary: 'add, list, enable, disable, remove or run scan schedules',
    help: HELP,
  },
  {
    add: runAdd,
    list: runList,
    enable: (args, io) => runSetEnabled(args, io, true),
    disable: (args, io) => runSetEnabled(args, io, false),
    remove: runRemove,
    'run-now': runNow,
  },
);

interface Session {
  store: Store;
  config: Config;
  /** app.log (edits) */
  audit: Logger;
  /** scheduler.log (runs) */
  runs: Logger;
}

/** Opens the store and the logs for one subcommand, and closes both afterwards. */
async function withSession<T>(
  dataDir: unknown,
  io: CliIo,
  fn: (s: Session) => Promise<T> | T,
): Promise<T> {
  const dir = await openDataDir(dataDir as string | undefined, io.env);
  const config = await loadConfig(dir.configFile);
  const logs = new LogFiles(dir.logsDir, config.logging);
  try {
    const store = openStore(dir);
    try {
      return await fn({
        store,
        config,
        audit: logs.logger('app', { command: 'schedule' }),
        runs: logs.logger('scheduler', { component: 'scheduler' }),
      });
    } finally {
      store.close();
    }
  } finally {
    logs.close();
  }
}

/** readSchedule, its refusals as the CLI's usage errors. */
function validate(raw: Record<string, unknown>, config: Config): Schedule {
  try {
    return readSchedule(raw, config);
  } catch (err) {
    if (err instanceof CommandError) {
      throw new ScannerError('ERR_CONFIG_INVALID', `schedule: ${err.message}`);
    }
    throw err;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `--every-hours` / `--stagger` text as a number when it is digits (readSchedule checks it). */
const count = (v: unknown): unknown => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);

/** The flags of `add` as a schedule in the platform's shape, not yet validated. */
function scheduleFromFlags(values: Record<string, unknown>): Record<string, unknown> {
  const protocols = str(values.protocols);
  const weekly = str(values.weekly);
  const [days, at, more] = weekly?.split('@') ?? [];
  if (weekly !== undefined && (at === undefined || more !== undefined)) {
    throw usage('schedule', `--weekly must be DAYS@HH:MM, e.g. mon,thu@02:30, not '${weekly}'`);
  }
  const blackouts = listValues(values.blackout as string[] | undefined);
  const excludes = listValues(values.exclude as string[] | undefined);
  const raw: Record<string, unknown> = {
    id: randomUUID(),
    name: str(values.name),
    cron: str(values.cron),
    daily: str(values.daily),
    weekly: weekly === undefined ? undefined : { days: listValues(days), at },
    everyHours: count(values['every-hours']),
    timezone: str(values.timezone),
    blackouts: blackouts.length > 0 ? blackouts : undefined,
    staggerSeconds: count(values.stagger),
    targets: listValues(values.targets as string[] | undefined),
    excludes: excludes.length > 0 ? excludes : undefined,
    protocols:
      protocols === undefined || protocols.trim() === 'none'
        ? protocols?.trim()
        : listValues(protocols),
    ports: str(values.ports),
    enabled: values.disabled !== true,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

async function runAdd(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, ADD_OPTIONS);
  if (positionals.length > 0) {
    throw usage('schedule', `schedule add takes options only, not '${positionals[0]}'`);
  }
  if (values.name === undefined) throw usage('schedule', 'schedule add needs --name');
  if (values.targets === undefined) throw usage('schedule', 'schedule add needs --targets');
  return withSession(values['data-dir'], io, ({ store, config, audit }) => {
    const schedule = validate(scheduleFromFlags(values), config);
    if (store.schedules.list().some((s) => s.name === schedule.name)) {
      throw usage('schedule', `a schedule is already named '${schedule.name}'`);
    }
    store.schedules.add(schedule);
    audit.info('schedule added', { scheduleId: schedule.id, name: schedule.name });
    const next = schedule.enabled ? nextRun(schedule, new Date()) : null;
    io.stdout.write(
      `added ${schedule.name} (${describeTiming(schedule)}; id ${schedule.id}); ${
        next ? `next run ${formatInZone(next, schedule.timezone)}` : 'not scheduled to run'
      }\n`,
    );
    return EXIT.ok;
  });
}

/** The schedule named or with the id `key`; a usage error when none or several match. */
function findSchedule(store: Store, key: string | undefined, sub: string): Schedule {
  if (key === undefined) throw usage('schedule', `schedule ${sub} needs a NAME`);
  const byId = store.schedules.get(key);
  if (byId) return byId;
  const named = store.schedules.list().filter((s) => s.name === key);
  if (named.length === 1) return named[0]!;
  if (named.length === 0) {
    throw usage('schedule', `no schedule is named '${key}' (schedule list shows them)`);
  }
  throw usage(
    'schedule',
    `${named.length} schedules are named '${key}': give the id (${named.map((s) => s.id).join(', ')})`,
  );
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw usage('schedule', 'schedule list takes no arguments');
  return withSession(values['data-dir'], io, ({ store }) => {
    const now = new Date();
    const rows = store.schedules.list().map((schedule) => {
      const state = store.schedules.runState(schedule.id);
      const after = state && state.handledUntil > now ? state.handledUntil : now;
      return {
        schedule,
        nextRunAt: schedule.enabled ? nextRun(schedule, after) : null,
        last: state?.last ?? null,
      };
    });
    if (values.json) {
      const doc = rows.map((r) => ({
        ...r.schedule,
        nextRunAt: r.nextRunAt?.toISOString() ?? null,
        lastRun: r.last,
      }));
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      io.stdout.write('no schedules yet (add one with schedule add, or from the platform)\n');
      return EXIT.ok;
    }
    const table = renderTable(
      ['NAME', 'ENABLED', 'WHEN', 'NEXT RUN', 'TARGETS', 'LAST RUN'],
      rows.map(({ schedule: s, nextRunAt, last }) => [
        s.name,
        s.enabled ? 'yes' : 'no',
        describeTiming(s) + (s.blackouts?.length ? `, blackout ${s.blackouts.join(' ')}` : ''),
        nextRunAt ? formatInZone(nextRunAt, s.timezone) : '-',
        clip(s.targets.join(','), 40),
        last
          ? `${last.at} ${last.outcome}${last.state ? ` ${last.state}` : ''}${last.detail ? ` (${last.detail})` : ''}`
          : '-',
      ]),
    );
    io.stdout.write(`${table}\n`);
    return EXIT.ok;
  });
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

async function runSetEnabled(args: string[], io: CliIo, enabled: boolean): Promise<number> {
  const sub = enabled ? 'enable' : 'disable';
  const { values, positionals } = parseCommandArgs(args, {});
  if (positionals.length > 1) throw usage('schedule', `schedule ${sub} takes one NAME`);
  return withSession(values['data-dir'], io, ({ store, audit }) => {
    const s = findSchedule(store, positionals[0], sub);
    store.schedules.setEnabled(s.id, enabled);
    audit.info(`schedule ${sub}d`, { scheduleId: s.id, name: s.name });
    const next = enabled ? nextRun(s, new Date()) : null;
    io.stdout.write(
      `${s.name}: ${sub}d${next ? `; next run ${formatInZone(next, s.timezone)}` : ''}\n`,
    );
    return EXIT.ok;
  });
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {});
  if (positionals.length > 1) throw usage('schedule', 'schedule remove takes one NAME');
  return withSession(values['data-dir'], io, ({ store, audit }) => {
    const s = findSchedule(store, positionals[0], 'remove');
    store.schedules.remove(s.id);
    audit.info('schedule removed', { scheduleId: s.id, name: s.name });
    io.stdout.write(`${s.name}: removed\n`);
    return EXIT.ok;
  });
}

/** The `scan` arguments that scan what `s` scans. */
function scanArgs(s: Schedule, values: Record<string, unknown>): string[] {
  const args: string[] = [];
  if (s.excludes?.length) args.push('--exclude', s.excludes.join(','));
  if (s.protocols)
    args.push('--protocols', s.protocols === 'none' ? 'none' : s.protocols.join(','));
  if (s.ports !== undefined) args.push('--ports', s.ports);
  for (const flag of ['no-progress', 'no-upload'] as const)
    if (values[flag]) args.push(`--${flag}`);
  for (const opt of ['json', 'jsonl', 'data-dir'] as const) {
    const v = str(values[opt]);
    if (v !== undefined) args.push(`--${opt}`, v);
  }
  return [...args, '--', ...s.targets];
}

async function runNow(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, RUN_NOW_OPTIONS);
  if (positionals.length > 1) throw usage('schedule', 'schedule run-now takes one NAME');
  const dir = await openDataDir(values['data-dir'] as string | undefined, io.env);
  const here =
    values.foreground === true ||
    values['no-upload'] === true ||
    values.json !== undefined ||
    values.jsonl !== undefined;
  const agent = here ? null : await readAgentState(dir).catch(() => null);
  if (agent?.running) return handOff(dir, positionals[0], agent.state.pid, io);
  return withSession(values['data-dir'], io, async ({ store, config, runs }) => {
    const s = validate({ ...findSchedule(store, positionals[0], 'run-now') }, config);
    const log = runs.child({ scheduleId: s.id, schedule: s.name, trigger: 'run-now' });
    log.info('schedule run started');
    const finish = (state: 'completed' | 'cancelled' | 'failed', extra = {}) => {
      log[state === 'failed' ? 'error' : 'info']('schedule run finished', { state, ...extra });
      store.schedules.arm(s);
      store.schedules.recordRun(s.id, {
        at: new Date().toISOString(),
        outcome: 'finished',
        state,
        detail: 'run-now',
      });
    };
    let code: number;
    try {
      code = await runScanAs(
        { kind: 'schedule', scheduleId: s.id, scheduleName: s.name },
        scanArgs(s, values),
        io,
      );
    } catch (err) {
      finish('failed', { error: (err as Error).message });
      throw err;
    }
    finish(code === EXIT.interrupted ? 'cancelled' : 'completed');
    return code;
  });
}

/**
 * Leaves a run-now request for the running agent and waits (bounded) until its scheduler has
 * started the run or said why not (scheduler/run-now.ts, as the GUI's Run now).
 */
async function handOff(
  dir: DataDir,
  key: string | undefined,
  pid: number,
  io: CliIo,
): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  return withSession(dir.root, io, async ({ store, config, audit }) => {
    const s = validate({ ...findSchedule(store, key, 'run-now') }, config);
    audit.info('schedule run-now requested from the running agent', {
      scheduleId: s.id,
      name: s.name,
      agentPid: pid,
    });
    const r = await handRunNowToAgent(store.schedules, s.id, {
      requestedBy: 'cli',
      signal: io.signal,
    });
    switch (r.outcome) {
      case 'skipped':
        out(`${s.name}: the running agent (pid ${pid}) did not run it: ${r.detail}`);
        return EXIT.failed;
      case 'started':
        out(
          `${s.name}: started by the running agent (pid ${pid}) as scan ${r.scanId ?? '?'}; its progress is in logs/scheduler.log and schedule list`,
        );
        return EXIT.ok;
      case 'queued':
        out(
          `${s.name}: queued for the running agent (pid ${pid}); it had not taken the request yet (schedule list shows the run once it starts)`,
        );
        return EXIT.ok;
    }
  });
}
