// Endpoint mapper (C706 appendix O, ept_map over TCP 135): which TCP port serves an interface.
import { ScannerError } from '../../../errors.js';
import { NdrReader, NdrWriter } from '../ndr.js';
import { decodeUuid, encodeUuid } from '../ndr-types.js';
import { NDR20, type SyntaxId } from '../pdu.js';
import { RpcClient, type RpcClientOptions, type RpcInterface } from '../rpc-client.js';
import { faultError } from '../status.js';
import { TcpRpcTransport } from '../tcp-transport.js';

export const EPM: RpcInterface = {
  name: 'epmapper',
  uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
  major: 3,
  minor: 0,
};
export const EPM_PORT = 135;
const OPNUM_EPT_MAP = 3;
const PROTOCOL = { uuid: 0x0d, ncacn: 0x0b, tcp: 0x07, ip: 0x09 } as const;
/** Most floors a tower may have; real towers have five. */
const MAX_FLOORS = 16;

function uuidFloor(s: SyntaxId): [Buffer, Buffer] {
  const lhs = Buffer.alloc(19);
  lhs[0] = PROTOCOL.uuid;
  encodeUuid(s.uuid).copy(lhs, 1);
  lhs.writeUInt16LE(s.major, 17);
  const rhs = Buffer.alloc(2);
  rhs.writeUInt16LE(s.minor, 0);
  return [lhs, rhs];
}

/** A five-floor ncacn_ip_tcp tower for `iface` over NDR20 (C706 appendix L). */
export function encodeTcpTower(iface: SyntaxId, port = 0, ip = '0.0.0.0'): Buffer {
  const floors: [Buffer, Buffer][] = [
    uuidFloor(iface),
    uuidFloor(NDR20),
    [Buffer.from([PROTOCOL.ncacn]), Buffer.alloc(2)],
    [Buffer.from([PROTOCOL.tcp]), Buffer.from([port >> 8, port & 0xff])],
    [Buffer.from([PROTOCOL.ip]), Buffer.from(ip.split('.').map(Number))],
  ];
  const parts: Buffer[] = [Buffer.from([floors.length, 0])];
  for (const [lhs, rhs] of floors) {
    const l = Buffer.alloc(2);
    l.writeUInt16LE(lhs.length);
    const r = Buffer.alloc(2);
    r.writeUInt16LE(rhs.length);
    parts.push(l, lhs, r, rhs);
  }
  return Buffer.concat(parts);
}

export interface TowerEndpoint {
  interface?: SyntaxId;
  protocol?: 'ncacn_ip_tcp' | 'other';
  port?: number;
  ip?: string;
}

/** Reads what a tower says: the interface, TCP port and IP address floors. */
export function decodeTower(tower: Buffer): TowerEndpoint {
  if (tower.length < 2) throw new ScannerError('ERR_PROTOCOL', 'short tower');
  const n = tower.readUInt16LE(0);
  if (n > MAX_FLOORS) throw new ScannerError('ERR_PROTOCOL', `tower with ${n} floors`);
  const out: TowerEndpoint = {};
  let at = 2;
  for (let i = 0; i < n; i++) {
    if (at + 2 > tower.length) throw new ScannerError('ERR_PROTOCOL', 'truncated tower floor');
    const ll = tower.readUInt16LE(at);
    const lhs = tower.subarray(at + 2, at + 2 + ll);
    at += 2 + ll;
    if (at + 2 > tower.length || lhs.length !== ll || ll === 0)
      throw new ScannerError('ERR_PROTOCOL', 'truncated tower floor');
    const rl = tower.readUInt16LE(at);
    const rhs = tower.subarray(at + 2, at + 2 + rl);
    at += 2 + rl;
    if (rhs.length !== rl) throw new ScannerError('ERR_PROTOCOL', 'truncated tower floor');
    const id = lhs[0];
    if (i === 0 && id === PROTOCOL.uuid && ll === 19 && rl === 2) {
      out.interface = {
        uuid: decodeUuid(lhs, 1),
        major: lhs.readUInt16LE(17),
        minor: rhs.readUInt16LE(0),
      };
    } else if (i === 2) {
      out.protocol = id === PROTOCOL.ncacn ? 'ncacn_ip_tcp' : 'other';
    } else if (id === PROTOCOL.tcp && rl === 2) {
      out.port = rhs.readUInt16BE(0);
    } else if (id === PROTOCOL.ip && rl === 4) {
      out.ip = [...rhs].join('.');
    }
  }
  return out;
}

