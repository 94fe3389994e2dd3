// An in-process SSH server (ssh2's own) on 127.0.0.1 that plays a hostile or broken host for tests.
//
// It stands in for devices no real sshd can imitate on demand: a shell that hangs, floods, prints
// garbage or forged markers, closes mid-stream or drops the connection, refuses the exec channel,
// or answers a correct password with a demand to change it. Each test starts its own server with
// the behaviour it needs and closes it (the server ends every connection it accepted).
import { EventEmitter, once } from 'node:events';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { AuthContext, ServerChannel } from 'ssh2';
import { ed25519KeyPair } from './ssh-keys.js';

/**
 * How the server authenticates `username`/`password`. `password`: plain password login.
 * `password-change`: the right password is answered with SSH_MSG_USERAUTH_PASSWD_CHANGEREQ
 * (`ctx.requestChange`), and any new password offered is recorded and refused.
 * `keyboard-password-change`: password login is refused; keyboard-interactive asks `Password:`
 * and then, like OpenSSH with Linux-PAM on an expired account, `Current password:`,
 * `New password:` and `Retype new password:` under the instruction "You are required to change
 * your password immediately (administrator enforced)". Every answer is recorded; login never succeeds.
 */
export type FaultAuth = 'password' | 'password-change' | 'keyboard-password-change';

/** Output to write: fixed, or built from the stdin the client sent (read up to its EOF). */
export type FaultOutput = string | Buffer | ((stdin: string) => string | Buffer);

/**
 * What the server does with one exec request. `refuse`: the channel request is rejected.
 * Otherwise it writes `stdout` (then `stderr`) and then:
 * `exit`: sends exit status `exitCode` (default 0) and closes the channel;
 * `close`: closes the channel without any exit status;
 * `hang`: nothing more, ever (the channel ends only when the client closes it);
 * `flood`: writes stdout until the client closes the channel, at most `floodLimitBytes`;
 * `disconnect`: destroys the TCP connection without an SSH goodbye.
 */
export type ExecFault =
  | { refuse: true }
  | {
      stdout?: FaultOutput;
      stderr?: FaultOutput;
      then: 'exit' | 'close' | 'hang' | 'flood' | 'disconnect';
      exitCode?: number;
    };

export interface FaultServerOptions {
  /** Default `nopesight`. */
  username?: string;
  password: string;
  /** Default `password`. */
  auth?: FaultAuth;
  /** The behaviour for each exec request, from its command line. */
  exec: (command: string) => ExecFault;
  /** Hard cap on the bytes one exec writes in `flood`, even if the client never closes; default 64 MiB. */
  floodLimitBytes?: number;
}

/** One exec channel as the server saw it. */
export interface ExecRecord {
  command: string;
  /** Bytes written to stdout (or queued for it), including a flood. */
  stdoutBytes: number;
  /** True once the channel has closed, whoever closed it. */
  closed: boolean;
  /** Resolves when the channel closes. */
  whenClosed: Promise<void>;
  /** Why a flood stopped: the client closed the channel, or the server reached its limit. */
  floodEnd: 'closed' | 'limit' | null;
}

export interface FaultServer {
  port: number;
  /** Keyboard-interactive answers and offered new passwords, in order, as the client sent them. */
  answers: { prompt: string; answer: string }[];
  execs: ExecRecord[];
  /** Resolves with the `index`-th exec channel (0-based) once the server has accepted it. */
  execStarted(index: number): Promise<ExecRecord>;
  /** Stops listening and destroys every connection; idempotent. */
  close(): Promise<void>;
}

const CHANGE_INSTRUCTIONS =
  'You are required to change your password immediately (administrator enforced)';
const DEFAULT_FLOOD_LIMIT = 64 * 1024 * 1024;
const FLOOD_CHUNK = Buffer.alloc(64 * 1024, 'y\n');
/** Stdin kept for output functions; more is dropped (the collection script is ~15 KB). */
const MAX_STDIN = 1024 * 1024;

function checkPasswordAuth(ctx: AuthContext, opts: FaultServerOptions, fs: FaultServer): void {
  const auth = opts.auth ?? 'password';
  const username = opts.username ?? 'nopesight';
  const rightUser = ctx.username === username;
  if (auth === 'keyboard-password-change') {
    if (ctx.method !== 'keyboard-interactive') {
      ctx.reject(['keyboard-interactive']);
      return;
    }
    // One prompt per round, as sshd relays PAM: the password, then the change dialogue.
    const rounds: [string, string][] = [
      ['', 'Password: '],
      [CHANGE_INSTRUCTIONS, 'Current password: '],
      ['', 'New password: '],
      ['', 'Retype new password: '],
    ];
    const ask = (i: number): void => {
      const round = rounds[i];
      if (!round) {
        ctx.reject(['keyboard-interactive']);
        return;
      }
      const [instructions, prompt] = round;
      ctx.prompt([{ prompt, echo: false }], '', instructions, (answers) => {
        fs.answers.push({ prompt, answer: answers[0] ?? '' });
        if (i === 0 && !(rightUser && answers[0] === opts.password)) {
          ctx.reject(['keyboard-interactive']);
          return;
        }
        ask(i + 1);
      });
    };
    ask(0);
    return;
  }
  if (ctx.method !== 'password') {
    ctx.reject(['password']);
    return;
  }
  if (!rightUser || ctx.password !== opts.password) {
    ctx.reject(['password']);
    return;
  }
  if (auth === 'password') {
    ctx.accept();
    return;
  }
  ctx.requestChange('Password expired, change it now', (newPassword) => {
    fs.answers.push({ prompt: 'change request', answer: newPassword });
    ctx.reject(['password']);
  });
}

