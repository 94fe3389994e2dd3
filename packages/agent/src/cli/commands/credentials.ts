// `nopesight-scanner credentials add|list|remove|test`: the vault from the command line (docs/vault.md).
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { ProtocolAttempt } from '@nopesight/model';
import { loadConfig } from '../../config/config.js';
import {
  ensureDataDir,
  processDataDirEnvironment,
  resolveDataDirRoot,
  type DataDir,
} from '../../config/data-dir.js';
import { createDnsResolver, type Resolver } from '../../discovery/targets/index.js';
import { ScannerError } from '../../errors.js';
import { LogFiles, type Logger } from '../../log/logger.js';
import {
  buildCredential,
  normaliseKind,
  SNMP_AUTH_PROTOCOLS,
  SNMP_PRIV_PROTOCOLS,
  SNMP_SECURITY_LEVELS,
  SNMP_VERSIONS,
  SUDO_MODES,
  WINRM_AUTH_MODES,
  type CredentialInput,
} from '../../vault/credential-input.js';
import {
  SECRET_FIELDS,
  type Credential,
  type CredentialSecrets,
  type UnlockedCredential,
} from '../../vault/credential-types.js';
import { Vault } from '../../vault/vault.js';
import { parseCertificateBundle } from '../../transports/wsman/wsman-tls.js';
import { openStore } from '../../store/index.js';
import type { HostKeyCheck } from '../../transports/ssh/ssh-session.js';
import type { SshJumpLogin } from '../../scan/ssh-login.js';
import { listValues, parseCommandArgs, type OptionSpec } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';

const HELP = `Usage: nopesight-scanner credentials <add|list|remove|test> [options]

Manages the credentials collectors log in with. They are kept encrypted in DATA_DIR/credentials.enc
(Fernet, key in DATA_DIR/key.enc); secrets are never taken as arguments and never printed.

credentials add PROTOCOL --name NAME [options]
  PROTOCOL is windows (or wmi), ssh, snmp or vcenter.
  --name NAME              unique name (letters, digits, space, . _ @ -)
  --username U             windows: DOMAIN\\user, user@domain, .\\user (local) or user
  --domain D               windows: domain when --username has none (default . = local)
  --remote-exec            windows: allow remote execution for processes and connections (a
                           temporary service runs tasklist and netstat, its output is read from
                           ADMIN$; service and file are deleted afterwards). Off by default
  --winrm-auth ntlm|basic  windows: WinRM authentication (default ntlm). basic is only ever
                           sent over HTTPS (5986): a scan then logs in once with Basic there
  --winrm-ca FILE          windows: PEM bundle of the CA(s) that issued the targets' WinRM HTTPS
                           certificates, verified instead of the system CAs (the certificate
                           must also name the address scanned or its forward-confirmed DNS
                           name). Read now and kept in the vault
  --winrm-cert-fingerprint SHA256:..
                           windows: pin a WinRM HTTPS certificate by its SHA-256 fingerprint
                           (repeat or comma-separate for several hosts). With pins, only those
                           certificates are accepted and chain and names are not checked. A
                           refused certificate's error names its fingerprint: check it first
  --port N                 ssh 22, snmp 161, vcenter 443 by default
  --sudo MODE              ssh: none (default), nopasswd, password
  --jump-host HOST[:PORT]  ssh: reach targets through this jump host (bastion), one hop
  --jump-credential NAME   ssh: the stored ssh credential that logs in to the jump host
  --snmp-version V         snmp: 1, 2c (default) or 3
  --security-level L       snmp v3: noAuthNoPriv, authNoPriv, authPriv (default)
  --auth-protocol P        snmp v3: md5, sha (default), sha224, sha256, sha384, sha512
  --priv-protocol P        snmp v3: des, aes (default), aes192, aes256
  --tls-verify true|false  vcenter: verify the certificate (default true)
  --ca-file FILE           vcenter: PEM file of extra CA certificates to trust
  --scope TARGETS          only try this credential on these addresses, CIDRs, ranges or
                           hostnames (repeat or comma-separate; default: everywhere)
  --stdin                  read the secrets as ONE JSON object from stdin, with keys among
                           password, privateKey, passphrase, community, authPassword,
                           privPassword, sudoPassword
  Without --stdin the secrets the protocol needs are asked for on the terminal, without echo.

credentials list [--json]
  Lists the credentials and which secrets each has (names only, never values).

credentials remove NAME

credentials test NAME TARGET [--timeout-ms N]
  Logs in to TARGET (address or hostname) with the credential and prints the outcome.
  Exit 0 when the login worked, 1 when it did not.

Every subcommand takes --data-dir DIR (or NOPESIGHT_DATA_DIR) and -h/--help.

Examples:
  nopesight-scanner credentials add ssh --name linux-admin --username root --sudo nopasswd
  echo '{"password":"..."}' | nopesight-scanner credentials add windows --name corp \\
      --username 'CORP\\svc-scan' --scope 10.1.0.0/16 --stdin
  echo '{"authPassword":"...","privPassword":"..."}' | nopesight-scanner credentials add snmp \\
      --name core-v3 --snmp-version 3 --username monitor --auth-protocol sha256 --stdin
  nopesight-scanner credentials list --json
  nopesight-scanner credentials test linux-admin 10.1.2.3
  nopesight-scanner credentials remove corp

Exit codes: 0 done; 1 the test login failed; 2 bad usage or unknown credential; 3 the vault
cannot be read (tampered file or wrong key; nothing was changed).`;

