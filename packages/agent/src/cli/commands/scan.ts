// `nopesight-scanner scan`: sweep targets, fingerprint what answers, collect over the selected
// protocols, and write the results (a contract: docs/cli.md).
import type { HostRecord } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { listValues, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { ProgressLine } from '../progress.js';
import { formatSummary } from '../summary-table.js';
import { jsonDocumentWriter, jsonlWriter, type ResultWriter } from '../../scan/result-writers.js';
import { parseProtocols, prepareScanJob } from '../../scan/scan-job.js';
import type { ScanSource } from '../../store/scans.js';

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

export { parseProtocols };

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--${name}: '${value}' is not a positive integer`);
  }
  return Number(value);
}

async function runScanCommand(
  args: string[],
  io: CliIo,
  source: ScanSource = { kind: 'cli' },
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (positionals.length === 0) {
    throw new ScannerError('ERR_CONFIG_INVALID', 'scan needs at least one target (see --help)');
  }
  const json = values.json as string | undefined;
  const jsonl = values.jsonl as string | undefined;
  if (json === '-' && jsonl === '-') {
    throw new ScannerError('ERR_CONFIG_INVALID', '--json - and --jsonl - cannot both use stdout');
  }
  const job = await prepareScanJob({
    dataDir: values['data-dir'] as string | undefined,
    env: io.env,
    targets: positionals,
    excludes: listValues(values.exclude),
    ports: values.ports as string | undefined,
    protocols: values.protocols as string | undefined,
    allowLarge: values['allow-large'] === true,
    overrides: {
      maxInFlight: positiveInt('concurrency', values.concurrency as string | undefined),
      rateLimitPps: positiveInt('rate', values.rate as string | undefined),
      icmp: values['no-icmp'] !== true,
      reverseDns: values['no-dns'] !== true,
      fingerprint: values['no-fingerprint'] !== true,
    },
    signal: io.signal,
    source,
  });

  const writers: ResultWriter[] = [];
  if (json) writers.push(jsonDocumentWriter(json === '-' ? io.stdout : json));
  if (jsonl) writers.push(jsonlWriter(jsonl === '-' ? io.stdout : jsonl));
  const stdoutTaken = json === '-' || jsonl === '-';
  const progress = new ProgressLine(io.stderr, { enabled: values['no-progress'] !== true });
  const tableRows: HostRecord[] = [];
  let summary;
  try {
    summary = await job.run(
      {
        writers,
        host: (record) => {
          if (tableRows.length < 200) tableRows.push(record);
        },
        progress: (p) => progress.update(p),
        warning: (message) => {
          progress.finish();
          io.stderr.write(`warning: ${message}\n`);
        },
        upload: values['no-upload'] !== true,
        uploadReport: io.stderr,
      },
      io.signal,
    );
  } finally {
    progress.finish();
  }
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

/**
 * `scan` run on someone else's behalf, recorded and logged with that source: `schedule run-now`
 * in the foreground scans as `schedule <name>`, like the agent's scheduled runs.
 *
 * @example
 *   await runScanAs({ kind: 'schedule', scheduleId: s.id, scheduleName: s.name }, args, io);
 */
export function runScanAs(source: ScanSource, args: string[], io: CliIo): Promise<number> {
  return runScanCommand(args, io, source);
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'sweep targets, fingerprint open ports and collect inventory',
  help: HELP,
  run: (args, io) => runScanCommand(args, io),
};
