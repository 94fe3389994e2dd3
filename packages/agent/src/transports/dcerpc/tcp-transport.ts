// ncacn_ip_tcp: DCE/RPC PDUs over a TCP connection, framed by frag_length, every wait bounded.
import { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import { abortError, redactError } from '../safe-errors.js';
import { PduFramer, type RpcTransport } from './transport.js';

export interface TcpConnectOptions {
  signal?: AbortSignal;
  /** Connect limit in ms (default 5000). */
  timeoutMs?: number;
}

function connectError(err: NodeJS.ErrnoException, where: string): ScannerError {
  const cause = redactError(err, []);
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ScannerError('ERR_PORT_CLOSED', `${where}: the port is closed (ECONNREFUSED)`, {
        cause,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'EADDRNOTAVAIL':
      return new ScannerError('ERR_UNREACHABLE', `${where}: ${err.code}`, { cause });
    default:
      return new ScannerError('ERR_PROTOCOL', `${where}: ${err.code ?? err.message}`, { cause });
  }
}

/** An RpcTransport over one TCP connection (ncacn_ip_tcp). */
export class TcpRpcTransport implements RpcTransport {
  readonly description: string;
  readonly maxFragment = 5840;
  readonly #socket: Socket;
  readonly #framer = new PduFramer();
  #ended: ScannerError | null = null;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket, description: string) {
    this.#socket = socket;
    this.description = description;
    socket.on('data', (data: Buffer) => {
      try {
        this.#framer.push(data);
      } catch (err) {
        this.#fail(err as ScannerError);
      }
      this.#notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#fail(
        new ScannerError(
          'ERR_PROTOCOL',
          `${description}: connection error ${err.code ?? err.message}`,
          {
            cause: redactError(err, []),
          },
        ),
      );
    });
    socket.on('close', () => {
      this.#fail(
        new ScannerError('ERR_PROTOCOL', `${description}: the server closed the connection`),
      );
    });
  }

  #fail(err: ScannerError): void {
    this.#ended ??= err;
    this.#socket.destroy();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Connects to host:port; ERR_PORT_CLOSED, ERR_UNREACHABLE or ERR_TIMEOUT when it cannot. */
  static connect(
    host: string,
    port: number,
    opts: TcpConnectOptions = {},
  ): Promise<TcpRpcTransport> {
    const where = `ncacn_ip_tcp:${host}[${port}]`;
    const limit = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        cleanup();
        socket.destroy();
        reject(connectError(err, where));
      };
      const onAbort = (): void => {
        cleanup();
        socket.destroy();
        reject(abortError(opts.signal!, `${where} connect`));
      };
      const timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new ScannerError('ERR_TIMEOUT', `${where}: no connection within ${limit} ms`));
      }, limit);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => {
        cleanup();
        socket.setNoDelay(true);
        resolve(new TcpRpcTransport(socket, where));
      });
      socket.connect({ host, port });
    });
  }

  send(pdu: Buffer, signal: AbortSignal): Promise<void> {
    if (this.#ended) return Promise.reject(this.#ended);
    if (signal.aborted) return Promise.reject(abortError(signal, `${this.description} send`));
    return new Promise((resolve, reject) => {
      this.#socket.write(pdu, (err) => {
        if (err)
          reject(
            this.#ended ?? new ScannerError('ERR_PROTOCOL', `${this.description}: write failed`),
          );
        else resolve();
      });
    });
  }

  async receive(signal: AbortSignal): Promise<Buffer> {
    // Bounded: each turn either returns, throws, or waits for one more event (data, close, abort).
    for (;;) {
      const pdu = this.#framer.next();
      if (pdu) return pdu;
      if (this.#ended) {
        const partial = this.#framer.buffered;
        throw partial > 0
          ? new ScannerError(
              'ERR_PROTOCOL',
              `${this.description}: the server closed the connection in the middle of a PDU (${partial} bytes of it)`,
              { cause: this.#ended },
            )
          : this.#ended;
      }
      if (signal.aborted) throw abortError(signal, `${this.description} receive`);
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          this.#wake = null;
          resolve();
        };
        this.#wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  close(): Promise<void> {
    this.#ended ??= new ScannerError('ERR_PROTOCOL', `${this.description}: closed`);
    this.#socket.destroy();
    return Promise.resolve();
  }
}
