// The long-running agent (`nopesight-scanner agent run`, and `daemon`): runs the scans the
// schedules (scheduler/) and the platform start, and — while an integration is configured —
// keeps the control channel up, answers the platform's requests and drains the outbox in the
// background (platform-session.ts), until the signal aborts. Without an integration the
// scheduler and local scans run alone (results/ and the store; nothing queued); an integration
// added, replaced or removed meanwhile (CLI or GUI) is noticed within INTEGRATION_POLL_MS and the
// channel and uploads start or stop without a restart. One per data directory (agent.lock); its
// state in agent-state.json for `agent status` and the GUI.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openDataDir, type DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { LogFiles, type Logger } from '../log/logger.js';
import { RemoteScanLauncher } from '../scheduler/remote-scan-launcher.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { openStore, type Store } from '../store/index.js';
import { processAlive } from '../store/scans.js';
import { writeFileAtomic } from '../vault/atomic-file.js';
import type { ChannelState, ControlChannel } from './control-channel.js';
import { IntegrationStore } from './integration.js';
import { INTEGRATION_POLL_MS, integrationStamp } from './integration-watch.js';
import { openPlatformLink, type PlatformLink } from './link.js';
import { MetricsCollector } from './metrics.js';
import { lockOwner, takePidLock } from './pid-lock.js';
import { runPlatformSession, type UploadsState } from './platform-session.js';
import { RemoteScans } from './remote-scans.js';
import { readSchedule } from './scan-spec.js';
import { abortableSleep, type BackoffPolicy } from './uploader.js';

export { BACKGROUND_DRAIN, CAPABILITIES } from './platform-session.js';

export interface AgentRunOptions {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: the agent closes the channel, cancels a scan, and returns. */
  signal: AbortSignal;
  /** The caller's log files (the daemon's), left open; absent, the agent opens its own. */
  logs?: LogFiles;
  /** Refuse to start (ERR_CONFIG_INVALID) when no integration is configured (`agent run`). */
  requireIntegration?: boolean;
  /** Called once the agent runs (the CLI prints a line); null fields: no integration. */
  onStarted?(info: { dataDir: string; wsUrl: string | null; agentId: string | null }): void;
  /** Tests shorten these. */
  reconnectBackoff?: BackoffPolicy;
  drainIntervalMs?: number;
  integrationPollMs?: number;
  schedulerWatchMs?: number;
}

/** agent-state.json: what `agent status` prints. */
export interface AgentStateFile {
  pid: number;
  startedAt: string;
  /** The integration's agent id; '' while none is configured. */
  agentId: string;
  /**
   * The integration in use; null while none is configured (then the control channel and
   * uploads are off and `channel.state` is `stopped`); absent in files from older agents.
   */
  integration?: { name: string; apiUrl: string; wsUrl: string } | null;
  /** Why the configured integration is not used (it cannot be read); null when it is. */
  integrationError?: string | null;
  channel: ChannelState;
  uploads: UploadsState;
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
  const logs = opts.logs ?? new LogFiles(dir.logsDir, config.logging);
  const log = logs.logger('agent', { component: 'agent' });
  let store: Store | null = null;
  let locked = false;
  try {
    await takePidLock(
      lockFile(dir),
      (owner) => `an agent already runs on this data directory (process ${owner || '?'})`,
    );
    locked = true;
    if (opts.requireIntegration && !(await new IntegrationStore(dir).load())) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        'no integration is configured: add one with nopesight-scanner integration add (daemon runs without one)',
      );
    }
    store = openStore(dir);
    await serve(dir, logs, log, store, opts);
  } finally {
    store?.close();
    if (locked) await unlink(lockFile(dir)).catch(() => undefined);
    if (!opts.logs) logs.close();
  }
}

/** The channel's state while no integration is configured (or it cannot be used). */
function channelOff(): ChannelState {
  return {
    state: 'stopped',
    since: new Date().toISOString(),
    url: '',
    connects: 0,
    lastError: null,
    retryAt: null,
    heartbeatIntervalMs: 0,
    localAddress: null,
  };
}

