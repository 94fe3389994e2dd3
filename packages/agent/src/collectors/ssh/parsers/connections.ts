// Socket parsers (`ss`, `netstat`, `/proc/net/*`) and the step from sockets to relationship evidence.
import type { RelationshipRecord } from '@nopesight/model';
import { clip, MAX_ITEMS, splitLines, warningList, type SectionResult } from './section-types.js';

/** One socket: a listening one (remote null) or a connection. */
export interface ConnectionInfo {
  proto: 'tcp' | 'udp';
  family: 4 | 6;
  /** Local address; wildcard is `0.0.0.0` or `::` (ss's `*` becomes `::`). */
  localAddress: string;
  localPort: number;
  /** Remote address, or null for a listening/unconnected socket. */
  remoteAddress: string | null;
  remotePort: number | null;
  /**
   * netstat-style state: `LISTEN`, `ESTABLISHED`, `TIME_WAIT`, `CLOSE_WAIT`, `SYN_SENT`…;
   * `UNCONN` for a bound UDP socket with no peer.
   */
  state: string;
  pid: number | null;
  processName: string | null;
  /** Socket inode (only from `/proc/net`); lets a root collector map it to a pid later. */
  inode: number | null;
}

/** Preferred: iproute2 `ss`, numeric, with processes (pids of other users need root), no header. */
export const SS_COMMAND = 'ss -tunapH';
/**
 * Fallback: net-tools `netstat` (older hosts, BusyBox); on macOS/FreeBSD `netstat -an` is read too.
 * BusyBox without FEATURE_NETSTAT_PRG (Debian's 1.35) refuses `-p` and lands on `-an`, whose Unix
 * sockets the parser skips.
 */
export const NETSTAT_COMMAND = 'netstat -tunap 2>/dev/null || netstat -an';
/** Last resort without any tool: the kernel tables; no pids, only inodes. Files in this order. */
export const PROC_NET_FILES = [
  '/proc/net/tcp',
  '/proc/net/tcp6',
  '/proc/net/udp',
  '/proc/net/udp6',
] as const;

const SS_STATES: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  LISTEN: 'LISTEN',
  UNCONN: 'UNCONN',
  'TIME-WAIT': 'TIME_WAIT',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'LAST-ACK': 'LAST_ACK',
  CLOSING: 'CLOSING',
  CLOSED: 'CLOSE',
};

const PROC_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

interface Endpoint {
  address: string;
  port: number | null;
}

/** Splits `addr:port` / `[v6]:port` / `addr.port` (BSD); strips `%iface`; `*` means any. */
function endpoint(text: string, separator: ':' | '.' = ':'): Endpoint | null {
  const at = text.lastIndexOf(separator);
  if (at <= 0) return null;
  let address = text.slice(0, at).replace(/^\[|\]$/g, '');
  const portText = text.slice(at + 1);
  const pct = address.indexOf('%');
  if (pct >= 0) address = address.slice(0, pct);
  if (address === '*') address = separator === '.' ? '0.0.0.0' : '::';
  if (portText === '*') return { address, port: null };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return null;
  return { address, port: Number(portText) };
}

const isWildcard = (a: string): boolean => a === '0.0.0.0' || a === '::' || a === '*';
const familyOf = (a: string): 4 | 6 => (a.includes(':') ? 6 : 4);

function socket(
  proto: 'tcp' | 'udp',
  local: Endpoint,
  remote: Endpoint | null,
  state: string,
  pid: number | null,
  processName: string | null,
  inode: number | null,
): ConnectionInfo {
  const unbound =
    remote === null || remote.port === null || (remote.port === 0 && isWildcard(remote.address));
  let normalised = state;
  if (proto === 'udp' && unbound && (state === '' || state === 'CLOSE' || state === 'UNCONN'))
    normalised = 'UNCONN';
  return {
    proto,
    family: familyOf(local.address),
    localAddress: local.address,
    localPort: local.port ?? 0,
    remoteAddress: unbound ? null : remote.address,
    remotePort: unbound ? null : remote.port,
    state: normalised,
    pid,
    processName: processName === null ? null : clip(processName, 256),
    inode,
  };
}

interface Acc {
  data: ConnectionInfo[];
  warnings: ReturnType<typeof warningList>;
  partial: boolean;
  capped: boolean;
  recognised: boolean;
}

function acc(truncated: boolean): Acc {
  const warnings = warningList();
  if (truncated) warnings.add('output truncated at the line cap');
  return { data: [], warnings, partial: truncated, capped: false, recognised: false };
}

function add(a: Acc, c: ConnectionInfo): void {
  a.recognised = true;
  if (a.data.length >= MAX_ITEMS) {
    if (!a.capped) a.warnings.add(`more than ${MAX_ITEMS} sockets; rest dropped`);
    a.capped = true;
    a.partial = true;
    return;
  }
  a.data.push(c);
}

function bad(a: Acc, line: string, i: number): void {
  a.warnings.add(`line ${i + 1}: unreadable: ${clip(line.trim(), 80)}`);
  a.partial = true;
}

