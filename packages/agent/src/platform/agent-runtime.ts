// The long-running agent (`nopesight-scanner agent run`): keeps the control channel up, answers
// the platform's requests, runs the scans it and the schedules start (scheduler/), and drains
// the outbox in the background, until the signal aborts. One per data directory (agent.lock);
// its state in agent-state.json for `agent status`.
import { readFile, unlink } from 'node:fs/promises';
import { hostname, arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openDataDir, type DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { LogFiles, type Logger } from '../log/logger.js';
import { redact } from '../log/redact.js';
import { processAlive } from '../store/scans.js';
import { writeFileAtomic } from '../vault/atomic-file.js';
import {
  ControlChannel,
  type ChannelState,
  type CommandHandler,
  type ControlChannelOptions,
} from './control-channel.js';
import { PROTOCOL_VERSION } from './envelope.js';
import { readTailRequest, tailLog } from './log-tail.js';
import { openPlatformLink, readCaFile, type PlatformLink } from './link.js';
import { MetricsCollector } from './metrics.js';
import { RemoteScans } from './remote-scans.js';
import { lockOwner, takePidLock } from './pid-lock.js';
import { readSchedule, readSchedules } from './scan-spec.js';
import { RemoteScanLauncher } from '../scheduler/remote-scan-launcher.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { abortableSleep, type BackoffPolicy, type DrainResult } from './uploader.js';

export const CAPABILITIES = ['scan', 'schedules', 'metrics', 'config', 'logs'] as const;

/** The background drain: every interval, a drain that waits through a few retries. */
export const BACKGROUND_DRAIN = {
  intervalMs: 30_000,
  budgetMs: 60_000,
  maxConsecutiveFailures: 3,
  /** After the platform refused the token, the next try waits this long. */
  afterAuthMs: 5 * 60_000,
} as const;

export interface AgentRunOptions {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: the agent closes the channel, cancels a scan, and returns. */
  signal: AbortSignal;
  /** Called once the agent runs (the CLI prints a line). */
  onStarted?(info: { dataDir: string; wsUrl: string; agentId: string }): void;
  /** Tests shorten these. */
  reconnectBackoff?: BackoffPolicy;
  drainIntervalMs?: number;
}

/** agent-state.json: what `agent status` prints. */
export interface AgentStateFile {
  pid: number;
  startedAt: string;
  agentId: string;
  channel: ChannelState;
  uploads: {
    lastDrainAt: string | null;
    pending: number;
    deadLetters: number;
    error: string | null;
  };
  stoppedAt: string | null;
}

export function agentStateFile(dir: Pick<DataDir, 'root'>): string {
  return join(dir.root, 'agent-state.json');
}

function lockFile(dir: Pick<DataDir, 'root'>): string {
  return join(dir.root, 'agent.lock');
}

let cachedVersion: string | null = null;
/** The agent's version, from its package.json (the same relative path from src/ and dist/). */
export async function agentVersion(): Promise<string> {
  if (cachedVersion === null) {
    const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
    cachedVersion = String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  }
  return cachedVersion;
}

/** Runs the agent until `opts.signal` aborts. Throws only when it cannot start. */
export async function runAgent(opts: AgentRunOptions): Promise<void> {
  const dir = await openDataDir(opts.dataDir, opts.env);
  const config = await loadConfig(dir.configFile);
  const logs = new LogFiles(dir.logsDir, config.logging);
  const log = logs.logger('agent', { component: 'agent' });
  let link: PlatformLink | null = null;
  let locked = false;
  try {
    await takePidLock(
      lockFile(dir),
      (owner) => `an agent already runs on this data directory (process ${owner || '?'})`,
    );
    locked = true;
    link = await openPlatformLink(dir, config, { env: opts.env, logs });
    if (!link) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        'no integration is configured: add one with nopesight-scanner integration add',
      );
    }
    await serve(dir, logs, log, link, opts);
  } finally {
    await link?.close();
    if (locked) await unlink(lockFile(dir)).catch(() => undefined);
    logs.close();
  }
}

