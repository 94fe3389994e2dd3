// `nopesight-scanner host-keys list|trust|remove`: the SSH host keys pinned on first use.
import { isIP } from 'node:net';
import { loadConfig } from '../../config/config.js';
import {
  ensureDataDir,
  processDataDirEnvironment,
  resolveDataDirRoot,
} from '../../config/data-dir.js';
import { ScannerError } from '../../errors.js';
import { LogFiles, type Logger } from '../../log/logger.js';
import { openStore, type PinnedHostKey, type Store } from '../../store/index.js';
import { parseCommandArgs, type ParsedArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';

const HELP = `Usage: nopesight-scanner host-keys <list|trust|remove> [options]

SSH host keys are trusted on first use: the first scan or credential test that reaches a host
pins the key it offers (in DATA_DIR/scanner.db, per address and port). A different key later
fails that host with ERR_HOST_KEY_CHANGED, naming both fingerprints, until you trust it here.

host-keys list [ADDRESS] [--json]
  Lists the pinned keys (all, or one address's), with any different key a host last offered.

host-keys trust ADDRESS [--port N] [--fingerprint SHA256:...]
  Pins the key the host last offered instead of the old one. With --fingerprint, only when the
  offered key has exactly that fingerprint (check it on the host: ssh-keygen -lf KEYFILE).

host-keys remove ADDRESS [--port N]
  Forgets the pin: the next connection pins whatever key the host offers.

--port defaults to 22. Every subcommand takes --data-dir DIR (or NOPESIGHT_DATA_DIR) and -h/--help.

Examples:
  nopesight-scanner host-keys list
  nopesight-scanner host-keys trust 10.1.2.3 --fingerprint SHA256:Vw0k3p1yJ0...
  nopesight-scanner host-keys remove 10.1.2.3 --port 2222

Exit codes: 0 done; 2 bad usage or nothing to trust or remove; 3 the store cannot be read.`;

function usage(message: string): ScannerError {
  return new ScannerError(
    'ERR_CONFIG_INVALID',
    `${message} (see nopesight-scanner host-keys --help)`,
  );
}

export const hostKeysCommand: Command = {
  name: 'host-keys',
  summary: 'list, trust or remove pinned SSH host keys',
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        return runList(rest, io);
      case 'trust':
        return runTrust(rest, io);
      case 'remove':
      case 'rm':
        return runRemove(rest, io);
      case undefined:
        throw usage('host-keys needs a subcommand: list, trust or remove');
      default:
        throw usage(`unknown host-keys subcommand '${sub}': use list, trust or remove`);
    }
  },
};

/** Opens the store and app.log (for an audit line per change), and closes both afterwards. */
async function withStore<T>(
  flag: string | undefined,
  io: CliIo,
  fn: (store: Store, log: Logger) => T,
): Promise<T> {
  const dir = await ensureDataDir(resolveDataDirRoot(flag, processDataDirEnvironment(io.env)));
  const config = await loadConfig(dir.configFile);
  const files = new LogFiles(dir.logsDir, config.logging);
  try {
    const store = openStore(dir);
    try {
      return fn(store, files.logger('app', { command: 'host-keys' }));
    } finally {
      store.close();
    }
  } finally {
    await files.close();
  }
}

function address(value: string | undefined, sub: string): string {
  if (value === undefined) throw usage(`host-keys ${sub} needs an ADDRESS`);
  if (isIP(value) === 0) {
    throw usage(`'${value}' is not an IP address: keys are pinned per address, as scans see hosts`);
  }
  return value;
}

function port(value: ParsedArgs['values'][string]): number {
  if (value === undefined) return 22;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw usage(`--port must be a TCP port 1-65535, got '${String(value)}'`);
  }
  return n;
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 1) throw usage('host-keys list takes at most one ADDRESS');
  const only = positionals[0] === undefined ? undefined : address(positionals[0], 'list');
  return withStore(values['data-dir'] as string | undefined, io, (store) => {
    const keys = store.hostKeys.list(only);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
      return EXIT.ok;
    }
    if (keys.length === 0) {
      io.stdout.write('no host keys pinned yet (a scan pins each SSH host key on first use)\n');
      return EXIT.ok;
    }
    writeTable(io, keys);
    return EXIT.ok;
  });
}

function writeTable(io: CliIo, keys: PinnedHostKey[]): void {
  const table = [
    ['ADDRESS', 'PORT', 'TYPE', 'FINGERPRINT', 'LAST SEEN', 'OFFERED INSTEAD'],
    ...keys.map((k) => [
      k.address,
      String(k.port),
      k.keyType,
      k.fingerprint,
      k.lastSeen,
      k.offered ? `${k.offered.fingerprint} (${k.offered.keyType}, ${k.offered.at})` : '-',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) {
    io.stdout.write(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`,
    );
  }
}

async function runTrust(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    port: { type: 'string' },
    fingerprint: { type: 'string' },
  });
  if (positionals.length > 1) throw usage('host-keys trust takes one ADDRESS');
  const host = address(positionals[0], 'trust');
  const p = port(values.port);
  const fingerprint = typeof values.fingerprint === 'string' ? values.fingerprint : undefined;
  return withStore(values['data-dir'] as string | undefined, io, (store, log) => {
    const before = store.hostKeys.get(host, p);
    const pin = store.hostKeys.trust(host, p, fingerprint);
    log.info('ssh host key trusted', {
      target: host,
      port: p,
      previous: before?.fingerprint,
      fingerprint: pin.fingerprint,
      keyType: pin.keyType,
    });
    io.stdout.write(
      `${host}:${p}: now trusting ${pin.fingerprint} (${pin.keyType}) instead of ${before?.fingerprint ?? '-'}\n`,
    );
    return EXIT.ok;
  });
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { port: { type: 'string' } });
  if (positionals.length > 1) throw usage('host-keys remove takes one ADDRESS');
  const host = address(positionals[0], 'remove');
  const p = port(values.port);
  return withStore(values['data-dir'] as string | undefined, io, (store, log) => {
    const before = store.hostKeys.get(host, p);
    if (!before || !store.hostKeys.remove(host, p)) {
      throw usage(`no host key is pinned for ${host}:${p}`);
    }
    log.info('ssh host key removed', { target: host, port: p, fingerprint: before.fingerprint });
    io.stdout.write(`${host}:${p}: forgot ${before.fingerprint}; the next connection pins anew\n`);
    return EXIT.ok;
  });
}
