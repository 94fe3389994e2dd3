// A scripted in-process DCE/RPC server on loopback for the client's tests: each test says what to
// answer to each PDU, including wrong answers (bind_nak, faults, truncation, silence, drops).
import { createServer, type Server, type Socket } from 'node:net';
import { encodePdu, PFC, PTYPE, type AuthVerifier } from '../pdu.js';
import { PduFramer } from '../transport.js';

export interface FakeConnection {
  socket: Socket;
  /** Every PDU received so far on this connection, raw. */
  received: Buffer[];
}

/** Called for each whole PDU the client sends; writes answers on `c.socket` (or not). */
export type PduHandler = (pdu: Buffer, c: FakeConnection) => void;

export interface FakeRpcServer {
  port: number;
  connections: FakeConnection[];
  close(): Promise<void>;
}

export async function startFakeRpcServer(handler: PduHandler): Promise<FakeRpcServer> {
  const connections: FakeConnection[] = [];
  const server: Server = createServer((socket) => {
    const c: FakeConnection = { socket, received: [] };
    connections.push(c);
    const framer = new PduFramer();
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      framer.push(d);
      for (let pdu = framer.next(); pdu; pdu = framer.next()) {
        c.received.push(pdu);
        handler(pdu, c);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** bind_ack accepting context 0 with NDR20 (max_xmit/max_recv as given). */
export function bindAck(callId: number, maxFrag = 4280, auth?: Omit<AuthVerifier, 'padLength'>): Buffer {
  const body = Buffer.alloc(8 + 4 + 4 + 4 + 24);
  body.writeUInt16LE(maxFrag, 0);
  body.writeUInt16LE(maxFrag, 2);
  body.writeUInt32LE(0x1234, 4);
  body.writeUInt16LE(4, 8);
  body.write('135\0', 10, 'latin1');
  // 16 + 14 = 30 → pad 2 to 32: results start at body offset 16.
  body[16] = 1;
  // result 0 (acceptance), reason 0, NDR20 transfer syntax.
  Buffer.from('045d888aeb1cc9119fe808002b10486002000000', 'hex').copy(body, 24);
  return encodePdu({ type: PTYPE.bindAck, flags: PFC.firstFrag | PFC.lastFrag, callId, body, auth });
}

export function bindNak(callId: number, reason: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16LE(reason, 0);
  return encodePdu({ type: PTYPE.bindNak, flags: PFC.firstFrag | PFC.lastFrag, callId, body });
}

export function fault(callId: number, status: number): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(status, 8);
  return encodePdu({ type: PTYPE.fault, flags: PFC.firstFrag | PFC.lastFrag | PFC.didNotExecute, callId, body });
}

/** Response PDUs carrying `stub` in fragments of at most `chunk` stub bytes. */
export function responses(callId: number, stub: Buffer, chunk = 4000): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stub.length || out.length === 0; at += chunk) {
    const part = stub.subarray(at, at + chunk);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(stub.length - at, 0);
    const flags = (at === 0 ? PFC.firstFrag : 0) | (at + chunk >= stub.length ? PFC.lastFrag : 0);
    out.push(encodePdu({ type: PTYPE.response, flags, callId, body: Buffer.concat([head, part]) }));
  }
  return out;
}