/** Options that would put a secret on the command line (visible in `ps` and shell history). */
const SECRET_OPTIONS = [
  'password',
  'pass',
  'passwd',
  'private-key',
  'privatekey',
  'key',
  'passphrase',
  'community',
  'auth-password',
  'priv-password',
  'sudo-password',
  'secret',
  'token',
];

const ADD_OPTIONS = {
  name: { type: 'string' },
  username: { type: 'string' },
  domain: { type: 'string' },
  port: { type: 'string' },
  sudo: { type: 'string' },
  'jump-host': { type: 'string' },
  'jump-credential': { type: 'string' },
  'snmp-version': { type: 'string' },
  'security-level': { type: 'string' },
  'auth-protocol': { type: 'string' },
  'priv-protocol': { type: 'string' },
  'tls-verify': { type: 'string' },
  'ca-file': { type: 'string' },
  'remote-exec': { type: 'boolean' },
  'winrm-auth': { type: 'string' },
  'winrm-ca': { type: 'string' },
  'winrm-cert-fingerprint': { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  stdin: { type: 'boolean' },
} as const satisfies OptionSpec;

const MAX_STDIN_BYTES = 1024 * 1024;
const DEFAULT_TEST_TIMEOUT_MS = 15_000;

/** Logs in once with an unlocked credential (scan/credential-check.ts in production). */
export type CredentialChecker = (
  unlocked: UnlockedCredential,
  address: string,
  opts: { signal: AbortSignal; timeoutMs: number; hostKey?: HostKeyCheck; jump?: SshJumpLogin },
) => Promise<{ attempt: ProtocolAttempt; facts?: Record<string, string> }>;

/** What the command needs from outside; tests replace the network parts. */
export interface CredentialsCommandDeps {
  checkCredential?: CredentialChecker;
  resolve?: Resolver;
}

/** Builds the command; `credentialsCommand` is the production instance. */
export function createCredentialsCommand(deps: CredentialsCommandDeps = {}): Command {
  return {
    name: 'credentials',
    summary: 'manage stored target credentials (add, list, remove, test)',
    help: HELP,
    async run(args, io) {
      const [sub, ...rest] = args;
      switch (sub) {
        case 'add':
          return runAdd(rest, io);
        case 'list':
          return runList(rest, io);
        case 'remove':
        case 'rm':
          return runRemove(rest, io);
        case 'test':
          return runTest(rest, io, deps);
        case undefined:
          throw usage('credentials needs a subcommand: add, list, remove or test');
        default:
          throw usage(`unknown credentials subcommand '${sub}': use add, list, remove or test`);
      }
    },
  };
}

export const credentialsCommand: Command = createCredentialsCommand();

function usage(message: string): ScannerError {
  return new ScannerError(
    'ERR_CONFIG_INVALID',
    `${message} (see nopesight-scanner credentials --help)`,
  );
}

/** The data directory, the vault over it, and app.log for an audit line per change. */
interface Session {
  dir: DataDir;
  vault: Vault;
  log: Logs;
}
interface Logs {
  logger: Logger;
  files: LogFiles;
}

async function openSession(dataDirFlag: string | undefined, io: CliIo): Promise<Session> {
  const dir = await ensureDataDir(
    resolveDataDirRoot(dataDirFlag, processDataDirEnvironment(io.env)),
  );
  const config = await loadConfig(dir.configFile);
  const files = new LogFiles(dir.logsDir, config.logging);
  const logger = files.logger('app', { command: 'credentials' });
  try {
    const vault = await Vault.open(dir, { secretSink: files.secrets });
    return { dir, vault, log: { logger, files } };
  } catch (err) {
    logger.error('vault cannot be opened', { err });
    files.close();
    throw err;
  }
}

/** Runs `fn` with a session and closes the log files whatever happens. */
async function withSession<T>(
  flag: string | undefined,
  io: CliIo,
  fn: (s: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(flag, io);
  try {
    return await fn(session);
  } finally {
    session.log.files.close();
  }
}

function rejectSecretArguments(args: string[]): void {
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0]!.toLowerCase();
    if (SECRET_OPTIONS.includes(name)) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `secrets are never accepted as arguments (--${name} would show in the process list and shell history): ` +
          'use --stdin with a JSON object such as {"password": "..."}, or run on a terminal to be prompted',
      );
    }
  }
}

