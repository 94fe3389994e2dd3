// `nopesight-scanner scan`: sweep targets, fingerprint what answers, collect over the selected
// protocols, and write the results (a contract: docs/cli.md).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PROTOCOLS, type HostRecord, type Protocol } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { listValues, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { ProgressLine } from '../progress.js';
import { formatSummary } from '../summary-table.js';
import { parsePorts } from '../../discovery/ports.js';
import { runScan, type ScanRequest } from '../../scan/run-scan.js';
import {
  jsonDocumentWriter,
  jsonlWriter,
  teeWriter,
  type ResultWriter,
} from '../../scan/result-writers.js';
import { openScanContext } from '../../scan/scan-context.js';
import { openScanUpload } from '../../platform/scan-upload.js';
import { cleanResults } from '../../store/results-retention.js';

const HELP = `Usage: nopesight-scanner scan TARGETS... [options]

Sweeps the targets for live hosts and open ports, fingerprints them without credentials,
picks a protocol per host and collects inventory with the stored credentials.

Targets: addresses (198.18.0.10, 2001:db8::1), CIDR (198.18.0.0/24), dash ranges
(198.18.1.10-20, 198.18.1.10-198.18.2.5), hostnames, and @FILE lists (one or more per line,
# comments). More than 65,536 addresses needs --allow-large.

Options:
  --exclude T...         targets to leave out (repeat or comma-separate; same forms as TARGETS)
  --ports LIST           ports to probe: 22,80,8000-8100, T:/U: prefixes, or a profile
                         (default, wide); default: TCP 22,135,139,443,445,5985,5986 and UDP 161
  --protocols LIST|none  collect over these protocols (ssh,windows,winrm,snmp,vcenter; default
                         all); none = discovery only
  --json FILE|-          write one document {"scan": {...}, "hosts": [...]} at the end
  --jsonl FILE|-         stream one host record per line as hosts finish
  --allow-large          allow more than 65,536 addresses
  --concurrency N        connection attempts in flight (default from config, 2000)
  --rate N               at most N connection attempts per second (default unlimited)
  --no-icmp              do not send ICMP echo
  -n, --no-dns           no reverse DNS lookups (like nmap -n)
  --no-fingerprint       report open ports only: no banner, SMB, TLS, vSphere or NetBIOS probes
  --no-progress          no live progress line, even on a terminal
  --no-upload            keep results local (default: upload when an integration is
                         configured; what cannot be sent stays queued for uploads flush)
  --data-dir DIR         agent data directory (or NOPESIGHT_DATA_DIR)
  -h, --help             this help

Results are also kept in DATA_DIR/results/<scan id>.json.

Examples:
  nopesight-scanner scan 198.18.0.0/24
  nopesight-scanner scan 198.18.0.0/22 --exclude 198.18.0.1 --protocols none --jsonl -
  nopesight-scanner scan @targets.txt --ports wide --json scan.json

Exit codes: 0 scan completed; 1 scan failed; 2 bad usage, targets or config.json (nothing
scanned); 3 unreadable vault; 130 interrupted (results so far were written).`;

