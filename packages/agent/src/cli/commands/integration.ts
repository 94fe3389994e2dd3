// `nopesight-scanner integration add|test|show|remove`: the link to the platform (docs/protocol.md).
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { resolve as resolvePath } from 'node:path';
import { loadConfig, type Config } from '../../config/config.js';
import { openDataDir, type DataDir } from '../../config/data-dir.js';
import { ScannerError } from '../../errors.js';
import { LogFiles, type Logger } from '../../log/logger.js';
import {
  buildSettings,
  checkToken,
  IntegrationStore,
  type IntegrationSettings,
} from '../../platform/integration.js';
import { clientFor, readCaFile } from '../../platform/link.js';
import { parseCommandArgs, type OptionSpec } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';

const HELP = `Usage: nopesight-scanner integration <add|test|show|remove> [options]

Connects the agent to a NopeSight platform: scans are uploaded to it (see uploads --help).
The API token is kept encrypted in DATA_DIR/integration.json with the vault's key (key.enc);
it is never taken as an argument and never printed.

integration add --name N --api-url URL --agent-id ID [--ws-url URL] [--ca-file F]
                [--tls-verify true|false] [--stdin]
  --api-url URL      https://host[:port] or https://host[:port]/api (http:// only for loopback)
  --agent-id ID      this agent's id on the platform: 1-64 of A-Z a-z 0-9 . _ -
  --ws-url URL       control channel (default: the API URL with wss:// and /discovery/agents/ws)
  --ca-file F        PEM file of CA certificates to trust besides the system's
  --tls-verify false do not verify the platform's certificate (logged on every connection)
  --stdin            read the token as ONE JSON object {"apiToken": "..."} from stdin;
                     without it the token is asked for on the terminal, without echo
  Replaces the integration when one exists (the queued uploads are kept).

integration test [--timeout-ms N] [--json]
  Calls the platform with the token (GET /api/discovery/agents/me) and prints what it says
  about this agent. Exit 0 when it answered, 1 when not (the error says why).

integration show [--json]
  Prints the integration's settings, everything but the token.

integration remove
  Forgets the integration; queued uploads stay in the outbox until one is added again.

HTTPS_PROXY and NO_PROXY are honoured. Every subcommand takes --data-dir DIR and -h/--help.

Examples:
  echo '{"apiToken":"nst_..."}' | nopesight-scanner integration add --name prod \\
      --api-url https://cmdb.example.com --agent-id edge-01 --stdin
  nopesight-scanner integration test
  nopesight-scanner integration show --json

Exit codes: 0 done; 1 the platform could not be reached or refused the token; 2 bad usage or
no integration configured; 3 key.enc or the token cannot be read.`;

const ADD_OPTIONS = {
  name: { type: 'string' },
  'api-url': { type: 'string' },
  'agent-id': { type: 'string' },
  'ws-url': { type: 'string' },
  'ca-file': { type: 'string' },
  'tls-verify': { type: 'string' },
  stdin: { type: 'boolean' },
} as const satisfies OptionSpec;

const MAX_STDIN_BYTES = 64 * 1024;
const DEFAULT_TEST_TIMEOUT_MS = 15_000;

export function usage(command: string, message: string): ScannerError {
  return new ScannerError(
    'ERR_CONFIG_INVALID',
    `${message} (see nopesight-scanner ${command} --help)`,
  );
}

/** The data directory, its config and the integrations.log logger; closes the logs after. */
export interface CommandSession {
  dir: DataDir;
  config: Config;
  logs: LogFiles;
  log: Logger;
}

export async function withCommandSession<T>(
  args: { 'data-dir'?: unknown },
  io: CliIo,
  command: string,
  fn: (s: CommandSession) => Promise<T>,
): Promise<T> {
  const dir = await openDataDir(args['data-dir'] as string | undefined, io.env);
  const config = await loadConfig(dir.configFile);
  const logs = new LogFiles(dir.logsDir, config.logging);
  try {
    return await fn({ dir, config, logs, log: logs.logger('integrations', { command }) });
  } finally {
    logs.close();
  }
}