async function runAdd(args: string[], io: CliIo): Promise<number> {
  rejectSecretArguments(args);
  const { values, positionals } = parseCommandArgs(args, ADD_OPTIONS);
  if (positionals.length !== 1) {
    throw usage(
      positionals.length === 0
        ? 'credentials add needs a PROTOCOL: windows, ssh, snmp or vcenter'
        : `credentials add takes one PROTOCOL, got ${positionals.join(' ')}`,
    );
  }
  const kind = normaliseKind(positionals[0]!);
  const str = (key: keyof typeof ADD_OPTIONS): string | undefined => {
    const v = values[key];
    return typeof v === 'string' ? v : undefined;
  };
  const name = str('name');
  if (name === undefined) throw usage('credentials add needs --name NAME');
  const input: CredentialInput = { name, kind, scope: listValues(values.scope) };
  if (str('username') !== undefined) input.username = str('username');
  if (str('domain') !== undefined) input.domain = str('domain');
  if (str('port') !== undefined) input.port = parsePort(str('port')!);
  if (str('sudo') !== undefined) input.sudo = choice('--sudo', str('sudo')!, SUDO_MODES);
  if (str('jump-host') !== undefined || str('jump-credential') !== undefined) {
    input.jump = parseJump(str('jump-host'), str('jump-credential'));
  }
  if (str('snmp-version') !== undefined) {
    input.version = choice(
      '--snmp-version',
      str('snmp-version')!.replace(/^v/i, ''),
      SNMP_VERSIONS,
    );
  }
  if (str('security-level') !== undefined) {
    input.securityLevel = choice('--security-level', str('security-level')!, SNMP_SECURITY_LEVELS);
  }
  if (str('auth-protocol') !== undefined) {
    input.authProtocol = choice(
      '--auth-protocol',
      str('auth-protocol')!.toLowerCase(),
      SNMP_AUTH_PROTOCOLS,
    );
  }
  if (str('priv-protocol') !== undefined) {
    input.privProtocol = choice(
      '--priv-protocol',
      str('priv-protocol')!.toLowerCase(),
      SNMP_PRIV_PROTOCOLS,
    );
  }
  if (str('tls-verify') !== undefined)
    input.tlsVerify = parseBool('--tls-verify', str('tls-verify')!);
  if (str('ca-file') !== undefined) input.caFile = await checkCaFile(str('ca-file')!);
  if (values['remote-exec'] === true) input.remoteExec = true;
  if (str('winrm-auth') !== undefined)
    input.winrmAuth = choice('--winrm-auth', str('winrm-auth')!, WINRM_AUTH_MODES);
  if (str('winrm-ca') !== undefined) input.winrmCa = await readWinrmCa(str('winrm-ca')!);
  if (values['winrm-cert-fingerprint'] !== undefined)
    input.winrmCertFingerprints = listValues(values['winrm-cert-fingerprint']);

  // Validate everything that is not secret before asking for secrets.
  // Check the non-secret fields before asking for secrets, so nobody types a password twice.
  buildCredential(
    { ...input, secrets: standInSecrets(input) },
    { id: '-', createdAt: '', updatedAt: '' },
  );
  return withSession(values['data-dir'] as string | undefined, io, async ({ vault, log }) => {
    if (vault.list().some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `a credential named '${name}' already exists (names are unique, ignoring case); remove it first or choose another name`,
      );
    }
    input.secrets = values.stdin ? await readSecretsJson(io) : await promptSecrets(input, io);
    const added = await vault.add(input);
    log.logger.info('credential added', { id: added.id, name: added.name, kind: added.kind });
    if (added.kind === 'vcenter' && !added.tlsVerify) {
      // Turning verification off is allowed, but never silently (DESIGN.md §4).
      log.logger.warn('TLS verification turned off for a credential', {
        id: added.id,
        name: added.name,
      });
      io.stderr.write(
        `warning: '${added.name}' will not verify the vCenter certificate; anyone on the path can read the password\n`,
      );
    }
    if (added.kind === 'windows' && added.winrmAuth === 'basic') {
      io.stderr.write(
        `note: '${added.name}' logs in to WinRM with Basic, over HTTPS (5986) only; hosts with only 5985 open are not tried over WinRM with it\n`,
      );
    }
    if (added.kind === 'windows' && added.remoteExec) {
      // Remote execution creates services on targets: an explicit choice, logged.
      log.logger.warn('remote execution allowed for a credential', {
        id: added.id,
        name: added.name,
      });
    }
    io.stdout.write(`added ${added.kind} credential '${added.name}' (id ${added.id})\n`);
    return EXIT.ok;
  });
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 0)
    throw usage(`credentials list takes no arguments, got ${positionals.join(' ')}`);
  return withSession(values['data-dir'] as string | undefined, io, async ({ vault }) => {
    const rows = vault.list().map((c) => ({ credential: c, secrets: vault.secretFields(c.id) }));
    if (values.json) {
      // `secrets` lists the names of the secret fields that are set, never their values.
      const doc = rows.map((r) => ({ ...r.credential, secrets: r.secrets }));
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      io.stdout.write('no credentials stored (add one with: nopesight-scanner credentials add)\n');
      return EXIT.ok;
    }
    const table = [
      ['NAME', 'KIND', 'DETAILS', 'SCOPE', 'SECRETS'],
      ...rows.map((r) => [
        r.credential.name,
        r.credential.kind,
        details(r.credential),
        r.credential.scope.length > 0 ? r.credential.scope.join(',') : 'any',
        r.secrets.join(', '),
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) {
      io.stdout.write(
        `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`,
      );
    }
    return EXIT.ok;
  });
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {});
  if (positionals.length !== 1) throw usage('credentials remove needs exactly one NAME');
  return withSession(values['data-dir'] as string | undefined, io, async ({ vault, log }) => {
    const removed = await vault.remove(positionals[0]!);
    log.logger.info('credential removed', {
      id: removed.id,
      name: removed.name,
      kind: removed.kind,
    });
    io.stdout.write(`removed ${removed.kind} credential '${removed.name}'\n`);
    return EXIT.ok;
  });
}

