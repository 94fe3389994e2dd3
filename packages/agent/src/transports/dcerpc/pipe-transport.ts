// ncacn_np: DCE/RPC PDUs over an SMB2 named pipe. The PDU that expects an answer (last fragment of a
// request, bind, alter_context) goes out as FSCTL_PIPE_TRANSCEIVE, saving a round trip; the rest
// are writes; further response fragments are reads.
import { ScannerError } from '../../errors.js';
import type { Smb2Pipe, Smb2Tree } from '../smb2/smb2-client.js';
import { PFC, PTYPE } from './pdu.js';
import { RpcClient, type RpcClientOptions, type RpcInterface } from './rpc-client.js';
import { PduFramer, type RpcTransport } from './transport.js';

const ANSWERED = new Set<number>([PTYPE.request, PTYPE.bind, PTYPE.alterContext]);
/** Largest transceive/read reply asked for: one maximal PDU. */
const MAX_READ = 65_535;

/** An RpcTransport over an open SMB2 pipe (`\PIPE\winreg` …). */
export class PipeRpcTransport implements RpcTransport {
  readonly description: string;
  readonly maxFragment = 4280;
  readonly #pipe: Smb2Pipe;
  readonly #framer = new PduFramer();
  readonly #timeoutMs: number;
  #closed = false;

  /** `timeoutMs` bounds each SMB2 operation; the RpcClient's deadline (via the signal) also applies. */
  constructor(pipe: Smb2Pipe, description: string, timeoutMs = 30_000) {
    this.#pipe = pipe;
    this.description = description;
    this.#timeoutMs = timeoutMs;
  }

  /** Opens `\PIPE\<name>` on an IPC$ tree and wraps it. */
  static async open(
    tree: Smb2Tree,
    name: string,
    signal?: AbortSignal,
    timeoutMs = 30_000,
  ): Promise<PipeRpcTransport> {
    const pipe = await tree.openPipe(name, {
      signal: signal ?? new AbortController().signal,
      timeoutMs,
    });
    return new PipeRpcTransport(pipe, `ncacn_np:\\PIPE\\${name}`, timeoutMs);
  }

  async send(pdu: Buffer, signal: AbortSignal): Promise<void> {
    const type = pdu[2] ?? 0;
    const flags = pdu[3] ?? 0;
    if (ANSWERED.has(type) && flags & PFC.lastFrag && this.#framer.buffered === 0) {
      this.#framer.push(
        await this.#pipe.transceive(pdu, MAX_READ, { signal, timeoutMs: this.#timeoutMs }),
      );
    } else {
      await this.#pipe.write(pdu, { signal, timeoutMs: this.#timeoutMs });
    }
  }

  async receive(signal: AbortSignal): Promise<Buffer> {
    // Bounded: every read returns at least one byte or throws; the framer caps what it holds.
    for (;;) {
      const pdu = this.#framer.next();
      if (pdu) return pdu;
      const data = await this.#pipe.read(MAX_READ, { signal, timeoutMs: this.#timeoutMs });
      if (data.length === 0)
        throw new ScannerError('ERR_PROTOCOL', `${this.description}: empty read`);
      this.#framer.push(data);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pipe.close({
      signal: AbortSignal.timeout(this.#timeoutMs),
      timeoutMs: this.#timeoutMs,
    });
  }
}

/**
 * Opens `\PIPE\<pipeName>` on an IPC$ tree and binds `iface` over it; one SMB2 session can carry
 * every pipe. The pipe is closed when the bind fails; later, `rpc.close()` closes it.
 * @example const rpc = await bindOverPipe(ipc, 'winreg', WINREG, { auth, timeoutMs: 10_000 });
 */
export async function bindOverPipe(
  tree: Smb2Tree,
  pipeName: string,
  iface: RpcInterface,
  opts: RpcClientOptions = {},
): Promise<RpcClient> {
  const transport = await PipeRpcTransport.open(tree, pipeName, opts.signal, opts.timeoutMs);
  try {
    return await RpcClient.bind(transport, iface, opts);
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }
}
