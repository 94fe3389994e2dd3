// SSH transport: one authenticated ssh2 connection per host and bounded command execution on it.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type {
  AnyAuthMethod,
  AuthenticationType,
  ClientChannel,
  HostVerifier,
  KeyboardInteractiveCallback,
  ParsedKey,
  Prompt,
  ServerHostKeyAlgorithm,
} from 'ssh2';
import { ScannerError } from '../../errors.js';
import type { CredentialSecrets, SshCredential } from '../../vault/credential-types.js';
import { hostKeyFacts, type HostKeyFacts } from './host-key.js';
import { abortError, redactError } from '../safe-errors.js';

const { Client, utils } = ssh2;

/** Keyboard-interactive rounds answered before giving up (PAM asks once; a loop is a refusal). */
const MAX_KEYBOARD_ROUNDS = 3;
/** How long close() waits for the server to acknowledge the disconnect before dropping the socket. */
const CLOSE_GRACE_MS = 2000;

export interface SshAuth {
  credential: SshCredential;
  secrets: CredentialSecrets;
}

/**
 * Decides whether to trust a server's host key (the store's TOFU pins: store/host-keys.ts).
 * `verify` returns false or throws to refuse; a thrown ScannerError is what openSsh rejects with.
 */
export interface HostKeyCheck {
  verify(fingerprintSha256: string, keyType: string): boolean | Promise<boolean>;
  /**
   * Host key algorithms to negotiate first (the pinned key's), so a server with several keys
   * presents the pinned one rather than whichever ssh2 prefers.
   */
  preferredAlgorithms?: readonly string[];
}

/** ssh2's default host key algorithms, in its order (lib/protocol/constants.js). */
const DEFAULT_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The host key algorithm list with `preferred` first; undefined keeps ssh2's default. */
export function hostKeyAlgorithms(
  preferred: readonly string[] = [],
): ServerHostKeyAlgorithm[] | undefined {
  const known = DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a)).sort(
    (x, y) => preferred.indexOf(x) - preferred.indexOf(y),
  );
  if (known.length === 0) return undefined;
  return [...known, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !known.includes(a))];
}

export interface SshConnectOptions {
  signal: AbortSignal;
  /** Limit for the TCP connection to be established. */
  connectTimeoutMs: number;
  /** Limit for key exchange plus authentication, from TCP connect to a usable session. */
  authTimeoutMs: number;
  /** No check: every host key is accepted (and reported on the session). */
  hostKey?: HostKeyCheck;
  /** ssh-agent socket, used when the credential has no password or key; default SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** A jump host: the TCP connection is opened from that session (its `forwardTo`). */
  via?: SshSession;
}

export type SshAuthMethod = 'none' | 'password' | 'keyboard-interactive' | 'publickey' | 'agent';

export interface ExecOptions {
  signal: AbortSignal;
  /** Limit for the whole command, from channel open to exit: past it the channel is closed and `timedOut` set. */
  timeoutMs: number;
  /** Cap per stream (stdout, stderr): past it the channel is closed and `truncated` set. */
  maxBytes: number;
  /** Written to the command's stdin, which is then closed (sudo -S reads its password here). */
  stdin?: string | Buffer;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command was cut short (truncation, timeout, lost connection) or died by a signal. */
  exitCode: number | null;
  exitSignal: string | null;
  truncated: boolean;
  /** The command outlived `timeoutMs`: the channel was closed and the output is what arrived before. */
  timedOut: boolean;
}

/** An authenticated SSH connection. Collectors run commands on it, then close() it. */
export class SshSession {
  readonly hostKey: HostKeyFacts;
  readonly authMethod: SshAuthMethod;
  readonly #client: InstanceType<typeof Client>;
  /** The TCP socket, or the jump host's forwarded channel when logged in through one. */
  readonly #socket: Duplex;
  #closing: Promise<void> | null = null;

  constructor(
    client: InstanceType<typeof Client>,
    socket: Duplex,
    hostKey: HostKeyFacts,
    authMethod: SshAuthMethod,
  ) {
    this.#client = client;
    this.#socket = socket;
    this.hostKey = hostKey;
    this.authMethod = authMethod;
  }

