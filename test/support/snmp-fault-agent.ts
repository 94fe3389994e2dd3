// An in-process SNMP v1/v2c agent on 127.0.0.1 that plays a hostile or broken device for tests.
//
// It stands in for agents no real snmpd imitates on demand: one that never answers, one that
// answers every GETNEXT/GETBULK with the same OID forever, one whose OIDs go backwards, one that
// sends huge values or an endless table, one that answers tooBig above some repetitions. Requests
// are decoded with the project's own snmp-ber codec; each test starts its own agent and closes it.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import {
  TAG,
  encodeInteger,
  encodeOid,
  encodeTlv,
} from '../../packages/agent/src/transports/snmp-ber/ber.js';
import {
  PDU,
  VALUE_TAG,
  decodeMessage,
  type SnmpResponse,
} from '../../packages/agent/src/transports/snmp-ber/snmp-message.js';

const GET_BULK = 0xa5;
const TOO_BIG = 1;
const NO_SUCH_NAME = 2;

/**
 * How the agent answers a GETNEXT or GETBULK (a GET is answered like a GETNEXT of the same OID).
 * `silent`: never answers.
 * `same-oid`: every answer carries `<root>.1.0` and nothing else, whatever was asked.
 * `backwards`: a correct table of `rows` rows, but after `goodRows` rows the OIDs restart at row 1.
 * `endless`: `<root>.1.n` for every n after the one asked, forever (values `valueBytes` long).
 * `table`: `<root>.1.1` … `<root>.1.rows`, then endOfMibView (v2c) or noSuchName (v1).
 * `too-big`: like `table`, but a GETBULK asking more than `maxRepetitions` repetitions gets tooBig.
 */
export type SnmpFault =
  | { kind: 'silent' }
  | { kind: 'same-oid' }
  | { kind: 'backwards'; rows: number; goodRows: number }
  | { kind: 'endless'; valueBytes?: number }
  | { kind: 'table'; rows: number; valueBytes?: number }
  | { kind: 'too-big'; rows: number; maxRepetitions: number };

export interface SnmpFaultAgentOptions {
  /** Requests with another community are dropped, like a real agent does. */
  community: string;
  /** The subtree the agent serves; default 1.3.6.1.4.1.99999. */
  root?: string;
  fault: SnmpFault;
}

export interface SnmpFaultAgent {
  port: number;
  /** The subtree served. */
  root: string;
  /** Requests received (including the ones left unanswered). */
  readonly requests: number;
  /** Bytes of every answer sent. */
  readonly bytesSent: number;
  /** The max-repetitions of each GETBULK received, in order. */
  readonly repetitionsAsked: number[];
  close(): Promise<void>;
}

/** Largest answer the agent builds (a UDP datagram over IPv4 carries at most 65,507 bytes). */
const MAX_DATAGRAM = 65_000;

/** The row number n of `<root>.1.n` that follows `oid`, for a table under `root`. */
function nextRow(root: string, oid: string): number {
  // Only walks from the root or an ancestor of it start before the table.
  if (!oid.startsWith(`${root}.`)) return root.startsWith(oid) ? 1 : Number.POSITIVE_INFINITY;
  const rest = oid
    .slice(root.length + 1)
    .split('.')
    .map(Number);
  if (rest[0]! < 1) return 1;
  if (rest[0]! > 1) return Number.POSITIVE_INFINITY;
  return (rest[1] ?? 0) + 1;
}

function varbind(oid: string, tag: number, value: Buffer): Buffer {
  return encodeTlv(TAG.sequence, encodeOid(oid), encodeTlv(tag, value));
}

function response(
  req: SnmpResponse,
  errorStatus: number,
  errorIndex: number,
  vbs: Buffer[],
): Buffer {
  return encodeTlv(
    TAG.sequence,
    encodeInteger(req.version === '1' ? 0 : 1),
    encodeTlv(TAG.octetString, Buffer.from(req.community, 'utf8')),
    encodeTlv(
      PDU.response,
      encodeInteger(req.requestId),
      encodeInteger(errorStatus),
      encodeInteger(errorIndex),
      encodeTlv(TAG.sequence, ...vbs),
    ),
  );
}

/** Starts the agent on an ephemeral UDP port of 127.0.0.1. */
export async function startSnmpFaultAgent(opts: SnmpFaultAgentOptions): Promise<SnmpFaultAgent> {
  const root = opts.root ?? '1.3.6.1.4.1.99999';
  const { fault } = opts;
  const socket: Socket = createSocket('udp4');
  const state = { requests: 0, bytesSent: 0, repetitionsAsked: [] as number[] };

  const answer = (req: SnmpResponse): Buffer | null => {
    const bulk = req.pduType === GET_BULK;
    // In a GETBULK the error-status and error-index fields carry non-repeaters and max-repetitions.
    const reps = bulk ? Math.max(1, req.errorIndex) : 1;
    if (bulk) state.repetitionsAsked.push(req.errorIndex);
    const asked = req.varbinds[0]?.oid ?? root;
    const value = (n: number, bytes: number): Buffer =>
      Buffer.alloc(bytes, String.fromCharCode(97 + (n % 26)));
    const rows = (first: number, last: number, bytes: number): Buffer[] => {
      const out: Buffer[] = [];
      let size = 100;
      for (let n = first; n <= last && out.length < reps; n++) {
        const vb = varbind(`${root}.1.${n}`, VALUE_TAG.octetString, value(n, bytes));
        if (size + vb.length > MAX_DATAGRAM) break;
        size += vb.length;
        out.push(vb);
      }
      return out;
    };
    const endOfTable = (): Buffer =>
      req.version === '1'
        ? response(req, NO_SUCH_NAME, 1, [varbind(asked, TAG.null, Buffer.alloc(0))])
        : response(req, 0, 0, [varbind(asked, VALUE_TAG.endOfMibView, Buffer.alloc(0))]);

    switch (fault.kind) {
      case 'silent':
        return null;
      case 'same-oid':
        return response(req, 0, 0, [
          varbind(`${root}.1.0`, VALUE_TAG.octetString, Buffer.from('again')),
        ]);
      case 'endless': {
        const n = nextRow(root, asked);
        if (!Number.isFinite(n)) return endOfTable();
        return response(req, 0, 0, rows(n, Number.MAX_SAFE_INTEGER, fault.valueBytes ?? 8));
      }
      case 'backwards': {
        const n = nextRow(root, asked);
        const first = n > fault.goodRows ? 1 : n;
        return first > fault.rows ? endOfTable() : response(req, 0, 0, rows(first, fault.rows, 8));
      }
      case 'too-big':
      case 'table': {
        if (fault.kind === 'too-big' && bulk && reps > fault.maxRepetitions) {
          return response(req, TOO_BIG, 0, []);
        }
        const n = nextRow(root, asked);
        const bytes = fault.kind === 'table' ? (fault.valueBytes ?? 8) : 8;
        return n > fault.rows ? endOfTable() : response(req, 0, 0, rows(n, fault.rows, bytes));
      }
    }
  };

  socket.on('message', (msg, rinfo) => {
    state.requests++;
    let req: SnmpResponse;
    try {
      req = decodeMessage(msg);
    } catch {
      return;
    }
    if (req.community !== opts.community) return;
    const out = answer(req);
    if (!out) return;
    state.bytesSent += out.length;
    socket.send(out, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    root,
    get requests() {
      return state.requests;
    },
    get bytesSent() {
      return state.bytesSent;
    },
    get repetitionsAsked() {
      return state.repetitionsAsked;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
