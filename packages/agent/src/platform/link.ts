// The platform link opened once per command (or per integration, in the agent): the integration
// (token decrypted), integrations.log (with the token registered for scrubbing), the API client,
// the store and the uploader. A caller that already has log files or a store passes them in.
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import type { DataDir } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';
import { LogFiles, type Logger } from '../log/logger.js';
import { openStore, type Store } from '../store/index.js';
import { ApiClient } from './api-client.js';
import { IntegrationStore, type Integration } from './integration.js';
import { Uploader, type DrainOptions, type DrainResult } from './uploader.js';

export interface PlatformLink {
  integration: Integration;
  client: ApiClient;
  store: Store;
  uploader: Uploader;
  /** integrations.log, tagged with the integration's name and agent id. */
  log: Logger;
  /**
   * Closes scans left running by a dead process, drains (see Uploader.drain), then prunes
   * finished scans past `results.maxAgeDays` whose batches are all gone.
   */
  drain(opts: DrainOptions): Promise<DrainResult>;
  close(): Promise<void>;
}

export interface LinkOptions {
  env: NodeJS.ProcessEnv;
  /** Shared log files when the caller has them; otherwise the link opens its own. */
  logs?: LogFiles;
  /** Shared store when the caller has one (left open by close()); otherwise the link opens its own. */
  store?: Store;
  timeoutMs?: number;
}

/** Reads a CA file for the client; a missing or non-PEM file is ERR_CONFIG_INVALID. */
export async function readCaFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScannerError('ERR_CONFIG_INVALID', `CA file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ScannerError('ERR_CONFIG_INVALID', `CA file ${path}: no PEM certificate in it`);
  }
  return text;
}

/** An API client for an integration (also used by `integration test` before anything else). */
export async function clientFor(
  integration: Integration,
  env: NodeJS.ProcessEnv,
  log: Logger,
  timeoutMs?: number,
): Promise<ApiClient> {
  return new ApiClient({
    apiBase: integration.apiUrl,
    agentId: integration.agentId,
    token: integration.apiToken,
    tlsVerify: integration.tlsVerify,
    ...(integration.caFile ? { ca: await readCaFile(integration.caFile) } : {}),
    env,
    log,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** Opens the link; null when no integration is configured. */
export async function openPlatformLink(
  dir: DataDir,
  config: Config,
  opts: LinkOptions,
): Promise<PlatformLink | null> {
  const integration = await new IntegrationStore(dir).load();
  if (!integration) return null;
  const logs = opts.logs ?? new LogFiles(dir.logsDir, config.logging);
  const ownLogs = opts.logs === undefined;
  logs.secrets.add(integration.apiToken);
  const log = logs.logger('integrations', {
    integration: integration.name,
    agentId: integration.agentId,
  });
  const ownStore = opts.store === undefined;
  let store: Store | undefined = opts.store;
  try {
    const client = await clientFor(integration, opts.env, log, opts.timeoutMs);
    store ??= openStore(dir);
    const uploader = new Uploader({ outbox: store.outbox, sender: client, log });
    const s = store;
    return {
      integration,
      client,
      store: s,
      uploader,
      log,
      async drain(drainOpts) {
        for (const id of s.scans.recoverAbandoned()) {
          log.warn('a scan whose process died was closed as failed and queued', { scanId: id });
        }
        const result = await uploader.drain(drainOpts);
        // Scans rows are small; they go with the results they describe (0 = no age limit).
        const days = config.results.maxAgeDays;
        if (days > 0) s.scans.prune(new Date(Date.now() - days * 86_400_000));
        return result;
      },
      async close() {
        client.close();
        if (ownStore) s.close();
        if (ownLogs) logs.close();
      },
    };
  } catch (err) {
    if (ownStore) store?.close();
    if (ownLogs) logs.close();
    throw err;
  }
}