  /**
   * Runs `cmd` and collects its output, at most `maxBytes` per stream. A non-zero exit is a result,
   * not an error, and so is a command cut short: past `maxBytes` (`truncated`), past `timeoutMs`
   * (`timedOut`; the output read so far is kept, so a slow host still yields what it printed) or
   * closed by the server without an exit status (`exitCode` null). Rejects with ERR_ABORTED (or the
   * signal's reason) on abort and ERR_PROTOCOL when the server refuses the channel; either way the
   * channel is closed.
   */
  exec(cmd: string, opts: ExecOptions): Promise<ExecResult> {
    const { signal, timeoutMs, maxBytes } = opts;
    if (signal.aborted) return Promise.reject(abortError(signal, 'ssh exec'));
    if (this.#closing) {
      return Promise.reject(new ScannerError('ERR_PROTOCOL', 'ssh session is closed'));
    }
    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | null = null;
      let settled = false;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const size = { out: 0, err: 0 };
      let truncated = false;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;

      const finish = (error: ScannerError | null, timedOut = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error || timedOut) channel?.close();
        if (error) {
          reject(error);
          return;
        }
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: truncated || timedOut ? null : exitCode,
          exitSignal,
          truncated,
          timedOut,
        });
      };
      const onAbort = (): void => finish(abortError(signal, 'ssh exec'));
      const timer = setTimeout(() => finish(null, true), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });

      const collect = (chunks: Buffer[], which: 'out' | 'err', data: Buffer): void => {
        const room = maxBytes - size[which];
        if (data.length <= room) {
          chunks.push(data);
          size[which] += data.length;
          return;
        }
        // A byte past the cap, even in a later chunk after output of exactly maxBytes: keep what
        // fits and close the channel, or a flood would be read (and dropped) until the timeout.
        if (room > 0) {
          chunks.push(data.subarray(0, room));
          size[which] += room;
        }
        if (!truncated) {
          truncated = true;
          channel?.close();
        }
      };

      try {
        this.#client.exec(cmd, (error, ch) => {
          if (error) {
            finish(
              new ScannerError('ERR_PROTOCOL', 'ssh exec: the server refused the channel', {
                cause: redactError(error, []),
              }),
            );
            return;
          }
          channel = ch;
          if (settled) {
            ch.close();
            return;
          }
          ch.on('data', (d: Buffer) => collect(out, 'out', d));
          ch.stderr.on('data', (d: Buffer) => collect(err, 'err', d));
          ch.on('exit', (code: number | null, sig?: string) => {
            exitCode = typeof code === 'number' ? code : null;
            exitSignal = sig ?? null;
          });
          ch.on('close', () => finish(null));
          if (opts.stdin !== undefined) ch.end(opts.stdin);
          else ch.end();
        });
      } catch (error) {
        finish(
          new ScannerError('ERR_PROTOCOL', 'ssh exec failed', { cause: redactError(error, []) }),
        );
      }
    });
  }

  /** Ends the connection; idempotent; resolves once the socket is closed. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.#socket.destroyed) {
        resolve();
        return;
      }
      const grace = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
      grace.unref();
      this.#socket.once('close', () => {
        clearTimeout(grace);
        resolve();
      });
      this.#client.end();
    });
    return this.#closing;
  }

  /**
   * Opens a TCP connection from this host to `address:port` (a direct-tcpip channel), so this
   * session serves as a jump host: `openSsh(target, auth, { via: thisSession })`. Rejects with
   * ERR_PORT_CLOSED (the target refused the jump host), ERR_ACCESS_DENIED (forwarding is not
   * allowed here), ERR_UNREACHABLE (any other failure to connect), ERR_TIMEOUT or ERR_ABORTED.
   */
  forwardTo(
    address: string,
    port: number,
    opts: { signal: AbortSignal; timeoutMs: number },
  ): Promise<Duplex> {
    const { signal, timeoutMs } = opts;
    if (signal.aborted) return Promise.reject(abortError(signal, 'ssh jump'));
    if (this.#closing) {
      return Promise.reject(new ScannerError('ERR_PROTOCOL', 'ssh jump session is closed'));
    }
    const via = `ssh jump to ${address}:${port}`;
    return new Promise<Duplex>((resolve, reject) => {
      let settled = false;
      const finish = (error: ScannerError | null, channel?: Duplex): void => {
        if (settled) {
          channel?.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(channel!);
      };
      const onAbort = (): void => finish(abortError(signal, 'ssh jump'));
      const timer = setTimeout(
        () => finish(new ScannerError('ERR_TIMEOUT', `${via} timed out after ${timeoutMs}ms`)),
        timeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.#client.forwardOut('127.0.0.1', 0, address, port, (err, channel) => {
          if (err) finish(forwardError(err as Error & { reason?: number }, via));
          else finish(null, channel);
        });
      } catch (err) {
        finish(new ScannerError('ERR_PROTOCOL', `${via} failed`, { cause: redactError(err, []) }));
      }
    });
  }
}

