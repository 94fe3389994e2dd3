// One scan as `scan` runs it, shared by the CLI command and the control channel's `scan.start`:
// validate the request (targets, ports, protocols, config, vault) before anything is sent, then
// run the pipeline writing DATA_DIR/results/<scan id>.json, record the scan in the store with who
// started it, queue its records for the platform when an integration is configured (and upload is
// wanted), and prune old results.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { PROTOCOLS, type HostRecord, type Protocol, type ScanSummary } from '@nopesight/model';
import { parsePorts, type PortSet } from '../discovery/ports.js';
import { ScannerError } from '../errors.js';
import type { LogFiles } from '../log/logger.js';
import { openScanUpload } from '../platform/scan-upload.js';
import type { Store } from '../store/index.js';
import { describeScanSource, type ScanSource } from '../store/scans.js';
import { cleanResults } from '../store/results-retention.js';
import { jsonDocumentWriter, teeWriter, type ResultWriter } from './result-writers.js';
import { runScan, type ScanProgress, type ScanRequest } from './run-scan.js';
import { openScanContext, type ScanContext, type StageOverrides } from './scan-context.js';

/** What to scan, in the CLI's syntax (`--ports`, `--protocols`), not yet validated. */
export interface ScanJobInput {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  targets: string[];
  excludes: string[];
  /** `--ports` text; undefined = the config's ports. */
  ports?: string | undefined;
  /** `--protocols` text (`ssh,snmp`, `none`); undefined = all. */
  protocols?: string | undefined;
  allowLarge: boolean;
  overrides: StageOverrides;
  /** Aborts the validation (vault unlock) and, unless `run` gets its own, the scan. */
  signal: AbortSignal;
  /** Who starts the scan (stored with it, logged); default `cli`. */
  source?: ScanSource | undefined;
  /** A long-running caller's log files and store (left open); absent, the job opens its own. */
  logs?: LogFiles | undefined;
  store?: Store | undefined;
}

export interface ScanJobHooks {
  /** More writers (the CLI's --json/--jsonl); results/<id>.json and the upload are added here. */
  writers?: ResultWriter[];
  host?(record: HostRecord): void;
  progress?(progress: ScanProgress): void;
  warning?(message: string): void;
  /** False: keep the results local (`--no-upload`); the scan is still recorded in the store. */
  upload: boolean;
  /** Where the upload's one-line outcome goes (the CLI's stderr). */
  uploadReport: Writable;
}

/** A validated scan, ready to run once. */
export interface ScanJob {
  scanId: string;
  request: ScanRequest;
  ports: PortSet;
  protocols: Protocol[];
  /** Who started it. */
  source: ScanSource;
  /** The scan's agent.log logger. */
  log: ScanContext['log'];
  /**
   * Runs the scan to its end or until `signal` aborts (a cancelled scan still writes what it
   * found, state `cancelled`). Throws when the scan fails; always closes the context.
   */
  run(hooks: ScanJobHooks, signal: AbortSignal): Promise<ScanSummary>;
  /** Closes the context without running (when the caller gives up before `run`). */
  close(): Promise<void>;
}

/** Parses `--protocols`: a comma list of known protocols, or `none`. */
export function parseProtocols(value: string | undefined): Protocol[] {
  if (value === undefined) return [...PROTOCOLS];
  const names = value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v.length > 0);
  if (names.length === 1 && names[0] === 'none') return [];
  const aliases: Record<string, Protocol> = { wmi: 'windows', smb: 'windows', vsphere: 'vcenter' };
  return [
    ...new Set(
      names.map((n) => {
        const p = aliases[n] ?? n;
        if (!(PROTOCOLS as readonly string[]).includes(p)) {
          throw new ScannerError(
            'ERR_CONFIG_INVALID',
            `--protocols: unknown protocol '${n}' (known: ${PROTOCOLS.join(', ')}, or none)`,
          );
        }
        return p as Protocol;
      }),
    ),
  ];
}

/**
 * Validates everything before a packet is sent: malformed targets are ERR_TARGET_INVALID, too
 * many ERR_TARGET_TOO_LARGE, bad ports or protocols ERR_CONFIG_INVALID; an unreadable vault
 * its own code. Nothing is written to results/ when this throws.
 */