/** The ept_map request stub: no object, the wanted tower, a null handle, `maxTowers`. */
export function encodeEptMapRequest(iface: SyntaxId, maxTowers = 4): Buffer {
  const w = new NdrWriter();
  const tower = encodeTcpTower(iface);
  w.construct(() => w.u32(0));
  w.construct(() =>
    w.unique(tower, (t) => {
      w.u32(t.length).u32(t.length).bytes(t);
    }),
  );
  w.construct(() => w.bytes(Buffer.alloc(20)));
  w.construct(() => w.u32(maxTowers));
  return w.toBuffer();
}

export interface EptMapResult {
  towers: TowerEndpoint[];
  status: number;
}

/** Decodes the ept_map response: handle, num_towers, the towers array, status. */
export function decodeEptMapResponse(stub: Buffer): EptMapResult {
  const r = new NdrReader(stub);
  r.construct(() => r.bytes(20));
  r.construct(() => r.u32());
  const boxes = r.construct(() => {
    r.u32(); // max_count: the size the client allowed, not what was sent
    const offset = r.u32();
    const actual = r.count(4, 'towers');
    if (offset !== 0) throw new ScannerError('ERR_PROTOCOL', `towers offset ${offset}`);
    const list = [];
    for (let i = 0; i < actual; i++) {
      list.push(
        r.unique(() => {
          const len = r.count(1, 'tower');
          const tl = r.u32();
          if (tl !== len) throw new ScannerError('ERR_PROTOCOL', `tower length ${tl} vs ${len}`);
          return r.bytes(tl);
        }),
      );
    }
    return list;
  });
  const status = r.construct(() => r.u32());
  const towers = boxes.flatMap((b) => (b.value === null ? [] : [decodeTower(b.value)]));
  return { towers, status };
}

/** EPT status codes beyond success. */
const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

/**
 * Asks the endpoint mapper at host:135 which TCP port serves `iface`. ERR_RPC
 * (ept_s_not_registered) when the server has no TCP endpoint for it.
 */
export async function eptMapTcpPort(
  host: string,
  iface: RpcInterface,
  opts: RpcClientOptions & { port?: number } = {},
): Promise<number> {
  const transport = await TcpRpcTransport.connect(host, opts.port ?? EPM_PORT, opts);
  try {
    const rpc = await RpcClient.bind(transport, EPM, { ...opts, auth: undefined });
    const res = decodeEptMapResponse(
      await rpc.call(OPNUM_EPT_MAP, encodeEptMapRequest(iface), opts),
    );
    const found = res.towers.find(
      (t) =>
        t.protocol === 'ncacn_ip_tcp' &&
        t.port !== undefined &&
        t.port > 0 &&
        (!t.interface || t.interface.uuid === iface.uuid),
    );
    if (found?.port !== undefined) return found.port;
    throw faultError(
      res.status === 0 ? EPT_S_NOT_REGISTERED : res.status,
      `ept_map ${iface.name} at ${host}`,
    );
  } finally {
    await transport.close();
  }
}

/**
 * ept_map, then connect to the port it names and bind `iface` (ncacn_ip_tcp). The connection is
 * closed when the bind fails; later, `rpc.close()` closes it.
 */
export async function bindOverTcp(
  host: string,
  iface: RpcInterface,
  opts: RpcClientOptions = {},
): Promise<RpcClient> {
  const port = await eptMapTcpPort(host, iface, { signal: opts.signal, timeoutMs: opts.timeoutMs });
  const transport = await TcpRpcTransport.connect(host, port, opts);
  try {
    return await RpcClient.bind(transport, iface, opts);
  } catch (err) {
    await transport.close();
    throw err;
  }
}