/** RFC 4254 §5.1 open-failure reason: 1 administratively prohibited, 2 connect failed. */
function forwardError(err: Error & { reason?: number }, via: string): ScannerError {
  const cause = redactError(err, []);
  if (err.reason === 1) {
    return new ScannerError(
      'ERR_ACCESS_DENIED',
      `${via}: the jump host does not allow TCP forwarding (${err.message})`,
      { cause },
    );
  }
  if (/refused/i.test(err.message)) {
    return new ScannerError('ERR_PORT_CLOSED', `${via}: the port is closed (${err.message})`, {
      cause,
    });
  }
  return new ScannerError('ERR_UNREACHABLE', `${via}: ${err.message}`, { cause });
}

type KeyOutcome = { key: ParsedKey } | { error: ScannerError };

function parsePrivateKey(privateKey: string, passphrase: string | undefined): KeyOutcome {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const cause = redactError(parsed, [privateKey, passphrase]);
    if (/passphrase/i.test(parsed.message)) {
      return {
        error: new ScannerError(
          'ERR_AUTH_FAILED',
          passphrase
            ? 'ssh private key could not be decrypted: wrong passphrase'
            : 'ssh private key is encrypted and the credential has no passphrase',
          { cause },
        ),
      };
    }
    return {
      error: new ScannerError('ERR_CONFIG_INVALID', 'ssh private key could not be parsed', {
        cause,
      }),
    };
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) {
    return {
      error: new ScannerError('ERR_CONFIG_INVALID', 'ssh credential key is not a private key'),
    };
  }
  return { key };
}

function socketError(err: NodeJS.ErrnoException, where: string): ScannerError {
  const cause = redactError(err, []);
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ScannerError(
        'ERR_PORT_CLOSED',
        `ssh ${where}: the port is closed (ECONNREFUSED)`,
        {
          cause,
        },
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'EADDRNOTAVAIL':
      return new ScannerError('ERR_UNREACHABLE', `ssh ${where}: ${err.code}`, { cause });
    case 'ETIMEDOUT':
      return new ScannerError('ERR_TIMEOUT', `ssh ${where}: the system's TCP timeout expired`, {
        cause,
      });
    default:
      return new ScannerError('ERR_PROTOCOL', `ssh ${where}: ${err.code ?? err.message}`, {
        cause,
      });
  }
}

