// A small authoritative DNS server on 127.0.0.1 for tests (UDP, node:dgram): answers A, AAAA and
// PTR from a table, NXDOMAIN for names it does not know, nothing at all for names told to stay
// silent; counts the queries it got per name and type.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

export interface DnsZone {
  /** Lower-case name without the trailing dot → its records. */
  [name: string]: { A?: string[]; AAAA?: string[]; PTR?: string[] };
}

const TYPES: Record<number, 'A' | 'AAAA' | 'PTR'> = { 1: 'A', 28: 'AAAA', 12: 'PTR' };

export class TestDnsServer {
  readonly #socket: Socket;
  readonly #zone: DnsZone;
  readonly #silent: ReadonlySet<string>;
  /** `name TYPE` of every query, in order. */
  readonly queries: string[] = [];

  private constructor(socket: Socket, zone: DnsZone, silent: ReadonlySet<string>) {
    this.#socket = socket;
    this.#zone = zone;
    this.#silent = silent;
    socket.on('message', (m, from) => {
      const answer = this.#answer(m);
      if (answer) socket.send(answer, from.port, from.address);
    });
  }

  /** Listens on a free UDP port of 127.0.0.1; `silent` names get no answer at all. */
  static async start(zone: DnsZone, silent: string[] = []): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TestDnsServer(socket, zone, new Set(silent));
  }

  /** `127.0.0.1:PORT`, for Resolver.setServers. */
  get server(): string {
    return `127.0.0.1:${this.#socket.address().port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #answer(query: Buffer): Buffer | null {
    if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const len = query[at]!;
      if (len > 63) return null;
      labels.push(query.subarray(at + 1, at + 1 + len).toString('latin1'));
      at += 1 + len;
    }
    at += 1;
    if (at + 4 > query.length) return null;
    const qtype = query.readUInt16BE(at);
    const questionEnd = at + 4;
    const name = labels.join('.').toLowerCase();
    const type = TYPES[qtype];
    this.queries.push(`${name} ${type ?? qtype}`);
    if (this.#silent.has(name)) return null;
    const entry = this.#zone[name];
    const rdatas = entry && type ? (entry[type] ?? []).map((v) => rdata(type, v)) : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    // QR, AA, RD copied, RA; NXDOMAIN when the name is unknown.
    header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x0100) | (entry ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(rdatas.length, 6);
    const answers = rdatas.map((data) => {
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
  }
}

function rdata(type: 'A' | 'AAAA' | 'PTR', value: string): Buffer {
  if (type === 'A') return Buffer.from(value.split('.').map(Number));
  if (type === 'PTR') {
    const parts = value.replace(/\.$/, '').split('.');
    return Buffer.concat([
      ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])),
      Buffer.from([0]),
    ]);
  }
  if (isIP(value) !== 6) throw new Error(`${value} is not an IPv6 address`);
  const [head = '', tail] = value.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const out = Buffer.alloc(16);
  [...left, ...fill, ...right].forEach((h, i) => out.writeUInt16BE(parseInt(h, 16), i * 2));
  return out;
}