function done(a: Acc, empty: boolean, what: string): SectionResult<ConnectionInfo[]> {
  if (!a.recognised && !empty) {
    a.warnings.add(`output does not look like ${what}`);
    return { state: 'unsupported', data: [], warnings: a.warnings.list() };
  }
  return { state: a.partial ? 'partial' : 'complete', data: a.data, warnings: a.warnings.list() };
}

/**
 * Parses `ss -tunap` output (with or without the header). The first process of `users:(…)` is kept.
 * @example parseSs('tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))').data[0].processName // → 'sshd'
 */
export function parseSs(text: string): SectionResult<ConnectionInfo[]> {
  const { lines, truncated } = splitLines(text);
  const a = acc(truncated);
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (t === '' || /^Netid\s+State/.test(t)) continue;
    const f = t.split(/\s+/);
    const proto = f[0] === 'tcp' ? 'tcp' : f[0] === 'udp' ? 'udp' : null;
    const local = endpoint(f[4] ?? '');
    const remote = endpoint(f[5] ?? '');
    const state = SS_STATES[f[1] ?? ''];
    if (proto === null || local === null || remote === null || state === undefined) {
      bad(a, line, i);
      continue;
    }
    const users = /users:\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(t);
    add(
      a,
      socket(
        proto,
        local,
        remote,
        state,
        users ? Number(users[2]) : null,
        users ? (users[1] as string) : null,
        null,
      ),
    );
  }
  return done(
    a,
    lines.every((l) => l.trim() === ''),
    'ss output',
  );
}

/**
 * Parses `netstat -tunap` (Linux net-tools: `PID/Program name` column) and BSD/macOS
 * `netstat -an` (`tcp4 … 127.0.0.1.631 *.* LISTEN`, no pids). Header and Unix-socket lines are skipped.
 * @example parseNetstat('tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 812/sshd').data[0].pid // → 812
 */
export function parseNetstat(text: string): SectionResult<ConnectionInfo[]> {
  const { lines, truncated } = splitLines(text);
  const a = acc(truncated);
  let pidColumn = false;
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (/^Proto\b.*\bPID\/Program/.test(t)) pidColumn = true;
    if (t === '' || /^(Active|Proto|Netid)\b/.test(t)) continue;
    const f = t.split(/\s+/);
    const pm = /^(tcp|udp)(4|6|46)?$/.exec(f[0] ?? '');
    if (pm === null) {
      // Unix sockets and other families in `netstat -an` are not network connections.
      if (
        !/^(unix|unix_dgram|unix_stream|icm|raw|Registered|Kernel|Address|[0-9a-f]{8,})/i.test(
          f[0] ?? '',
        )
      )
        bad(a, line, i);
      continue;
    }
    const proto = pm[1] as 'tcp' | 'udp';
    const bsd =
      pm[2] === '4' || pm[2] === '46' || (pm[2] === '6' && !/:\d+$|:\*$/.test(f[3] ?? ''));
    const local = endpoint(f[3] ?? '', bsd ? '.' : ':');
    const remote = endpoint(f[4] ?? '', bsd ? '.' : ':');
    if (local === null || remote === null) {
      bad(a, line, i);
      continue;
    }
    // BSD `*.22` on a tcp6/tcp46 socket is the IPv6 (dual-stack) wildcard.
    if (bsd && pm[2] !== '4' && local.address === '0.0.0.0') local.address = '::';
    let rest = f.slice(5);
    let state = '';
    if (rest[0] !== undefined && /^[A-Z][A-Z0-9_]+$/.test(rest[0])) {
      state = rest[0] === 'CLOSED' ? 'CLOSE' : rest[0];
      rest = rest.slice(1);
    }
    if (proto === 'tcp' && state === '') {
      bad(a, line, i);
      continue;
    }
    const pp = /^(\d+)\/(.*)$/.exec(rest.join(' '));
    add(
      a,
      socket(
        proto,
        local,
        remote,
        state,
        pp ? Number(pp[1]) : null,
        pp ? (pp[2] as string).trim() || null : null,
        null,
      ),
    );
  }
  // BSD `netstat -an`, and BusyBox built without FEATURE_NETSTAT_PRG (Debian's), have no `-p`.
  if (a.data.length > 0 && !pidColumn)
    a.warnings.add('no PID/Program column (netstat without -p): sockets have no processes');
  return done(
    a,
    lines.every((l) => l.trim() === ''),
    'netstat output',
  );
}