async function serve(
  dir: DataDir,
  logs: LogFiles,
  log: Logger,
  link: PlatformLink,
  opts: AgentRunOptions,
): Promise<void> {
  const { integration } = link;
  const state: AgentStateFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    agentId: integration.agentId,
    channel: {} as ChannelState,
    uploads: { lastDrainAt: null, pending: 0, deadLetters: 0, error: null },
    stoppedAt: null,
  };
  // State writes are chained so they land in order; each is small and follows a state change.
  let writes = Promise.resolve();
  const saveState = () => {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    writes = writes
      .then(() => writeFileAtomic(agentStateFile(dir), text, 0o600))
      .catch((err: Error) => log.warn('cannot write agent-state.json', { error: err.message }));
  };

  let channel: ControlChannel | null = null;
  const metrics = new MetricsCollector({
    dataDir: dir.root,
    store: link.store,
    localIp: () => {
      const s = channel?.state();
      return s?.state === 'connected' ? s.localAddress : null;
    },
  });
  // Scheduled scans take the remote scans' path: one scan at a time, uploaded via the outbox.
  const launcher = new RemoteScanLauncher({ start: (p) => scans.start(p) });
  const scans: RemoteScans = new RemoteScans({
    dir,
    env: opts.env,
    log,
    notify: (type, payload) => {
      launcher.notice(type, payload);
      void channel?.send(type, payload);
    },
    onStatusChange: () => channel?.heartbeatNow(),
  });
  const scheduler = new Scheduler({
    store: link.store.schedules,
    launcher,
    validate: async (s) => readSchedule({ ...s }, await loadConfig(dir.configFile)),
    log: logs.logger('scheduler', { component: 'scheduler' }),
  });
  const version = await agentVersion();
  const handlers: Record<string, CommandHandler> = {
    'scan.start': (p) => scans.start(p),
    'scan.cancel': (p) => scans.cancel(p),
    'schedules.get': () => ({ schedules: link.store.schedules.list() }),
    'schedules.put': async (p) => {
      const schedules = readSchedules(p, await loadConfig(dir.configFile));
      link.store.schedules.replaceAll(schedules);
      log.info('schedules replaced by the platform', { count: schedules.length });
      scheduler.wake();
      return { schedules: link.store.schedules.list() };
    },
    'metrics.get': () => metrics.sample(),
    'config.get': async () => ({
      config: redact(await loadConfig(dir.configFile), logs.secrets),
      integration: redact(
        {
          name: integration.name,
          apiUrl: integration.apiUrl,
          agentId: integration.agentId,
          wsUrl: integration.wsUrl,
          caFile: integration.caFile,
          tlsVerify: integration.tlsVerify,
        },
        logs.secrets,
      ),
      dataDir: dir.root,
    }),
    'logs.tail': (p) => tailLog(dir.logsDir, readTailRequest(p), logs.secrets),
  };
  const channelOptions: ControlChannelOptions = {
    url: integration.wsUrl,
    agentId: integration.agentId,
    token: integration.apiToken,
    tlsVerify: integration.tlsVerify,
    ca: integration.caFile ? await readCaFile(integration.caFile) : undefined,
    env: opts.env,
    log: link.log,
    hello: () => ({
      agentId: integration.agentId,
      version,
      hostname: hostname(),
      os: { platform: platform(), release: release(), arch: arch() },
      protocol: PROTOCOL_VERSION,
      capabilities: [...CAPABILITIES],
    }),
    heartbeat: async () => {
      const status = scans.status();
      const uploadError = state.uploads.error;
      const error =
        status.error ??
        (uploadError ? { code: 'ERR_PLATFORM_AUTH', message: uploadError } : undefined);
      return {
        status: status.status === 'scanning' ? 'scanning' : error ? 'error' : 'idle',
        ...(error ? { error } : {}),
        metrics: await metrics.sample(),
      };
    },
    handlers,
    onStateChange: (s) => {
      state.channel = s;
      saveState();
    },
    ...(opts.reconnectBackoff ? { backoff: opts.reconnectBackoff } : {}),
  };
  channel = new ControlChannel(channelOptions);
  if (!integration.tlsVerify) {
    link.log.warn('TLS verification is off for this integration (explicit choice)', {
      name: integration.name,
    });
  }
  log.info('agent started', { pid: process.pid, wsUrl: integration.wsUrl, version });
  opts.onStarted?.({ dataDir: dir.root, wsUrl: integration.wsUrl, agentId: integration.agentId });

  const drainLoop = async () => {
    const interval = opts.drainIntervalMs ?? BACKGROUND_DRAIN.intervalMs;
    // One drain per iteration and a pause after each: bounded in rate until the signal aborts.
    while (!opts.signal.aborted) {
      let result: DrainResult | null = null;
      try {
        result = await link.drain({
          signal: opts.signal,
          budgetMs: BACKGROUND_DRAIN.budgetMs,
          maxConsecutiveFailures: BACKGROUND_DRAIN.maxConsecutiveFailures,
        });
      } catch (err) {
        link.log.error('background drain failed', { error: (err as Error).message });
      }
      const auth = result?.stoppedBy === 'auth';
      const hadError = state.uploads.error !== null;
      state.uploads = {
        lastDrainAt: new Date().toISOString(),
        pending: result?.pending ?? state.uploads.pending,
        deadLetters: result?.deadLetters ?? state.uploads.deadLetters,
        error: auth ? (result?.lastError?.message ?? 'the platform refused the token') : null,
      };
      saveState();
      if (hadError !== (state.uploads.error !== null)) channel?.heartbeatNow();
      await abortableSleep(auth ? BACKGROUND_DRAIN.afterAuthMs : interval, opts.signal).catch(
        () => undefined,
      );
    }
  };

  try {
    await Promise.all([channel.run(opts.signal), drainLoop(), scheduler.run(opts.signal)]);
  } finally {
    await scans.stop();
    await scheduler.settled();
    state.stoppedAt = new Date().toISOString();
    state.channel = channel.state();
    saveState();
    await writes;
    log.info('agent stopped', { pid: process.pid });
  }
}

/** agent-state.json and whether its process still runs; null when the agent never ran here. */
export async function readAgentState(
  dir: Pick<DataDir, 'root'>,
): Promise<{ state: AgentStateFile; running: boolean } | null> {
  let text: string;
  try {
    text = await readFile(agentStateFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ScannerError(
      'ERR_IO',
      `cannot read ${agentStateFile(dir)}: ${(err as Error).message}`,
    );
  }
  let state: AgentStateFile;
  try {
    state = JSON.parse(text) as AgentStateFile;
  } catch {
    throw new ScannerError('ERR_IO', `${agentStateFile(dir)} is not JSON`);
  }
  const owner = await lockOwner(lockFile(dir));
  const running = state.stoppedAt === null && owner === state.pid && processAlive(state.pid);
  return { state, running };
}