async function runTest(args: string[], io: CliIo, deps: CredentialsCommandDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'timeout-ms': { type: 'string' } });
  if (positionals.length !== 2) throw usage('credentials test needs NAME and TARGET');
  const [name, target] = positionals as [string, string];
  const timeoutText = values['timeout-ms'];
  const timeoutMs =
    timeoutText === undefined ? DEFAULT_TEST_TIMEOUT_MS : parseTimeout(String(timeoutText));
  return withSession(values['data-dir'] as string | undefined, io, async ({ dir, vault, log }) => {
    const credential = vault.get(name);
    const address = await resolveTarget(target, io.signal, deps.resolve);
    if (
      vault
        .candidatesFor(credential.kind, address, isIP(target) ? [] : [target])
        .every((c) => c.id !== credential.id)
    ) {
      io.stderr.write(
        `note: ${target} is outside the scope of '${credential.name}'; a scan would not try it there\n`,
      );
    }
    const unlocked = vault.unlock(credential.id);
    const check = deps.checkCredential ?? (await loadChecker());
    // SSH keys are checked against (and pinned in) the store, exactly as a scan does.
    const sshPort = credential.kind === 'ssh' ? credential.port : undefined;
    const store = sshPort !== undefined ? openStore(dir) : undefined;
    // Loaded here, like the checker: it pulls in the SSH transport.
    const { jumpLoginFor } = await import('../../scan/ssh-login.js');
    let outcome: Awaited<ReturnType<CredentialChecker>>;
    try {
      outcome = await check(unlocked, address, {
        signal: io.signal,
        timeoutMs,
        ...(store && sshPort ? { hostKey: store.hostKeys.checkFor(address, sshPort) } : {}),
        ...jumpLoginFor(vault, store, credential),
        ...(isIP(target) === 0 ? { hostname: target } : {}),
      });
    } finally {
      store?.close();
    }
    const { attempt, facts = {} } = outcome;
    const where = address === target ? address : `${target} (${address})`;
    const scrub = (text: string) => log.files.secrets.scrub(text);
    let line = `${attempt.protocol} with '${credential.name}' on ${where}: ${attempt.status} (${attempt.durationMs} ms)`;
    if (attempt.error) line += `: ${attempt.error.code}: ${scrub(attempt.error.message)}`;
    io.stdout.write(`${line}\n`);
    // What the login showed (hostname, sysDescr, host key fingerprint…), one fact per line.
    for (const [key, value] of Object.entries(facts)) {
      io.stdout.write(`  ${key}: ${scrub(value.split(/\r?\n/)[0] ?? '')}\n`);
    }
    log.logger.info('credential tested', {
      id: credential.id,
      name: credential.name,
      target: address,
      status: attempt.status,
      error: attempt.error,
    });
    return attempt.status === 'success' ? EXIT.ok : EXIT.failed;
  });
}