/** Kernel hex address (little-endian 32-bit words) to text; IPv6 compressed per RFC 5952. */
function procAddress(hex: string): string | null {
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  if (hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w += 1) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b -= 1) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: number[] = [];
  for (let g = 0; g < 8; g += 1)
    groups.push(((bytes[g * 2] as number) << 8) | (bytes[g * 2 + 1] as number));
  let bestStart = -1;
  let bestLen = 1;
  for (let s = 0; s < 8; s += 1) {
    let e = s;
    while (e < 8 && groups[e] === 0) e += 1;
    if (e - s > bestLen) {
      bestStart = s;
      bestLen = e - s;
    }
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexes.join(':');
  return `${hexes.slice(0, bestStart).join(':')}::${hexes.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Parses one `/proc/net/{tcp,tcp6,udp,udp6}` table. Pids are not in these files; `inode` is kept.
 * @example parseProcNet('  sl  local_address …\n   0: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 1234', 'tcp').data[0] // → { localAddress: '127.0.0.1', localPort: 22, state: 'LISTEN', … }
 */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): SectionResult<ConnectionInfo[]> {
  const { lines, truncated } = splitLines(text);
  const a = acc(truncated);
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (t === '' || t.startsWith('sl')) continue;
    const f = t.split(/\s+/);
    const lm = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[1] ?? '');
    const rm = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[2] ?? '');
    const st = PROC_STATES[(f[3] ?? '').toUpperCase()];
    const la = lm ? procAddress(lm[1] as string) : null;
    const ra = rm ? procAddress(rm[1] as string) : null;
    if (!/^\d+:$/.test(f[0] ?? '') || la === null || ra === null || st === undefined) {
      bad(a, line, i);
      continue;
    }
    const inode = /^\d+$/.test(f[9] ?? '') ? Number(f[9]) : null;
    const remote: Endpoint = {
      address: ra,
      port: Number.parseInt((rm as RegExpExecArray)[2] as string, 16),
    };
    const local: Endpoint = {
      address: la,
      port: Number.parseInt((lm as RegExpExecArray)[2] as string, 16),
    };
    add(a, socket(proto, local, remote, st, null, null, inode));
  }
  return done(
    a,
    lines.every((l) => l.trim() === ''),
    '/proc/net table',
  );
}

const isLoopback = (a: string): boolean =>
  a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');

/** Options for {@link connectionRelationships}. */
export interface ConnectionRelationshipOptions {
  /** Keep loopback peers (same host talking to itself); off by default, they are not edges between CIs. */
  includeLoopback?: boolean;
  /** Cap on relationships returned. */
  max?: number;
}

/**
 * Turns sockets into relationship evidence (DESIGN.md §3). An established TCP connection whose
 * local port is one this host listens on is inbound: the peer is `connected_to` our service.
 * Any other established connection is outbound: this host `depends_on` the peer's port.
 * Connections are grouped (inbound by peer + local port + pid, outbound by peer + remote port + pid)
 * with a `count`; the ephemeral side's port is null because it means nothing across scans.
 * TCP only: UDP has no connection state to tell a client from a server. Listening sockets alone
 * make no relationship (no peer); they stay in the `connections` section.
 * @example connectionRelationships(parseSs(text).data)[0] // → { type: 'depends_on', target: '10.0.0.5', evidence: { direction: 'outbound', remotePort: 5432, process: 'java', … } }
 */
export function connectionRelationships(
  connections: readonly ConnectionInfo[],
  options: ConnectionRelationshipOptions = {},
): RelationshipRecord[] {
  const max = options.max ?? 1000;
  const listening = new Map<number, ConnectionInfo>();
  for (const c of connections) {
    if (c.proto === 'tcp' && c.state === 'LISTEN' && !listening.has(c.localPort))
      listening.set(c.localPort, c);
  }
  const grouped = new Map<string, RelationshipRecord>();
  for (const c of connections) {
    if (
      c.proto !== 'tcp' ||
      c.state !== 'ESTABLISHED' ||
      c.remoteAddress === null ||
      c.remotePort === null
    )
      continue;
    if (!options.includeLoopback && (isLoopback(c.remoteAddress) || isLoopback(c.localAddress)))
      continue;
    const service = listening.get(c.localPort);
    const inbound = service !== undefined;
    const key = inbound
      ? `in|${c.remoteAddress}|${c.localPort}|${c.pid ?? service.pid ?? ''}`
      : `out|${c.remoteAddress}|${c.remotePort}|${c.pid ?? ''}`;
    const known = grouped.get(key);
    if (known !== undefined) {
      known.evidence['count'] = (known.evidence['count'] as number) + 1;
      continue;
    }
    if (grouped.size >= max) continue;
    grouped.set(key, {
      type: inbound ? 'connected_to' : 'depends_on',
      target: c.remoteAddress,
      evidence: {
        source: 'ssh',
        direction: inbound ? 'inbound' : 'outbound',
        proto: c.proto,
        localAddress: c.localAddress,
        localPort: inbound ? c.localPort : null,
        remoteAddress: c.remoteAddress,
        remotePort: inbound ? null : c.remotePort,
        // The listener's process names the service when the accepted socket has no pid of its own.
        process: c.processName ?? (inbound ? service.processName : null),
        pid: c.pid ?? (inbound ? service.pid : null),
        count: 1,
      },
    });
  }
  return [...grouped.values()];
}
