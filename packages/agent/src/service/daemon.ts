// `nopesight-scanner daemon`: what the service runs, in the foreground. It runs the agent
// (platform/agent-runtime.ts: the scheduler and the scans it and the platform start; while an
// integration is configured, the control channel and background uploads — an integration added
// or removed later is picked up without a restart, so a service installed first and configured
// later neither crash-loops nor needs restarting) until the signal, tries one short final upload
// after a stop, and writes its life to service.log. One daemon per data directory (daemon.lock).
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openDataDir, type DataDir } from '../config/data-dir.js';
import { LogFiles, type Logger } from '../log/logger.js';
import { agentVersion, runAgent } from '../platform/agent-runtime.js';
import { IntegrationStore } from '../platform/integration.js';
import { INTEGRATION_POLL_MS } from '../platform/integration-watch.js';
import { openPlatformLink } from '../platform/link.js';
import { takePidLock } from '../platform/pid-lock.js';

/** How often the running agent looks at integration.json (added, replaced, removed). */
export { INTEGRATION_POLL_MS };

/**
 * The final upload after a stop: the batches a cancelled scan just queued. Short, one try, so the
 * stop stays well inside the service's stop timeout (SERVICE_TIMING.stopTimeoutSec).
 */
export const DAEMON_FINAL_FLUSH_MS = 10_000;

export interface DaemonOptions {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGTERM/SIGINT: the daemon stops the agent, flushes and returns. */
  signal: AbortSignal;
  /** Called once the daemon runs (the CLI prints a line). */
  onStarted?(info: { dataDir: string; pid: number }): void;
  /** Tests shorten these. */
  integrationPollMs?: number;
  schedulerWatchMs?: number;
}

export function daemonLockFile(dir: Pick<DataDir, 'root'>): string {
  return join(dir.root, 'daemon.lock');
}

/** Runs until `opts.signal` aborts; throws when it cannot start or the agent fails. */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const dir = await openDataDir(opts.dataDir, opts.env);
  const config = await loadConfig(dir.configFile);
  const logs = new LogFiles(dir.logsDir, config.logging);
  const log = logs.logger('service', { component: 'daemon', pid: process.pid });
  const lock = daemonLockFile(dir);
  let locked = false;
  try {
    await takePidLock(
      lock,
      (owner) => `a daemon already runs on this data directory (process ${owner || '?'})`,
    );
    locked = true;
    log.info('daemon started', {
      version: await agentVersion(),
      node: process.version,
      dataDir: dir.root,
      user: process.getuid?.(),
    });
    opts.onStarted?.({ dataDir: dir.root, pid: process.pid });
    await serve(dir, logs, log, opts);
    log.info('stop requested', { reason: reasonOf(opts.signal) });
    await finalFlush(dir, logs, log, opts.env);
    log.info('daemon stopped');
  } catch (err) {
    log.error('daemon failed', { err });
    throw err;
  } finally {
    if (locked) await unlink(lock).catch(() => undefined);
    logs.close();
  }
}

/** Runs the agent until the signal, with or without an integration. */
async function serve(
  dir: DataDir,
  logs: LogFiles,
  log: Logger,
  opts: DaemonOptions,
): Promise<void> {
  const settings = await new IntegrationStore(dir).settings().catch(() => null);
  log.info('agent starting', {
    integration: settings?.name ?? null,
    ...(settings ? { agentId: settings.agentId } : {}),
  });
  if (!settings) {
    log.info(
      'no integration is configured: schedules and local scans run; the control channel and uploads start once one is added (nopesight-scanner integration add)',
      { integrationPollMs: opts.integrationPollMs ?? INTEGRATION_POLL_MS },
    );
  }
  await runAgent({
    dataDir: dir.root,
    env: opts.env,
    signal: opts.signal,
    logs,
    ...(opts.integrationPollMs !== undefined ? { integrationPollMs: opts.integrationPollMs } : {}),
    ...(opts.schedulerWatchMs !== undefined ? { schedulerWatchMs: opts.schedulerWatchMs } : {}),
  });
  log.info('agent stopped');
}

/**
 * One try at sending what the stop queued (a cancelled scan's results); never throws. Nothing to
 * do without an integration.
 */
async function finalFlush(
  dir: DataDir,
  logs: LogFiles,
  log: Logger,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  try {
    const config = await loadConfig(dir.configFile);
    const link = await openPlatformLink(dir, config, { env, logs });
    if (!link) return;
    try {
      const result = await link.drain({
        signal: AbortSignal.timeout(DAEMON_FINAL_FLUSH_MS),
        budgetMs: DAEMON_FINAL_FLUSH_MS,
        maxConsecutiveFailures: 1,
      });
      log.info('final upload', {
        sent: result.sent,
        pending: result.pending,
        stoppedBy: result.stoppedBy,
        ...(result.lastError ? { error: result.lastError } : {}),
      });
    } finally {
      await link.close();
    }
  } catch (err) {
    log.warn('final upload failed; the outbox keeps the batches', { err });
  }
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : String(r);
}