/** Loaded on first use: it pulls in every transport, which list/add/remove do not need. */
async function loadChecker(): Promise<CredentialChecker> {
  const mod = await import('../../scan/credential-check.js');
  return mod.checkCredential;
}

async function resolveTarget(
  target: string,
  signal: AbortSignal,
  resolve?: Resolver,
): Promise<string> {
  if (isIP(target) !== 0) return target;
  const found = await (resolve ?? createDnsResolver())(target, signal);
  const first = found.find((a) => a.family === 4) ?? found[0];
  if (!first) throw new ScannerError('ERR_UNREACHABLE', `${target} does not resolve to an address`);
  return first.address;
}

/** One line describing the non-secret settings of a credential. */
function details(c: Credential): string {
  switch (c.kind) {
    case 'windows':
      return `${c.domain}\\${c.username}${c.remoteExec ? ' remote-exec' : ''}${winrmDetails(c)}`;
    case 'ssh':
      return `${c.username} port ${c.port} sudo ${c.sudo}${c.jump ? ` via ${c.jump.address}:${c.jump.port}` : ''}`;
    case 'snmp':
      return c.version === '3'
        ? `v3 ${c.username} ${c.securityLevel}${c.authProtocol ? ` ${c.authProtocol}` : ''}${c.privProtocol ? `/${c.privProtocol}` : ''} port ${c.port}`
        : `v${c.version} port ${c.port}`;
    case 'vcenter':
      return `${c.username} port ${c.port}${c.tlsVerify ? '' : ' tls-verify off'}${c.caFile ? ` ca ${c.caFile}` : ''}`;
  }
}