const OPTIONS = {
  exclude: { type: 'string', multiple: true },
  ports: { type: 'string' },
  protocols: { type: 'string' },
  json: { type: 'string' },
  jsonl: { type: 'string' },
  'allow-large': { type: 'boolean' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  'no-icmp': { type: 'boolean' },
  'no-dns': { type: 'boolean', short: 'n' },
  'no-fingerprint': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'no-upload': { type: 'boolean' },
} as const;

/** Parses `--protocols`: a comma list of known protocols, or `none`. */
export function parseProtocols(value: string | undefined): Protocol[] {
  if (value === undefined) return [...PROTOCOLS];
  const names = listValues(value).map((v) => v.toLowerCase());
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

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--${name}: '${value}' is not a positive integer`);
  }
  return Number(value);
}

async function runScanCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (positionals.length === 0) {
    throw new ScannerError('ERR_CONFIG_INVALID', 'scan needs at least one target (see --help)');
  }
  const json = values.json as string | undefined;
  const jsonl = values.jsonl as string | undefined;
  if (json === '-' && jsonl === '-') {
    throw new ScannerError('ERR_CONFIG_INVALID', '--json - and --jsonl - cannot both use stdout');
  }
  const protocols = parseProtocols(values.protocols as string | undefined);
  const ctx = await openScanContext({
    dataDir: values['data-dir'] as string | undefined,
    env: io.env,
    targets: positionals,
    excludes: listValues(values.exclude),
    allowLarge: values['allow-large'] === true,
    protocols,
    signal: io.signal,
  });
  const ports = values.ports
    ? parsePorts(values.ports as string, ctx.config.scan.profiles)
    : { tcp: ctx.config.scan.tcpPorts, udp: ctx.config.scan.udpPorts };
  if (ports.tcp.length === 0 && ports.udp.length === 0) {
    throw new ScannerError('ERR_CONFIG_INVALID', '--ports selects no port');
  }

  const scanId = randomUUID();
  const request: ScanRequest = {
    scanId,
    targets: positionals,
    excludes: listValues(values.exclude),
    tcpPorts: ports.tcp,
    udpPorts: ports.udp,
    protocols,
    expectedAddresses: ctx.expectedAddresses,
  };
  const stages = ctx.stages(request, {
    maxInFlight: positiveInt('concurrency', values.concurrency as string | undefined),
    rateLimitPps: positiveInt('rate', values.rate as string | undefined),
    icmp: values['no-icmp'] !== true,
    reverseDns: values['no-dns'] !== true,
    fingerprint: values['no-fingerprint'] !== true,
  });

  const writers: ResultWriter[] = [jsonDocumentWriter(join(ctx.resultsDir, `${scanId}.json`))];
  if (json) writers.push(jsonDocumentWriter(json === '-' ? io.stdout : json));
  if (jsonl) writers.push(jsonlWriter(jsonl === '-' ? io.stdout : jsonl));
  // Upload (docs/protocol.md): only with an integration and without --no-upload; never fails the scan.
  const upload =
    values['no-upload'] === true
      ? null
      : await openScanUpload(
          { ...request, ports, protocols },
          {
            dataDir: values['data-dir'] as string | undefined,
            env: io.env,
            config: ctx.config,
            log: ctx.log,
            stderr: io.stderr,
          },
        );
  if (upload) writers.push(upload.writer);
  const writer = teeWriter(writers);
  const stdoutTaken = json === '-' || jsonl === '-';
  const progress = new ProgressLine(io.stderr, { enabled: values['no-progress'] !== true });
  const tableRows: HostRecord[] = [];

  ctx.log.info('scan started', {
    scanId,
    targets: request.targets,
    excludes: request.excludes,
    ports,
    protocols,
  });
  let summary;
  try {
    summary = await runScan(
      request,
      stages,
      {
        host: async (record) => {
          if (tableRows.length < 200) tableRows.push(record);
          await writer.host(record);
        },
        progress: (p) => progress.update(p),
        warning: (message) => {
          ctx.log.warn(message, { scanId });
          progress.finish();
          io.stderr.write(`warning: ${message}\n`);
        },
      },
      io.signal,
    );
  } catch (err) {
    progress.finish();
    await writer.abort();
    ctx.log.error('scan failed', { scanId, error: (err as Error).message });
    await ctx.close();
    throw err;
  }
  progress.finish();
  await writer.finish(summary);
  ctx.log.info('scan finished', { scanId, state: summary.state, counts: summary.counts });
  await upload?.send(io.signal);
  const cleaned = await cleanResults(ctx.resultsDir, ctx.config.results, {
    keep: [`${scanId}.json`],
  });
  if (cleaned.deleted.length > 0) ctx.log.info('old results deleted', { files: cleaned.deleted });
  await ctx.close();
  tableRows.sort((a, b) => compareAddress(a.address, b.address));
  (stdoutTaken ? io.stderr : io.stdout).write(formatSummary(summary, tableRows));
  return summary.state === 'cancelled' ? EXIT.interrupted : EXIT.ok;
}

function compareAddress(a: string, b: string): number {
  const key = (s: string) =>
    s.includes(':')
      ? `6${s}`
      : `4${s
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('.')}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'sweep targets, fingerprint open ports and collect inventory',
  help: HELP,
  run: runScanCommand,
};
