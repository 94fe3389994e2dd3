// Parses a `--ports` list: numbers, ranges, T:/U: prefixes and named profiles.
import { ScannerError } from '../errors.js';

export interface PortSet {
  tcp: number[];
  udp: number[];
}

/** Largest number of ports one scan may probe per host (all of TCP plus all of UDP). */
const MAX_PORT = 65535;

/**
 * Parses `spec` like nmap's -p: `22,80,8000-8100`, `T:22,443,U:161`, or a profile name from
 * `profiles` (e.g. `default`, `wide`); profiles and lists can be mixed (`wide,U:161`).
 * Without a T:/U: prefix a port is TCP. Malformed input names the bad token.
 *
 * @example
 * parsePorts('22,U:161', {}) // { tcp: [22], udp: [161] }
 */
export function parsePorts(spec: string, profiles: Record<string, PortSet>): PortSet {
  const tcp = new Set<number>();
  const udp = new Set<number>();
  let proto: 'tcp' | 'udp' = 'tcp';
  const tokens = spec.split(',').map((t) => t.trim());
  if (spec.trim() === '' || tokens.some((t) => t === '')) {
    throw new ScannerError('ERR_CONFIG_INVALID', `--ports '${spec}': empty port list entry`);
  }
  for (let token of tokens) {
    const prefix = /^([TtUu]):(.*)$/.exec(token);
    if (prefix) {
      proto = prefix[1]!.toUpperCase() === 'T' ? 'tcp' : 'udp';
      token = prefix[2]!;
    }
    const profile = profiles[token];
    if (profile && !prefix) {
      profile.tcp.forEach((p) => tcp.add(p));
      profile.udp.forEach((p) => udp.add(p));
      continue;
    }
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(token);
    if (!range) {
      const known = Object.keys(profiles).join(', ');
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `--ports: '${token}' is not a port, a range (a-b) or a profile${known ? ` (${known})` : ''}`,
      );
    }
    const start = Number(range[1]);
    const end = range[2] === undefined ? start : Number(range[2]);
    if (start < 1 || end > MAX_PORT || start > end) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `--ports: '${token}' is out of range (ports are 1-65535, a range's start ≤ its end)`,
      );
    }
    const into = proto === 'tcp' ? tcp : udp;
    for (let p = start; p <= end; p++) into.add(p);
  }
  return { tcp: [...tcp].sort((a, b) => a - b), udp: [...udp].sort((a, b) => a - b) };
}