/** The integration or ERR_CONFIG_INVALID saying how to add one. */
export function noIntegration(): ScannerError {
  return new ScannerError(
    'ERR_CONFIG_INVALID',
    'no integration is configured: add one with nopesight-scanner integration add',
  );
}

type Subcommand = (args: string[], io: CliIo) => Promise<number>;

/** A command made of subcommands: `args[0]` picks one; a missing or unknown one is a usage error. */
export function withSubcommands(
  meta: Pick<Command, 'name' | 'summary' | 'help'>,
  table: Record<string, Subcommand>,
): Command {
  const names = Object.keys(table).join(', ');
  return {
    ...meta,
    run(args, io) {
      const [sub, ...rest] = args;
      const fn = sub !== undefined && Object.hasOwn(table, sub) ? table[sub] : undefined;
      if (fn) return fn(rest, io);
      throw usage(
        meta.name,
        sub === undefined
          ? `${meta.name} needs a subcommand: ${names}`
          : `unknown ${meta.name} subcommand '${sub}': use ${names}`,
      );
    },
  };
}

export const integrationCommand: Command = withSubcommands(
  { name: 'integration', summary: 'connect to the platform (add, test, show, remove)', help: HELP },
  { add: runAdd, test: runTest, show: runShow, remove: runRemove },
);