/** The WinRM settings that differ from the defaults, for `list`. */
function winrmDetails(c: Extract<Credential, { kind: 'windows' }>): string {
  const parts: string[] = [];
  if (c.winrmAuth === 'basic') parts.push('winrm-auth basic');
  if (c.winrmCa) {
    const n = (c.winrmCa.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
    parts.push(`winrm-ca ${n} cert${n === 1 ? '' : 's'}`);
  }
  const pins = c.winrmCertFingerprints ?? [];
  if (pins.length > 0) parts.push(`winrm-pins ${pins.length}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** `--winrm-ca FILE`: the file's PEM text, every certificate in it parsed. */
async function readWinrmCa(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    parseCertificateBundle(text);
    return text;
  } catch (err) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--winrm-ca ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** `--jump-host HOST[:PORT]` with `--jump-credential NAME`: both or neither. */
function parseJump(
  host: string | undefined,
  credential: string | undefined,
): NonNullable<CredentialInput['jump']> {
  if (host === undefined || credential === undefined) {
    throw usage('--jump-host and --jump-credential go together');
  }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) throw usage(`--jump-host must be HOST or HOST:PORT, got '${host}'`);
  const address = m[1]!.replace(/^\[|\]$/g, '');
  return m[2] === undefined
    ? { address, credential }
    : { address, port: parsePort(m[2]), credential };
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw usage(`--port must be a number from 1 to 65535, got '${text}'`);
  }
  return Number(text);
}

function parseTimeout(text: string): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) {
    throw usage(`--timeout-ms must be a positive number of milliseconds, got '${text}'`);
  }
  return Number(text);
}

function parseBool(flag: string, text: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw usage(`${flag} must be true or false, got '${text}'`);
}

function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!found) throw usage(`${flag} must be one of ${allowed.join(', ')}, got '${text}'`);
  return found;
}

async function checkCaFile(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
  } catch (err) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--ca-file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return resolvePath(path);
}

/** Placeholder secrets that satisfy the kind's requirements, for checking the other fields. */
function standInSecrets(input: CredentialInput): CredentialSecrets {
  const word = 'stand-in-secret';
  switch (normaliseKind(String(input.kind))) {
    case 'snmp': {
      if ((input.version ?? '2c') !== '3') return { community: word };
      const level = input.securityLevel ?? 'authPriv';
      if (level === 'noAuthNoPriv') return {};
      return level === 'authPriv'
        ? { authPassword: word, privPassword: word }
        : { authPassword: word };
    }
    default:
      return { password: word };
  }
}

/** Reads ONE JSON object of secrets from stdin; errors never quote the input. */
export async function readSecretsJson(io: CliIo): Promise<CredentialSecrets> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_STDIN_BYTES) throw usage(`--stdin: more than ${MAX_STDIN_BYTES} bytes on stdin`);
    chunks.push(b);
    if (io.signal.aborted) throw new ScannerError('ERR_ABORTED', 'interrupted while reading stdin');
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '')
    throw usage('--stdin: nothing on stdin; expected one JSON object such as {"password": "..."}');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the input, which holds secrets: report only that it is not JSON.
    throw usage(
      '--stdin: stdin is not one valid JSON object (the content is not shown, as it holds secrets)',
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw usage('--stdin: expected one JSON object such as {"password": "..."}');
  }
  const secrets: CredentialSecrets = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!(SECRET_FIELDS as readonly string[]).includes(key)) {
      throw usage(`--stdin: unknown key '${key}' (known: ${SECRET_FIELDS.join(', ')})`);
    }
    if (typeof value !== 'string') throw usage(`--stdin: '${key}' must be a string`);
    secrets[key as keyof CredentialSecrets] = value;
  }
  return secrets;
}

/** Asks on the terminal, without echo, for the secrets this credential needs. */
async function promptSecrets(input: CredentialInput, io: CliIo): Promise<CredentialSecrets> {
  if (!io.stdin.isTTY) {
    throw usage(
      'secrets are asked for on a terminal, and stdin is not one: pipe them as one JSON object with --stdin, e.g. {"password": "..."}',
    );
  }
  const prompter = new HiddenPrompt(io);
  try {
    const s: CredentialSecrets = {};
    const kind = normaliseKind(String(input.kind));
    const ask = async (question: string, field: keyof CredentialSecrets) => {
      const answer = await prompter.ask(question);
      if (answer !== '') s[field] = answer;
    };
    switch (kind) {
      case 'windows':
      case 'vcenter':
        await ask('Password: ', 'password');
        break;
      case 'ssh':
        await ask('Password (empty to use a private key): ', 'password');
        if (s.password === undefined) {
          const path = await prompter.ask('Private key file: ');
          if (path !== '') {
            try {
              s.privateKey = await readFile(path, 'utf8');
            } catch (err) {
              throw usage(`cannot read private key file ${path}: ${(err as Error).message}`);
            }
            await ask('Key passphrase (empty if none): ', 'passphrase');
          }
        }
        if (input.sudo === 'password') {
          await ask('sudo password (empty to reuse the login password): ', 'sudoPassword');
        }
        break;
      case 'snmp': {
        if ((input.version ?? '2c') !== '3') {
          await ask('Community: ', 'community');
          break;
        }
        const level = input.securityLevel ?? 'authPriv';
        if (level !== 'noAuthNoPriv')
          await ask('Auth password (8 characters or more): ', 'authPassword');
        if (level === 'authPriv')
          await ask('Privacy password (8 characters or more): ', 'privPassword');
        break;
      }
    }
    return s;
  } finally {
    prompter.close();
  }
}

/** Terminal input with echo off (raw mode), line by line; Ctrl-C aborts. */
class HiddenPrompt {
  readonly #io: CliIo;
  readonly #stdin: CliIo['stdin'] & { setRawMode?: (raw: boolean) => unknown };
  #pending = '';

  constructor(io: CliIo) {
    this.#io = io;
    this.#stdin = io.stdin;
    this.#stdin.setRawMode?.(true);
  }

  ask(question: string): Promise<string> {
    this.#io.stderr.write(question);
    return new Promise((resolve, reject) => {
      let answer = '';
      const finish = (err: Error | null) => {
        this.#stdin.off('data', onData);
        this.#stdin.off('end', onEnd);
        this.#io.signal.removeEventListener('abort', onAbort);
        this.#stdin.pause();
        this.#io.stderr.write('\n');
        if (err) reject(err);
        else resolve(answer);
      };
      const consume = (text: string): boolean => {
        for (let i = 0; i < text.length; i++) {
          const ch = text[i]!;
          if (ch === '\r' || ch === '\n') {
            // A CRLF pair is one line end.
            const next = text[i + 1];
            const skip = ch === '\r' && next === '\n' ? 2 : 1;
            this.#pending = text.slice(i + skip);
            finish(null);
            return true;
          }
          if (ch === '\u0003') {
            this.#pending = '';
            finish(new ScannerError('ERR_ABORTED', 'interrupted at the secret prompt'));
            return true;
          }
          if (ch === '\u0004') {
            this.#pending = '';
            finish(null);
            return true;
          }
          if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
          else if (ch >= ' ') answer += ch;
        }
        return false;
      };
      const onData = (chunk: Buffer | string) => {
        consume(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      };
      const onEnd = () => finish(null);
      const onAbort = () =>
        finish(new ScannerError('ERR_ABORTED', 'interrupted at the secret prompt'));
      const leftover = this.#pending;
      this.#pending = '';
      if (consume(leftover)) return;
      this.#stdin.on('data', onData);
      this.#stdin.on('end', onEnd);
      this.#io.signal.addEventListener('abort', onAbort, { once: true });
      this.#stdin.resume();
    });
  }

  close(): void {
    this.#stdin.setRawMode?.(false);
  }
}
