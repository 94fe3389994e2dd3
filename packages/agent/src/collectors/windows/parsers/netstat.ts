// `netstat -ano` output → connections with owning PIDs. Rows are recognised by their shape (TCP or
// UDP, two endpoints, a PID), not by the header, which Windows localises.
import type { ConnectionInfo } from '../../ssh/parsers/connections.js';
import {
  MAX_ITEMS,
  splitLines,
  warningList,
  type SectionResult,
} from '../../ssh/parsers/section-types.js';

/** Windows' TCP state words → the names the SSH collector uses (LISTEN, ESTABLISHED…). */
const STATES: Readonly<Record<string, string>> = {
  LISTENING: 'LISTEN',
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RECEIVED: 'SYN_RECV',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSE_WAIT: 'CLOSE_WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST_ACK',
  CLOSED: 'CLOSE',
  BOUND: 'BOUND',
  DELETE_TCB: 'DELETE_TCB',
};

/** `10.0.1.15:49713`, `[::]:135`, `[fe80::1%4]:1900`, `*:*` → address and port. */
function endpoint(text: string): { address: string; port: number | null; family: 4 | 6 } | null {
  if (text === '*:*') return { address: '*', port: null, family: 4 };
  const m = /^(?:\[([0-9A-Fa-f:.%a-zA-Z0-9]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5}|\*)$/.exec(
    text,
  );
  if (!m) return null;
  const port = m[3] === '*' ? null : Number(m[3]);
  if (port !== null && port > 65535) return null;
  return m[1] !== undefined
    ? { address: m[1], port, family: 6 }
    : { address: m[2]!, port, family: 4 };
}

/**
 * Parses `netstat -ano`. TCP rows carry a state; UDP rows have none. The remote end of a
 * listening socket (`0.0.0.0:0`, `[::]:0`) and of UDP (`*:*`) becomes null.
 * @example parseNetstatAno('  TCP    0.0.0.0:135    0.0.0.0:0    LISTENING    908\r\n').data[0]
 *   // → { proto: 'tcp', localPort: 135, state: 'LISTEN', pid: 908, … }
 */
export function parseNetstatAno(text: string): SectionResult<ConnectionInfo[]> {
  const { lines, truncated } = splitLines(text);
  const warnings = warningList();
  const data: ConnectionInfo[] = [];
  let recognised = false;
  let skipped = 0;
  for (const [n, line] of lines.entries()) {
    const parts = line.trim().split(/\s+/);
    const proto = parts[0]?.toUpperCase();
    if (proto !== 'TCP' && proto !== 'UDP') continue; // banner, header, blank
    const tcp = proto === 'TCP';
    const want = tcp ? 5 : 4;
    const local = endpoint(parts[1] ?? '');
    const remote = endpoint(parts[2] ?? '');
    const pidText = parts[want - 1] ?? '';
    const rawState = tcp ? (parts[3] ?? '') : '';
    if (
      parts.length !== want ||
      !local ||
      !remote ||
      !/^\d+$/.test(pidText) ||
      local.port === null
    ) {
      skipped++;
      warnings.add(`line ${n + 1}: not a netstat -ano row`);
      continue;
    }
    recognised = true;
    if (data.length >= MAX_ITEMS) {
      warnings.add(`more than ${MAX_ITEMS} sockets: the rest dropped`);
      break;
    }
    const unbound = remote.address === '*' || remote.port === 0 || remote.port === null;
    data.push({
      proto: tcp ? 'tcp' : 'udp',
      family: local.family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: unbound ? null : remote.address,
      remotePort: unbound ? null : remote.port,
      state: tcp ? (STATES[rawState.toUpperCase()] ?? rawState) : 'UNCONN',
      pid: Number(pidText),
      processName: null,
      inode: null,
    });
  }
  return {
    state: !recognised
      ? 'unsupported'
      : skipped > 0 || truncated || data.length >= MAX_ITEMS
        ? 'partial'
        : 'complete',
    data,
    warnings: warnings.list(),
  };
}
