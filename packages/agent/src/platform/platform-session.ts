// The agent's connection to one integration, while that integration is configured: the control
// channel (hello, heartbeats, the platform's requests) and the background drain of the outbox.
// agent-runtime.ts starts one when an integration appears and aborts it when the integration is
// removed or replaced; the scans and the scheduler outlive it. When the channel connects (the
// platform is back after an outage) the outbox is made due and drained at once rather than after
// each batch's backoff.
import { hostname, arch, platform, release } from 'node:os';
import type { DataDir } from '../config/data-dir.js';
import { loadConfig } from '../config/config.js';
import type { LogFiles, Logger } from '../log/logger.js';
import { redact } from '../log/redact.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import {
  ControlChannel,
  type ChannelState,
  type CommandHandler,
  type ControlChannelOptions,
} from './control-channel.js';
import { PROTOCOL_VERSION } from './envelope.js';
import { readCaFile, type PlatformLink } from './link.js';
import { readTailRequest, tailLog } from './log-tail.js';
import type { MetricsCollector } from './metrics.js';
import type { RemoteScans } from './remote-scans.js';
import { readSchedules } from './scan-spec.js';
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

/** The uploads part of agent-state.json. */
export interface UploadsState {
  lastDrainAt: string | null;
  pending: number;
  deadLetters: number;
  error: string | null;
}

export interface PlatformSessionDeps {
  dir: DataDir;
  env: NodeJS.ProcessEnv;
  logs: LogFiles;
  /** agent.log */
  log: Logger;
  scans: RemoteScans;
  scheduler: Scheduler;
  metrics: MetricsCollector;
  version: string;
  /** The channel, once made (scans' messages go to it); null again when the session ends. */
  setChannel(channel: ControlChannel | null): void;
  /** The channel's state changed (written to agent-state.json). */
  onChannelState(state: ChannelState): void;
  /** A drain ended (written to agent-state.json). */
  onUploads(uploads: UploadsState): void;
  /** The last uploads state (its error makes heartbeats report `error`). */
  uploads(): UploadsState;
  reconnectBackoff?: BackoffPolicy | undefined;
  drainIntervalMs?: number | undefined;
}

/** Runs the channel and the background drain for `link` until `signal` aborts. */
export async function runPlatformSession(
  link: PlatformLink,
  deps: PlatformSessionDeps,
  signal: AbortSignal,
): Promise<void> {
  const { integration } = link;
  const { dir, logs, log, scans, scheduler, metrics } = deps;
  const store = link.store;
  /** Ends the drain loop's pause (set while it pauses). */
  let wakeDrain: AbortController | null = null;
  let drainWanted = false;
  const drainNow = () => {
    try {
      const due = store.outbox.dueNow();
      if (due > 0) link.log.info('the platform is reachable: queued batches are due now', { due });
    } catch (err) {
      link.log.warn('cannot make the outbox due', { error: (err as Error).message });
    }
    drainWanted = true;
    wakeDrain?.abort();
  };
  const handlers: Record<string, CommandHandler> = {
    'scan.start': (p) => scans.start(p),
    'scan.cancel': (p) => scans.cancel(p),
    'schedules.get': () => ({ schedules: store.schedules.list() }),
    'schedules.put': async (p) => {
      const schedules = readSchedules(p, await loadConfig(dir.configFile));
      store.schedules.replaceAll(schedules);
      log.info('schedules replaced by the platform', { count: schedules.length });
      scheduler.wake();
      return { schedules: store.schedules.list() };
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
    env: deps.env,
    log: link.log,
    hello: () => ({
      agentId: integration.agentId,
      version: deps.version,
      hostname: hostname(),
      os: { platform: platform(), release: release(), arch: arch() },
      protocol: PROTOCOL_VERSION,
      capabilities: [...CAPABILITIES],
    }),
    heartbeat: async () => {
      const status = scans.status();
      const uploadError = deps.uploads().error;
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
      deps.onChannelState(s);
      if (s.state === 'connected') drainNow();
    },
    ...(deps.reconnectBackoff ? { backoff: deps.reconnectBackoff } : {}),
  };
  const channel = new ControlChannel(channelOptions);
  deps.setChannel(channel);
  if (!integration.tlsVerify) {
    link.log.warn('TLS verification is off for this integration (explicit choice)', {
      name: integration.name,
    });
  }
  try {
    const pause = async (ms: number) => {
      wakeDrain = new AbortController();
      if (drainWanted) wakeDrain.abort();
      drainWanted = false;
      await abortableSleep(ms, AbortSignal.any([signal, wakeDrain.signal])).catch(() => undefined);
    };
    await Promise.all([channel.run(signal), drainLoop(link, deps, () => channel, signal, pause)]);
  } finally {
    deps.setChannel(null);
    deps.onChannelState(channel.state());
  }
}

async function drainLoop(
  link: PlatformLink,
  deps: PlatformSessionDeps,
  channel: () => ControlChannel,
  signal: AbortSignal,
  pause: (ms: number) => Promise<void>,
): Promise<void> {
  const interval = deps.drainIntervalMs ?? BACKGROUND_DRAIN.intervalMs;
  // One drain per iteration and a pause after each: bounded in rate until the signal aborts.
  while (!signal.aborted) {
    let result: DrainResult | null = null;
    try {
      result = await link.drain({
        signal,
        budgetMs: BACKGROUND_DRAIN.budgetMs,
        maxConsecutiveFailures: BACKGROUND_DRAIN.maxConsecutiveFailures,
      });
    } catch (err) {
      link.log.error('background drain failed', { error: (err as Error).message });
    }
    const before = deps.uploads();
    const auth = result?.stoppedBy === 'auth';
    const uploads: UploadsState = {
      lastDrainAt: new Date().toISOString(),
      pending: result?.pending ?? before.pending,
      deadLetters: result?.deadLetters ?? before.deadLetters,
      error: auth ? (result?.lastError?.message ?? 'the platform refused the token') : null,
    };
    deps.onUploads(uploads);
    if ((before.error !== null) !== (uploads.error !== null)) channel().heartbeatNow();
    await pause(auth ? BACKGROUND_DRAIN.afterAuthMs : interval);
  }
}