function readStdin(stream: ServerChannel): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (d: Buffer) => {
      if (size >= MAX_STDIN) return;
      chunks.push(d);
      size += d.length;
    });
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.once('end', done);
    stream.once('close', done);
  });
}

async function runExec(
  stream: ServerChannel,
  fault: Exclude<ExecFault, { refuse: true }>,
  rec: ExecRecord,
  limit: number,
  socket: Socket | undefined,
): Promise<void> {
  // Stdin is always read: ssh2 reports a server channel closed only once its input has ended.
  const input = readStdin(stream);
  const needsStdin = typeof fault.stdout === 'function' || typeof fault.stderr === 'function';
  const stdin = needsStdin ? await input : '';
  const bytes = (o: FaultOutput | undefined): Buffer =>
    Buffer.from(typeof o === 'function' ? o(stdin) : (o ?? ''));
  const out = bytes(fault.stdout);
  const err = bytes(fault.stderr);
  if (rec.closed) return;
  // Each write is awaited until it has left for the client, so a close cannot overtake it.
  if (out.length > 0) {
    rec.stdoutBytes += out.length;
    await new Promise<void>((resolve) => stream.write(out, () => resolve()));
  }
  if (err.length > 0) {
    await new Promise<void>((resolve) => stream.stderr.write(err, () => resolve()));
  }
  switch (fault.then) {
    case 'exit':
      stream.exit(fault.exitCode ?? 0);
      stream.end();
      return;
    case 'close':
      stream.close();
      return;
    case 'disconnect':
      socket?.destroy();
      return;
    case 'hang':
      return;
    case 'flood':
      // Bounded twice: by the client closing the channel and by `limit` bytes.
      while (!rec.closed && rec.stdoutBytes < limit) {
        const more = stream.write(FLOOD_CHUNK);
        rec.stdoutBytes += FLOOD_CHUNK.length;
        if (!more) {
          await Promise.race([
            new Promise<void>((resolve) => stream.once('drain', () => resolve())),
            rec.whenClosed,
          ]);
        }
      }
      rec.floodEnd = rec.closed ? 'closed' : 'limit';
      if (!rec.closed) stream.close();
  }
}

/**
 * Starts a fault server on 127.0.0.1 (ephemeral port, fresh ed25519 host key).
 *
 * @example
 * const server = await startFaultServer({ password: 'pw', exec: () => ({ then: 'hang' }) });
 * try { … openSsh('127.0.0.1', …port: server.port…) … } finally { await server.close(); }
 */
export async function startFaultServer(opts: FaultServerOptions): Promise<FaultServer> {
  const hostKey = ed25519KeyPair().private;
  const limit = opts.floodLimitBytes ?? DEFAULT_FLOOD_LIMIT;
  const sockets = new Map<number, Socket>();
  const events = new EventEmitter();
  const ssh = new ssh2.Server({ hostKeys: [hostKey] });
  const tcp: NetServer = createServer((socket) => {
    if (socket.remotePort !== undefined) sockets.set(socket.remotePort, socket);
    socket.once('close', () => {
      if (socket.remotePort !== undefined) sockets.delete(socket.remotePort);
    });
    socket.on('error', () => undefined);
    ssh.injectSocket(socket);
  });
  let closing: Promise<void> | null = null;

  const server: FaultServer = {
    port: 0,
    answers: [],
    execs: [],
    async execStarted(index) {
      while (server.execs.length <= index) {
        if (closing) throw new Error('fault server closed before that exec');
        await once(events, 'exec');
      }
      return server.execs[index] as ExecRecord;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const s of sockets.values()) s.destroy();
        events.emit('exec');
      });
      return closing;
    },
  };

  ssh.on('connection', (client, info) => {
    const socket = sockets.get(info.port);
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => checkPasswordAuth(ctx, opts, server));
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('exec', (accept, reject, info) => {
        const fault = opts.exec(info.command);
        if ('refuse' in fault) {
          reject();
          return;
        }
        const stream = accept();
        let markClosed = (): void => undefined;
        const rec: ExecRecord = {
          command: info.command,
          stdoutBytes: 0,
          closed: false,
          whenClosed: new Promise<void>((resolve) => (markClosed = resolve)),
          floodEnd: null,
        };
        stream.on('error', () => undefined);
        stream.once('close', () => {
          rec.closed = true;
          markClosed();
        });
        server.execs.push(rec);
        events.emit('exec');
        void runExec(stream, fault, rec, limit, socket);
      });
    });
  });

  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  server.port = (tcp.address() as { port: number }).port;
  return server;
}
