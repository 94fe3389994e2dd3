// `nopesight-scanner daemon`: what the service runs, in the foreground. It runs the agent
// (platform/agent-runtime.ts: control channel, remote scans, background uploads) until the
// signal, waits for an integration while none is configured (a service installed first and
// configured later must not crash-loop), tries one short final upload after a stop, and writes
// its life to service.log. One daemon per data directory (daemon.lock).
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openDataDir, type DataDir } from '../config/data-dir.js';
import { LogFiles, type Logger } from '../log/logger.js';
import { agentVersion, runAgent } from '../platform/agent-runtime.js';
import { IntegrationStore } from '../platform/integration.js';
import { openPlatformLink } from '../platform/link.js';
import { takePidLock } from '../platform/pid-lock.js';
import { abortableSleep } from '../platform/uploader.js';

/** How often a daemon without an integration looks for one. */
export const INTEGRATION_POLL_MS = 30_000;

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
  /** Tests shorten it. */
  integrationPollMs?: number;
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
    const ranAgent = await serve(dir, log, opts);
    log.info('stop requested', { reason: reasonOf(opts.signal) });
    if (ranAgent) await finalFlush(dir, logs, log, opts.env);
    log.info('daemon stopped');
  } catch (err) {
    log.error('daemon failed', { err });
    throw err;
  } finally {
    if (locked) await unlink(lock).catch(() => undefined);
    logs.close();
  }
}

/** Waits for an integration, then runs the agent until the signal; true when the agent ran. */
async function serve(dir: DataDir, log: Logger, opts: DaemonOptions): Promise<boolean> {
  const pollMs = opts.integrationPollMs ?? INTEGRATION_POLL_MS;
  const integrations = new IntegrationStore(dir);
  let said = false;
  // One check per poll interval until an integration appears or the signal aborts.
  while (!opts.signal.aborted) {
    const settings = await integrations.settings();
    if (settings) {
      log.info('agent starting', { integration: settings.name, agentId: settings.agentId });
      await runAgent({ dataDir: dir.root, env: opts.env, signal: opts.signal });
      log.info('agent stopped');
      return true;
    }
    if (!said) {
      log.info(
        'no integration is configured: waiting for one (nopesight-scanner integration add)',
        {
          pollMs,
        },
      );
      said = true;
    }
    await abortableSleep(pollMs, opts.signal).catch(() => undefined);
  }
  return false;
}

/** One try at sending what the stop queued (a cancelled scan's results); never throws. */
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