function str(values: Record<string, unknown>, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

async function runAdd(args: string[], io: CliIo): Promise<number> {
  for (const arg of args) {
    if (/^--(api-?)?token(=|$)/i.test(arg)) {
      throw usage(
        'integration',
        'the API token is never an argument (it would show in the process list and shell history): use --stdin with {"apiToken": "..."} or answer the prompt',
      );
    }
  }
  const { values, positionals } = parseCommandArgs(args, ADD_OPTIONS);
  if (positionals.length > 0) {
    throw usage('integration', `integration add takes no arguments, got ${positionals.join(' ')}`);
  }
  const required = (key: string) => {
    const v = str(values, key);
    if (v === undefined) throw usage('integration', `integration add needs --${key}`);
    return v;
  };
  const tlsText = str(values, 'tls-verify');
  if (tlsText !== undefined && !/^(true|false)$/i.test(tlsText)) {
    throw usage('integration', `--tls-verify must be true or false, got '${tlsText}'`);
  }
  const caFile = str(values, 'ca-file');
  const input = {
    name: required('name'),
    apiUrl: required('api-url'),
    agentId: required('agent-id'),
    ...(str(values, 'ws-url') === undefined ? {} : { wsUrl: str(values, 'ws-url')! }),
    ...(caFile === undefined ? {} : { caFile: resolvePath(caFile) }),
    tlsVerify: tlsText === undefined || tlsText.toLowerCase() === 'true',
  };
  // Everything but the token is checked before the token is asked for.
  buildSettings(input, { createdAt: '', updatedAt: '' });
  if (input.caFile !== undefined) await readCaFile(input.caFile);
  return withCommandSession(values, io, 'integration', async ({ dir, log }) => {
    const apiToken = values.stdin ? await readTokenJson(io) : await promptToken(io);
    const { settings, replaced } = await new IntegrationStore(dir).save({ ...input, apiToken });
    log.info(replaced ? 'integration replaced' : 'integration added', publicFields(settings));
    if (!settings.tlsVerify) {
      log.warn('TLS verification turned off for the integration', { name: settings.name });
      io.stderr.write(
        `warning: '${settings.name}' will not verify the platform's certificate; anyone on the path can read the token\n`,
      );
    }
    io.stdout.write(
      `${replaced ? 'replaced' : 'added'} integration '${settings.name}': ${settings.apiUrl} as agent ${settings.agentId}\n` +
        'check it with: nopesight-scanner integration test\n',
    );
    return EXIT.ok;
  });
}

async function runTest(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'timeout-ms': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw usage('integration', 'integration test takes no arguments');
  const timeoutText = str(values, 'timeout-ms');
  if (timeoutText !== undefined && !/^[1-9]\d{0,6}$/.test(timeoutText)) {
    throw usage(
      'integration',
      `--timeout-ms must be a positive number of ms, got '${timeoutText}'`,
    );
  }
  const timeoutMs = timeoutText === undefined ? DEFAULT_TEST_TIMEOUT_MS : Number(timeoutText);
  return withCommandSession(values, io, 'integration', async ({ dir, logs, log }) => {
    const integration = await new IntegrationStore(dir).load();
    if (!integration) throw noIntegration();
    logs.secrets.add(integration.apiToken);
    const client = await clientFor(integration, io.env, log, timeoutMs);
    try {
      const me = await client.me(io.signal);
      log.info('test connection succeeded', { apiUrl: integration.apiUrl, status: me.status });
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ ok: true, apiUrl: integration.apiUrl, agent: me }, null, 2)}\n`,
        );
      } else {
        const p = me.platform;
        io.stdout.write(
          `connected to ${integration.apiUrl} as agent ${me.agentId} (${me.name}): status ${me.status}` +
            (p
              ? `; platform ${p.name ?? '?'} ${p.version ?? '?'}, protocol ${p.protocol ?? '?'}`
              : '') +
            '\n',
        );
      }
      return EXIT.ok;
    } catch (err) {
      log.error('test connection failed', {
        apiUrl: integration.apiUrl,
        error: (err as Error).message,
      });
      throw err;
    } finally {
      client.close();
    }
  });
}

async function runShow(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw usage('integration', 'integration show takes no arguments');
  return withCommandSession(values, io, 'integration', async ({ dir }) => {
    const settings = await new IntegrationStore(dir).settings();
    if (values.json) {
      const doc = settings ? { ...publicFields(settings), apiToken: 'set (not shown)' } : null;
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.ok;
    }
    if (!settings) {
      io.stdout.write(
        'no integration configured (add one with: nopesight-scanner integration add)\n',
      );
      return EXIT.ok;
    }
    const rows: [string, string][] = [
      ['name', settings.name],
      ['api url', settings.apiUrl],
      ['agent id', settings.agentId],
      ['ws url', settings.wsUrl + (settings.wsUrlExplicit ? '' : ' (derived)')],
      ['ca file', settings.caFile ?? '-'],
      ['tls verify', String(settings.tlsVerify)],
      ['api token', 'set (not shown)'],
      ['updated', settings.updatedAt],
    ];
    for (const [k, v] of rows) io.stdout.write(`${k.padEnd(10)}  ${v}\n`);
    return EXIT.ok;
  });
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {});
  if (positionals.length > 0) throw usage('integration', 'integration remove takes no arguments');
  return withCommandSession(values, io, 'integration', async ({ dir, log }) => {
    const store = new IntegrationStore(dir);
    const settings = await store.settings().catch(() => null);
    if (!(await store.remove())) throw noIntegration();
    log.info('integration removed', settings ? publicFields(settings) : {});
    io.stdout.write(
      `removed integration${settings ? ` '${settings.name}'` : ''}; queued uploads are kept\n`,
    );
    return EXIT.ok;
  });
}

/** What is logged and shown of an integration: all of its settings (the token is not one). */
function publicFields(s: IntegrationSettings): Record<string, unknown> {
  return { ...s };
}

/** `--stdin`: ONE JSON object `{"apiToken": "..."}`; errors never quote the input. */
async function readTokenJson(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_STDIN_BYTES) throw usage('integration', '--stdin: too much input');
    chunks.push(b);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw usage(
      'integration',
      '--stdin: expected one JSON object {"apiToken": "..."} (input not shown)',
    );
  }
  const fields = doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
  if (!fields.includes('apiToken') || fields.length !== 1) {
    throw usage('integration', '--stdin: expected one JSON object with only apiToken');
  }
  return checkToken((doc as { apiToken: unknown }).apiToken);
}

/** Asks for the token on the terminal; echo goes to a muted stream. */
async function promptToken(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY) {
    throw usage(
      'integration',
      'the API token is asked for on a terminal, and stdin is not one: pipe {"apiToken": "..."} with --stdin',
    );
  }
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
  io.stderr.write('API token: ');
  try {
    return checkToken(await rl.question('', { signal: io.signal }));
  } catch (err) {
    if (io.signal.aborted) throw new ScannerError('ERR_ABORTED', 'interrupted at the token prompt');
    throw err;
  } finally {
    rl.close();
    io.stderr.write('\n');
  }
}