/** Opens the TCP connection alone, so its limit is separate from the handshake's. */
function connectTcp(
  address: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = tcpConnect({ host: address, port, noDelay: true });
    const done = (error: ScannerError | null): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onAbort = (): void => done(abortError(signal, 'ssh connect'));
    const onError = (err: NodeJS.ErrnoException): void => done(socketError(err, 'connect'));
    const onConnect = (): void => done(null);
    const timer = setTimeout(
      () => done(new ScannerError('ERR_TIMEOUT', `ssh connect timed out after ${timeoutMs}ms`)),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

function withHostKeyAlgorithms(preferred: readonly string[]): {
  algorithms?: { serverHostKey: ServerHostKeyAlgorithm[] };
} {
  const list = hostKeyAlgorithms(preferred);
  return list ? { algorithms: { serverHostKey: list } } : {};
}

function isPasswordPrompt(prompt: Prompt): boolean {
  return /password/i.test(prompt.prompt);
}

/** Words of a password-change dialogue (expired or administrator-enforced), as PAM and devices word it. */
const PASSWORD_CHANGE =
  /new password|current password|old password|\(current\)|retype|change (your |the )?password|password (has )?expired|password change/i;

/** True when a keyboard-interactive round is a password change rather than a login prompt. */
function isPasswordChange(name: string, instructions: string, prompts: Prompt[]): boolean {
  return PASSWORD_CHANGE.test([name, instructions, ...prompts.map((p) => p.prompt)].join('\n'));
}

function passwordChangeError(username: string): ScannerError {
  return new ScannerError(
    'ERR_AUTH_FAILED',
    `ssh server demands a password change for user ${username}; the scanner never sets a new password: change it on the host, then retry`,
  );
}

/**
 * Connects to `address` (port from the credential), verifies the host key and authenticates:
 * private key (with its passphrase) when the credential has one; with a password, the
 * `password` method, or keyboard-interactive (password prompts answered) only when the server
 * does not take `password` — a refused password is never sent twice (each is a PAM failure that
 * lockout policies count); else ssh-agent.
 * A server demanding a password change (a change request, or change prompts) is ERR_AUTH_FAILED
 * saying so; the password is never typed into a change dialogue.
 * Rejects with ERR_PORT_CLOSED, ERR_UNREACHABLE, ERR_TIMEOUT (naming the phase and its limit),
 * ERR_AUTH_FAILED, ERR_HOST_KEY_CHANGED or ERR_PROTOCOL (a rejected host key), ERR_CONFIG_INVALID
 * or ERR_ABORTED; never with a message or cause holding a secret.
 */
export async function openSsh(
  address: string,
  auth: SshAuth,
  opts: SshConnectOptions,
): Promise<SshSession> {
  const { credential, secrets } = auth;
  const { signal } = opts;
  const secretList = [secrets.password, secrets.privateKey, secrets.passphrase];
  if (signal.aborted) throw abortError(signal, 'ssh connect');

  const username = credential.username;
  const candidates: AnyAuthMethod[] = [];
  if (secrets.privateKey) {
    const outcome = parsePrivateKey(secrets.privateKey, secrets.passphrase);
    if ('error' in outcome) throw outcome.error;
    candidates.push({ type: 'publickey', username, key: outcome.key });
  }
  // Set once the connection exists: ends the login when the server demands a password change.
  let refusePasswordChange = (): void => undefined;
  if (secrets.password) {
    const password = secrets.password;
    let rounds = 0;
    candidates.push({ type: 'password', username, password });
    candidates.push({
      type: 'keyboard-interactive',
      username,
      prompt(
        name: string,
        instructions: string,
        _lang: string,
        prompts: Prompt[],
        finish: KeyboardInteractiveCallback,
      ) {
        rounds += 1;
        // Never typed into a change dialogue: "Current password" is its first step, and the
        // password given to "New password" would replace the credential on the host.
        if (isPasswordChange(name, instructions, prompts)) refusePasswordChange();
        else if (rounds > MAX_KEYBOARD_ROUNDS) finish([]);
        else finish(prompts.map((p) => (isPasswordPrompt(p) ? password : '')));
      },
    });
  }
  const agentSocket = opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (candidates.length === 0 && agentSocket) {
    candidates.push({ type: 'agent', username, agent: agentSocket });
  }
  if (candidates.length === 0) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      'ssh credential has no password or private key, and no ssh-agent is available',
    );
  }

  const socket: Duplex = opts.via
    ? await opts.via.forwardTo(address, credential.port, {
        signal,
        timeoutMs: opts.connectTimeoutMs,
      })
    : await connectTcp(address, credential.port, signal, opts.connectTimeoutMs);
  if (signal.aborted) {
    socket.destroy();
    throw abortError(signal, 'ssh authentication');
  }

  return new Promise<SshSession>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let facts: HostKeyFacts | null = null;
    let hostKeyRejected = false;
    let hostKeyError: ScannerError | null = null;
    let current: SshAuthMethod = 'none';
    const tried: SshAuthMethod[] = [];
    let offered: AuthenticationType[] = [];
    const notes: string[] = [];

    const done = (error: ScannerError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error) {
        client.end();
        socket.destroy();
        reject(error);
        return;
      }
      resolve(
        new SshSession(
          client,
          socket,
          facts ?? { fingerprintSha256: 'unknown', keyType: 'unknown' },
          current,
        ),
      );
    };
    const onAbort = (): void => done(abortError(signal, 'ssh authentication'));
    const timer = setTimeout(
      () =>
        done(
          new ScannerError(
            'ERR_TIMEOUT',
            `ssh handshake and authentication timed out after ${opts.authTimeoutMs}ms`,
          ),
        ),
      opts.authTimeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });

    // ssh2 keeps emitting after a failure (socket close, late errors): one listener for its life.
    client.on('error', (err: Error & { level?: string }) => {
      if (
        err.level === 'agent' ||
        (err.level === 'client-authentication' && !/^All /.test(err.message))
      ) {
        // Recoverable: ssh2 moves on to the next method; keep a hint for the final message.
        notes.push(err.level === 'agent' ? 'ssh-agent unusable' : 'key signing failed');
        return;
      }
      const cause = redactError(err, secretList);
      if (hostKeyError) {
        done(hostKeyError);
      } else if (hostKeyRejected) {
        done(
          new ScannerError(
            'ERR_PROTOCOL',
            `ssh host key ${facts?.fingerprintSha256 ?? ''} (${facts?.keyType ?? 'unknown'}) was rejected by the host key check`,
            { cause },
          ),
        );
      } else if (err.level === 'client-authentication') {
        const offer = offered.length > 0 ? offered.join(', ') : 'none listed';
        const extra = notes.length > 0 ? `; ${notes.join(', ')}` : '';
        done(
          new ScannerError(
            'ERR_AUTH_FAILED',
            `ssh authentication failed for user ${username} (tried: ${tried.join(', ') || 'none'}; server offers: ${offer}${extra})`,
            { cause },
          ),
        );
      } else if (err.level === 'client-socket') {
        done(socketError(err as NodeJS.ErrnoException, 'connection'));
      } else {
        done(new ScannerError('ERR_PROTOCOL', `ssh handshake failed: ${cause.message}`, { cause }));
      }
    });
    client.on('close', () =>
      done(
        hostKeyError ??
          new ScannerError('ERR_PROTOCOL', 'ssh server closed the connection before login'),
      ),
    );
    // SSH_MSG_USERAUTH_PASSWD_CHANGEREQ in answer to the password: refused, like the prompts.
    refusePasswordChange = () => done(passwordChangeError(username));
    client.on('change password', () => refusePasswordChange());
    client.on('ready', () => done(null));

    let next = 0;
    client.connect({
      sock: socket,
      username,
      readyTimeout: 0,
      keepaliveInterval: 0,
      ...(opts.hostKey?.preferredAlgorithms
        ? withHostKeyAlgorithms(opts.hostKey.preferredAlgorithms)
        : {}),
      hostVerifier: ((key, verify) => {
        facts = hostKeyFacts(key);
        if (!opts.hostKey) {
          verify(true);
          return;
        }
        const { fingerprintSha256, keyType } = facts;
        Promise.resolve()
          .then(() => opts.hostKey?.verify(fingerprintSha256, keyType))
          .then(
            (ok) => {
              hostKeyRejected = ok !== true;
              verify(ok === true);
            },
            (err: unknown) => {
              hostKeyRejected = true;
              if (err instanceof ScannerError) hostKeyError = err;
              verify(false);
            },
          );
      }) satisfies HostVerifier,
      authHandler: (methodsLeft, _partial, nextAuth) => {
        if (methodsLeft === null || methodsLeft === undefined) {
          nextAuth({ type: 'none', username });
          return;
        }
        offered = methodsLeft;
        while (next < candidates.length) {
          const candidate = candidates[next++] as AnyAuthMethod;
          const needs: AuthenticationType =
            candidate.type === 'agent' ? 'publickey' : candidate.type;
          // A password the server refused is not typed again through keyboard-interactive:
          // PAM would count a second failure, and lockout policies count both.
          if (candidate.type === 'keyboard-interactive' && tried.includes('password')) continue;
          if (methodsLeft.includes(needs)) {
            current = candidate.type as SshAuthMethod;
            tried.push(current);
            nextAuth(candidate);
            return;
          }
        }
        (nextAuth as unknown as (v: false) => void)(false);
      },
    });
  });
}