async function serve(
  dir: DataDir,
  logs: LogFiles,
  log: Logger,
  store: Store,
  opts: AgentRunOptions,
): Promise<void> {
  const state: AgentStateFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    agentId: '',
    integration: null,
    integrationError: null,
    channel: channelOff(),
    uploads: {
      lastDrainAt: null,
      pending: store.outbox.counts().pending,
      deadLetters: 0,
      error: null,
    },
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
    store,
    localIp: () => {
      const s = channel?.state();
      return s?.state === 'connected' ? s.localAddress : null;
    },
  });
  // Scheduled scans take the remote scans' path: one scan at a time, recorded, and uploaded via
  // the outbox while an integration is configured.
  const launcher = new RemoteScanLauncher({ start: (p, source) => scans.start(p, source) });
  const scans: RemoteScans = new RemoteScans({
    dir,
    env: opts.env,
    log,
    logs,
    store,
    notify: (type, payload) => {
      launcher.notice(type, payload);
      void channel?.send(type, payload);
    },
    onStatusChange: () => channel?.heartbeatNow(),
  });
  const scheduler = new Scheduler({
    store: store.schedules,
    launcher,
    validate: async (s) => readSchedule({ ...s }, await loadConfig(dir.configFile)),
    log: logs.logger('scheduler', { component: 'scheduler' }),
    ...(opts.schedulerWatchMs !== undefined ? { watchMs: opts.schedulerWatchMs } : {}),
  });
  const version = await agentVersion();
  const first = await new IntegrationStore(dir).settings().catch(() => null);
  log.info('agent started', {
    pid: process.pid,
    version,
    ...(first ? { integration: first.name, wsUrl: first.wsUrl } : { integration: null }),
  });
  opts.onStarted?.({
    dataDir: dir.root,
    wsUrl: first?.wsUrl ?? null,
    agentId: first?.agentId ?? null,
  });
  saveState();

  /** Follows integration.json: one platform session per integration, none while there is none. */
  const followIntegration = async () => {
    const pollMs = opts.integrationPollMs ?? INTEGRATION_POLL_MS;
    let stamp: string | null | undefined;
    let session: { controller: AbortController; done: Promise<void> } | null = null;
    const stopSession = async () => {
      if (!session) return;
      session.controller.abort();
      await session.done;
      session = null;
    };
    // One look per poll interval until the signal aborts.
    while (!opts.signal.aborted) {
      const now = await integrationStamp(dir);
      if (now !== stamp) {
        const firstLook = stamp === undefined;
        stamp = now;
        await stopSession();
        if (!firstLook) log.info('the integration changed', { configured: now !== null });
        session = await startSession();
      }
      await abortableSleep(pollMs, opts.signal).catch(() => undefined);
    }
    await stopSession();
  };

  /** Opens the configured integration and runs its session; null when there is none. */
  const startSession = async () => {
    let link: PlatformLink | null = null;
    try {
      link = await openPlatformLink(dir, await loadConfig(dir.configFile), {
        env: opts.env,
        logs,
        store,
      });
    } catch (err) {
      const message = err instanceof ScannerError ? `${err.code}: ${err.message}` : String(err);
      log.error('the integration cannot be used: control channel and uploads stay off', {
        error: message,
      });
      Object.assign(state, { agentId: '', integration: null, integrationError: message });
      state.channel = channelOff();
      saveState();
      return null;
    }
    if (!link) {
      log.info(
        'no integration is configured: schedules and local scans run; the control channel and uploads are off',
      );
      Object.assign(state, { agentId: '', integration: null, integrationError: null });
      state.channel = channelOff();
      saveState();
      return null;
    }
    const { integration } = link;
    Object.assign(state, {
      agentId: integration.agentId,
      integration: { name: integration.name, apiUrl: integration.apiUrl, wsUrl: integration.wsUrl },
      integrationError: null,
    });
    saveState();
    log.info('platform connection starting', {
      integration: integration.name,
      agentId: integration.agentId,
      wsUrl: integration.wsUrl,
    });
    const controller = new AbortController();
    const signal = AbortSignal.any([opts.signal, controller.signal]);
    const opened = link;
    const done = runPlatformSession(
      opened,
      {
        dir,
        env: opts.env,
        logs,
        log,
        scans,
        scheduler,
        metrics,
        version,
        setChannel: (c) => (channel = c),
        onChannelState: (s) => {
          state.channel = s;
          saveState();
        },
        onUploads: (u) => {
          state.uploads = u;
          saveState();
        },
        uploads: () => state.uploads,
        reconnectBackoff: opts.reconnectBackoff,
        drainIntervalMs: opts.drainIntervalMs,
      },
      signal,
    )
      .catch((err: Error) =>
        log.error('platform connection failed', {
          error: err.message,
          integration: integration.name,
        }),
      )
      .finally(async () => {
        await opened.close();
        log.info('platform connection stopped', { integration: integration.name });
      });
    return { controller, done };
  };

  try {
    await Promise.all([followIntegration(), scheduler.run(opts.signal)]);
  } finally {
    await scans.stop();
    await scheduler.settled();
    state.stoppedAt = new Date().toISOString();
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