export async function prepareScanJob(input: ScanJobInput): Promise<ScanJob> {
  const protocols = parseProtocols(input.protocols);
  const ctx = await openScanContext({
    dataDir: input.dataDir,
    env: input.env,
    targets: input.targets,
    excludes: input.excludes,
    allowLarge: input.allowLarge,
    protocols,
    signal: input.signal,
    logs: input.logs,
    store: input.store,
  });
  let ports: PortSet;
  try {
    ports =
      input.ports !== undefined
        ? parsePorts(input.ports, ctx.config.scan.profiles)
        : { tcp: ctx.config.scan.tcpPorts, udp: ctx.config.scan.udpPorts };
    if (ports.tcp.length === 0 && ports.udp.length === 0) {
      throw new ScannerError('ERR_CONFIG_INVALID', '--ports selects no port');
    }
  } catch (err) {
    await ctx.close();
    throw err;
  }
  const scanId = randomUUID();
  const request: ScanRequest = {
    scanId,
    targets: input.targets,
    excludes: input.excludes,
    tcpPorts: ports.tcp,
    udpPorts: ports.udp,
    protocols,
    expectedAddresses: ctx.expectedAddresses,
  };
  let used = false;
  const source = input.source ?? { kind: 'cli' };
  return {
    scanId,
    request,
    ports,
    protocols,
    source,
    log: ctx.log,
    close: () => ctx.close(),
    async run(hooks, signal) {
      if (used) throw new Error(`scan ${scanId} was already run`);
      used = true;
      return runJob(ctx, request, ports, source, input.overrides, hooks, signal);
    },
  };
}

async function runJob(
  ctx: ScanContext,
  request: ScanRequest,
  ports: PortSet,
  source: ScanSource,
  overrides: StageOverrides,
  hooks: ScanJobHooks,
  signal: AbortSignal,
): Promise<ScanSummary> {
  const { scanId, protocols } = request;
  const stages = ctx.stages(request, overrides);
  const writers: ResultWriter[] = [
    jsonDocumentWriter(join(ctx.resultsDir, `${scanId}.json`)),
    ...(hooks.writers ?? []),
  ];
  // Recorded in the store always; uploaded (docs/protocol.md) only with an integration. Neither
  // fails the scan.
  const upload = await openScanUpload(
    { ...request, ports, protocols },
    {
      dir: ctx.dataDir,
      env: ctx.env,
      config: ctx.config,
      store: ctx.store,
      logs: ctx.logs,
      log: ctx.log,
      source,
      upload: hooks.upload,
      stderr: hooks.uploadReport,
    },
  );
  if (upload) writers.push(upload.writer);
  const writer = teeWriter(writers);
  const by = describeScanSource(source);
  ctx.log.info('scan started', {
    scanId,
    source: by,
    targets: request.targets,
    excludes: request.excludes,
    ports,
    protocols,
  });
  let summary: ScanSummary;
  try {
    summary = await runScan(
      request,
      stages,
      {
        host: async (record) => {
          hooks.host?.(record);
          await writer.host(record);
        },
        progress: (p) => hooks.progress?.(p),
        warning: (message) => {
          ctx.log.warn(message, { scanId });
          hooks.warning?.(message);
        },
      },
      signal,
    );
  } catch (err) {
    await writer.abort();
    ctx.log.error('scan failed', { scanId, source: by, error: (err as Error).message });
    await ctx.close();
    throw err;
  }
  await writer.finish(summary);
  ctx.log.info('scan finished', {
    scanId,
    source: by,
    state: summary.state,
    counts: summary.counts,
  });
  await upload?.send(signal);
  const cleaned = await cleanResults(ctx.resultsDir, ctx.config.results, {
    keep: [`${scanId}.json`],
  });
  if (cleaned.deleted.length > 0) ctx.log.info('old results deleted', { files: cleaned.deleted });
  pruneHistory(ctx);
  await ctx.close();
  return summary;
}

/** Forgets scan rows past `results.maxAgeDays` (those still in the outbox stay); never throws. */
function pruneHistory(ctx: ScanContext): void {
  const days = ctx.config.results.maxAgeDays;
  if (days <= 0) return;
  try {
    ctx.store.scans.prune(new Date(Date.now() - days * 86_400_000));
  } catch (err) {
    ctx.log.warn('cannot prune the scan history', { error: (err as Error).message });
  }
}
