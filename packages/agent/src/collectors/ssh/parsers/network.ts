// Pure parsers for the SSH collector's network facts: interfaces, addresses, routes and DNS settings.
import {
  MAX_ITEMS,
  clip,
  splitLines,
  warningList,
  type ParserState,
  type SectionResult,
} from './section-types.js';

export interface IpAddress {
  /** Without any `%zone` suffix. */
  address: string;
  prefixLength: number | null;
  /** Dotted mask for IPv4 (`255.255.255.0`); null for IPv6. */
  netmask: string | null;
  broadcast: string | null;
  /** `global`, `link`, `host` (from `ip`, else derived from the address). */
  scope: string | null;
}

export interface NetInterface {
  name: string;
  index: number | null;
  /** Lower-case, colon separated, two digits per octet; null for none or all zeros. */
  mac: string | null;
  mtu: number | null;
  /** `up`: administratively up with link; `down`: not up or no carrier; `unknown`: cannot tell. */
  state: 'up' | 'down' | 'unknown';
  /** Flags as printed (`UP`, `BROADCAST`, `LOWER_UP`, `RUNNING`, `LOOPBACK`). */
  flags: string[];
  /** `ether`, `loopback`, `none`… from `ip` (`link_type`), else null. */
  type: string | null;
  ipv4: IpAddress[];
  ipv6: IpAddress[];
}

export interface Route {
  family: 'inet' | 'inet6';
  /** `default` or a CIDR (`192.0.2.0/24`, `fe80::/64`), or a host address. */
  destination: string;
  gateway: string | null;
  interface: string | null;
  metric: number | null;
  isDefault: boolean;
}

export interface DnsConfig {
  nameservers: string[];
  searchDomains: string[];
}

const MAX_DNS_ENTRIES = 16;
const MAX_ADDRESSES_PER_INTERFACE = 1024;

function stateOf(warnings: string[]): ParserState {
  return warnings.length > 0 ? 'partial' : 'complete';
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? clip(v.trim(), 256) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}

/** Normalises `02:FC:0:0:0:1` to `02:fc:00:00:00:01`; null for all-zero or malformed. */
function normaliseMac(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const parts = raw.trim().toLowerCase().split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-f]{1,2}$/.test(p))) return null;
  const mac = parts.map((p) => p.padStart(2, '0')).join(':');
  return mac === '00:00:00:00:00:00' ? null : mac;
}

/** `24` → `255.255.255.0`. */
function prefixToMask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** `255.255.255.0` or `0xffffff00` → 24; null if not a contiguous mask. */
function maskToPrefix(mask: string): number | null {
  let bits: number;
  if (/^0x[0-9a-f]{8}$/i.test(mask)) bits = Number.parseInt(mask.slice(2), 16);
  else {
    const o = mask.split('.').map(Number);
    if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
    bits =
      (((o[0] as number) << 24) |
        ((o[1] as number) << 16) |
        ((o[2] as number) << 8) |
        (o[3] as number)) >>>
      0;
  }
  const prefix = Math.clz32(~bits >>> 0);
  const expected = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return bits === expected ? prefix : null;
}

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

function isIpv4(a: string): boolean {
  return IPV4.test(a) && a.split('.').every((o) => Number(o) <= 255);
}

function isIpv6(a: string): boolean {
  return a.includes(':') && IPV6.test(a);
}

function ipv6Scope(address: string): string {
  const a = address.toLowerCase();
  if (a === '::1') return 'host';
  if (/^fe[89ab]/.test(a)) return 'link';
  return 'global';
}

function ifaceState(flags: string[], operstate: string | null): NetInterface['state'] {
  const up = flags.includes('UP');
  if (!up) return flags.length ? 'down' : 'unknown';
  if (operstate === 'UP') return 'up';
  if (operstate === 'DOWN' || operstate === 'LOWERLAYERDOWN') return 'down';
  if (flags.includes('LOWER_UP') || flags.includes('RUNNING')) return 'up';
  if (flags.includes('NO-CARRIER')) return 'down';
  return operstate === null ? 'down' : 'unknown';
}

/**
 * Parses JSON that the collector's output limit may have cut short: when the whole text does
 * not parse, keeps every array element completed before the cut and closes what was still
 * open. Null when nothing usable is left. (Shared with hardware.ts for `lsblk -J`.)
 *
 * @example
 * parseJsonPrefix('[{"ifname":"lo"},{"ifname":"et')
 * // → { value: [{ ifname: 'lo' }], truncated: true }
 */
export function parseJsonPrefix(text: string): { value: unknown; truncated: boolean } | null {
  try {
    return { value: JSON.parse(text) as unknown, truncated: false };
  } catch {
    // Fall through to recovery of the complete prefix.
  }
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  let cut = -1;
  let openAtCut: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (stack.length >= 64) return null;
      stack.push(c);
    } else if (c === '}' || c === ']') {
      if (stack.pop() !== (c === '}' ? '{' : '[')) return null;
      if (stack[stack.length - 1] === '[') {
        cut = i;
        openAtCut = [...stack];
      }
    }
  }
  if (cut < 0) return null;
  const closers = openAtCut
    .reverse()
    .map((c) => (c === '[' ? ']' : '}'))
    .join('');
  try {
    return { value: JSON.parse(text.slice(0, cut + 1) + closers) as unknown, truncated: true };
  } catch {
    return null;
  }
}

function parseJsonArray(
  text: string,
  what: string,
): { items: unknown[]; truncated: boolean } | string {
  const parsed = parseJsonPrefix(text);
  if (!parsed) return `${what}: not JSON (old iproute2, busybox ip, or an error message)`;
  if (!Array.isArray(parsed.value)) return `${what}: not a JSON array`;
  return { items: parsed.value, truncated: parsed.truncated };
}

/**
 * Parses `ip -j addr` (iproute2 ≥ 4.14). Busybox `ip` and older iproute2 have no `-j`: their
 * error text gives `unsupported`, and the collector falls back to `ifconfig -a`.
 *
 * @example
 * parseIpAddrJson('[{"ifindex":2,"ifname":"eth0","flags":["UP","LOWER_UP"],"mtu":1500,"operstate":"UP","address":"02:fc:00:00:00:01","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24}]}]').data[0]?.ipv4
 * // → [{ address: '192.0.2.2', prefixLength: 24, netmask: '255.255.255.0', broadcast: null, scope: null }]
 */
export function parseIpAddrJson(output: string): SectionResult<NetInterface[]> {
  const parsed = parseJsonArray(output, 'ip -j addr');
  if (typeof parsed === 'string') return { state: 'unsupported', data: [], warnings: [parsed] };
  const warnings = warningList();
  if (parsed.truncated) warnings.add('ip -j addr: output cut short, later entries lost');
  const data: NetInterface[] = [];
  for (const item of parsed.items) {
    if (data.length >= MAX_ITEMS) {
      warnings.add(`ip -j addr: more than ${MAX_ITEMS} interfaces, rest ignored`);
      break;
    }
    if (typeof item !== 'object' || item === null) continue;
    const link = item as Record<string, unknown>;
    const name = str(link.ifname);
    if (!name) {
      warnings.add('ip -j addr: interface without a name');
      continue;
    }
    const flags = Array.isArray(link.flags)
      ? link.flags.filter((f): f is string => typeof f === 'string').slice(0, 64)
      : [];
    const iface: NetInterface = {
      name,
      index: num(link.ifindex),
      mac: normaliseMac(str(link.address)),
      mtu: num(link.mtu),
      state: ifaceState(flags, str(link.operstate)),
      flags,
      type: str(link.link_type),
      ipv4: [],
      ipv6: [],
    };
    const infos = Array.isArray(link.addr_info) ? link.addr_info : [];
    for (const raw of infos.slice(0, MAX_ADDRESSES_PER_INTERFACE)) {
      if (typeof raw !== 'object' || raw === null) continue;
      const a = raw as Record<string, unknown>;
      const address = str(a.local);
      const prefixLength = num(a.prefixlen);
      if (!address) continue;
      if (a.family === 'inet' && isIpv4(address)) {
        iface.ipv4.push({
          address,
          prefixLength,
          netmask: prefixLength === null ? null : prefixToMask(prefixLength),
          broadcast: str(a.broadcast),
          scope: str(a.scope),
        });
      } else if (a.family === 'inet6' && isIpv6(address)) {
        iface.ipv6.push({
          address,
          prefixLength,
          netmask: null,
          broadcast: null,
          scope: str(a.scope),
        });
      }
    }
    data.push(iface);
  }
  return { state: stateOf(warnings.list()), data, warnings: warnings.list() };
}

/**
 * Parses `ip -j route` or `ip -j -6 route` (pass `family` for the latter: a `default` route
 * without a gateway does not say its family). Unreachable, blackhole and prohibit routes are
 * skipped.
 *
 * @example
 * parseIpRouteJson('[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]}]').data[0]
 * // → { family: 'inet', destination: 'default', gateway: '192.0.2.1', interface: 'eth0', metric: null, isDefault: true }
 */
export function parseIpRouteJson(
  output: string,
  family?: 'inet' | 'inet6',
): SectionResult<Route[]> {
  const parsed = parseJsonArray(output, 'ip -j route');
  if (typeof parsed === 'string') return { state: 'unsupported', data: [], warnings: [parsed] };
  const warnings = warningList();
  if (parsed.truncated) warnings.add('ip -j route: output cut short, later entries lost');
  const data: Route[] = [];
  for (const item of parsed.items) {
    if (data.length >= MAX_ITEMS) {
      warnings.add(`ip -j route: more than ${MAX_ITEMS} routes, rest ignored`);
      break;
    }
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const destination = str(r.dst);
    if (!destination) {
      warnings.add('ip -j route: route without dst');
      continue;
    }
    const type = str(r.type);
    if (type && ['unreachable', 'blackhole', 'prohibit', 'throw'].includes(type)) continue;
    const gateway = str(r.gateway);
    const inferred = family ?? ((gateway ?? destination).includes(':') ? 'inet6' : 'inet');
    data.push({
      family: inferred,
      destination,
      gateway,
      interface: str(r.dev),
      metric: num(r.metric),
      isDefault: destination === 'default' || destination === '0.0.0.0/0' || destination === '::/0',
    });
  }
  return { state: stateOf(warnings.list()), data, warnings: warnings.list() };
}

/**
 * Parses `/etc/resolv.conf`: `nameserver` (IPv4 or IPv6, zone allowed), `search` and `domain`
 * (the later of the two wins, as in resolv.conf(5)); `#` and `;` start comments.
 *
 * @example
 * parseResolvConf('nameserver 10.0.0.53\nsearch corp.example lab.example\n').data
 * // → { nameservers: ['10.0.0.53'], searchDomains: ['corp.example', 'lab.example'] }
 */
export function parseResolvConf(output: string): SectionResult<DnsConfig> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output, 2000);
  if (truncated) warnings.add('resolv.conf: truncated');
  const nameservers: string[] = [];
  let searchDomains: string[] = [];
  let recognised = 0;
  for (const raw of lines) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver') {
      recognised += 1;
      const addr = (args[0] ?? '').replace(/%.*$/, '');
      if (!isIpv4(addr) && !isIpv6(addr)) {
        warnings.add(`resolv.conf: bad nameserver: ${clip(args[0] ?? '', 80)}`);
      } else if (nameservers.length >= MAX_DNS_ENTRIES) {
        warnings.add(`resolv.conf: more than ${MAX_DNS_ENTRIES} nameservers`);
      } else if (!nameservers.includes(addr)) nameservers.push(addr);
    } else if (keyword === 'search' || keyword === 'domain') {
      recognised += 1;
      const domains = args
        .map((d) => d.toLowerCase().replace(/\.$/, ''))
        .filter((d) => /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(d));
      if (domains.length < args.length) warnings.add(`resolv.conf: bad ${keyword} domain skipped`);
      if (domains.length > MAX_DNS_ENTRIES)
        warnings.add(`resolv.conf: more than ${MAX_DNS_ENTRIES} search domains`);
      searchDomains = (keyword === 'domain' ? domains.slice(0, 1) : domains).slice(
        0,
        MAX_DNS_ENTRIES,
      );
    } else if (['options', 'sortlist', 'lookup', 'family'].includes(keyword ?? '')) {
      recognised += 1;
    } else {
      warnings.add(`resolv.conf: unknown line: ${clip(line, 80)}`);
    }
  }
  const data = { nameservers, searchDomains };
  if (recognised === 0 && lines.some((l) => l.trim() !== '' && !/^\s*[#;]/.test(l))) {
    return { state: 'unsupported', data, warnings: warnings.list() };
  }
  return { state: stateOf(warnings.list()), data, warnings: warnings.list() };
}

function emptyInterface(name: string): NetInterface {
  return {
    name,
    index: null,
    mac: null,
    mtu: null,
    state: 'unknown',
    flags: [],
    type: null,
    ipv4: [],
    ipv6: [],
  };
}

function pushAddress(list: IpAddress[], a: IpAddress): void {
  if (list.length < MAX_ADDRESSES_PER_INTERFACE) list.push(a);
}

/** Reads `key value` pairs after the keyword (`netmask 0xffffff00 broadcast 10.0.0.255`). */
function wordAfter(tokens: string[], key: string): string | null {
  const i = tokens.indexOf(key);
  return i >= 0 ? (tokens[i + 1] ?? null) : null;
}

/**
 * Parses `ifconfig -a`: FreeBSD/macOS (`em0: flags=8843<UP,…> metric 0 mtu 1500`, hex netmasks,
 * `status: active`), Linux net-tools 2.x (`eth0: flags=4163<UP,…>  mtu 1500`) and the older
 * net-tools/busybox layout (`eth0  Link encap:Ethernet  HWaddr …`, `inet addr:`). AIX and
 * Solaris layouts are recognised and answered `unsupported`.
 *
 * @example
 * parseIfconfig('em0: flags=8843<UP,BROADCAST,RUNNING> metric 0 mtu 1500\n\tether 08:00:27:aa:bb:cc\n\tinet 10.0.2.15 netmask 0xffffff00 broadcast 10.0.2.255\n').data[0]?.ipv4[0]?.prefixLength
 * // → 24
 */
export function parseIfconfig(output: string): SectionResult<NetInterface[]> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output);
  if (truncated) warnings.add('ifconfig: output truncated');
  const data: NetInterface[] = [];
  let current: NetInterface | null = null;
  let bsdStatus: string | null = null;
  const finish = (): void => {
    if (!current) return;
    if (bsdStatus !== null) {
      current.state = !current.flags.includes('UP')
        ? 'down'
        : bsdStatus === 'active'
          ? 'up'
          : 'down';
    } else current.state = ifaceState(current.flags, null);
    if (data.length < MAX_ITEMS) data.push(current);
    else warnings.add(`ifconfig: more than ${MAX_ITEMS} interfaces, rest ignored`);
    current = null;
    bsdStatus = null;
  };
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (/^\S/.test(line)) {
      finish();
      if (
        /^\S+:\s+flags=[0-9a-f]+,[0-9a-f]+</i.test(line) ||
        /^\S+:\s+flags=\S*<[^>]*\bIPv[46]\b/.test(line)
      ) {
        return {
          state: 'unsupported',
          data: [],
          warnings: ['ifconfig: AIX or Solaris layout is not supported'],
        };
      }
      const modern = /^([^\s:]+(?::\d+)?):\s+flags=[0-9a-f]+<([^>]*)>(.*)$/i.exec(line);
      const legacy = /^(\S+)\s+Link encap:(.*)$/.exec(line);
      if (modern) {
        current = emptyInterface(modern[1] as string);
        current.flags = (modern[2] as string).split(',').filter(Boolean).slice(0, 64);
        const mtu = /\bmtu\s+(\d+)/.exec(modern[3] as string);
        current.mtu = mtu ? Number(mtu[1]) : null;
      } else if (legacy) {
        current = emptyInterface(legacy[1] as string);
        current.mac = normaliseMac(/HWaddr\s+(\S+)/.exec(legacy[2] as string)?.[1]);
        current.type = /Local Loopback/.test(legacy[2] as string) ? 'loopback' : null;
      } else {
        warnings.add(`ifconfig: unreadable interface line: ${clip(line, 80)}`);
      }
      continue;
    }
    if (!current) continue;
    const iface: NetInterface = current;
    const t = line.trim().split(/\s+/);
    const head = t[0];
    if (head === 'ether' || head === 'lladdr') iface.mac = normaliseMac(t[1]);
    else if (head === 'loop') iface.type = 'loopback';
    else if (head === 'status:') bsdStatus = t.slice(1).join(' ');
    else if (head === 'inet' && !line.includes('addr:')) {
      const [addrRaw, prefixRaw] = (t[1] ?? '').split('/');
      const address = addrRaw ?? '';
      if (!isIpv4(address)) continue;
      const mask = wordAfter(t, 'netmask');
      const prefixLength =
        prefixRaw !== undefined ? Number(prefixRaw) : mask ? maskToPrefix(mask) : null;
      pushAddress(iface.ipv4, {
        address,
        prefixLength,
        netmask: prefixLength === null ? null : prefixToMask(prefixLength),
        broadcast: wordAfter(t, 'broadcast'),
        scope: null,
      });
    } else if (head === 'inet') {
      const address = (/addr:(\S+)/.exec(line)?.[1] ?? '').trim();
      const mask = /Mask:(\S+)/.exec(line)?.[1];
      const prefixLength = mask ? maskToPrefix(mask) : null;
      if (!isIpv4(address)) continue;
      pushAddress(iface.ipv4, {
        address,
        prefixLength,
        netmask: prefixLength === null ? null : prefixToMask(prefixLength),
        broadcast: /Bcast:(\S+)/.exec(line)?.[1] ?? null,
        scope: null,
      });
    } else if (head === 'inet6') {
      const legacy6 = /inet6 addr:\s*([0-9a-f:.]+)\/(\d+)/i.exec(line);
      const raw = legacy6 ? (legacy6[1] as string) : (t[1] ?? '');
      const address = raw.replace(/%.*$/, '').split('/')[0] ?? '';
      if (!isIpv6(address)) continue;
      const plen = legacy6?.[2] ?? wordAfter(t, 'prefixlen') ?? raw.split('/')[1];
      pushAddress(iface.ipv6, {
        address,
        prefixLength:
          plen !== undefined && plen !== null && /^\d+$/.test(plen) ? Number(plen) : null,
        netmask: null,
        broadcast: null,
        scope: ipv6Scope(address),
      });
    } else if (/^(UP|BROADCAST|LOOPBACK|RUNNING|MULTICAST|POINTOPOINT|NOARP)\b/.test(line.trim())) {
      // Legacy flag line: `UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1`.
      iface.flags = t.filter((w) => /^[A-Z-]+$/.test(w)).slice(0, 64);
      const mtu = /MTU:(\d+)/.exec(line);
      iface.mtu = mtu ? Number(mtu[1]) : iface.mtu;
    }
  }
  finish();
  if (data.length === 0) {
    return {
      state: 'unsupported',
      data,
      warnings: [...warnings.list(), 'ifconfig: no interfaces'],
    };
  }
  return { state: stateOf(warnings.list()), data, warnings: warnings.list() };
}

const NO_GATEWAY = /^(0\.0\.0\.0|::|\*|link#\d+|[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5})$/i;

/**
 * Parses `netstat -rn`: Linux net-tools (IPv4 table with `Genmask`, and `netstat -rn -A inet6`
 * with `Next Hop`), FreeBSD and macOS (`Internet:` / `Internet6:` sections, `Netif` column).
 * Reject (`!`) routes are skipped; `link#N` and all-zero gateways become null.
 *
 * @example
 * parseNetstatRn('Routing tables\n\nInternet:\nDestination        Gateway            Flags     Netif Expire\ndefault            10.0.2.2           UGS         em0\n').data[0]
 * // → { family: 'inet', destination: 'default', gateway: '10.0.2.2', interface: 'em0', metric: null, isDefault: true }
 */
export function parseNetstatRn(output: string): SectionResult<Route[]> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output);
  if (truncated) warnings.add('netstat: output truncated');
  const data: Route[] = [];
  let columns: string[] | null = null;
  let family: 'inet' | 'inet6' | null = null;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (/^Internet6:/.test(trimmed) || /^Kernel IPv6 routing table/.test(trimmed)) {
      family = 'inet6';
      columns = null;
      continue;
    }
    if (/^Internet:/.test(trimmed) || /^Kernel IP routing table/.test(trimmed)) {
      family = 'inet';
      columns = null;
      continue;
    }
    if (/^Destination\s/.test(trimmed)) {
      columns = trimmed.replace('Next Hop', 'Gateway').split(/\s+/);
      continue;
    }
    if (!columns || /^Routing tables/.test(trimmed)) continue;
    const t = trimmed.split(/\s+/);
    const col = (name: string): string | undefined => {
      const i = columns?.indexOf(name) ?? -1;
      return i >= 0 ? t[i] : undefined;
    };
    const dest = t[0] ?? '';
    const flags = col('Flags') ?? col('Flag') ?? '';
    if (flags.includes('!')) continue;
    const gwRaw = col('Gateway') ?? '';
    const iface = col('Iface') ?? col('Netif') ?? col('If') ?? null;
    const genmask = col('Genmask');
    const rowFamily = family ?? (dest.includes(':') || gwRaw.includes(':') ? 'inet6' : 'inet');
    let destination = dest.replace(/%\S+?(\/|$)/, '$1');
    const abbreviated = /^\d{1,3}(\.\d{1,3}){0,2}$/.exec(destination);
    if (abbreviated && rowFamily === 'inet') {
      // BSD/macOS print classful networks short: `127` is 127.0.0.0/8, `192.168.1` is /24.
      const octets = destination.split('.');
      destination = `${[...octets, '0', '0', '0'].slice(0, 4).join('.')}/${octets.length * 8}`;
    }
    if (genmask && isIpv4(dest)) {
      const prefix = maskToPrefix(genmask);
      destination = prefix === null ? dest : `${dest}/${prefix}`;
    }
    if (
      !destination ||
      (!isIpv4(destination.split('/')[0] ?? '') &&
        !isIpv6(destination.split('/')[0] ?? '') &&
        destination !== 'default')
    ) {
      warnings.add(`netstat: unreadable route: ${clip(trimmed, 80)}`);
      continue;
    }
    const isDefault = ['default', '0.0.0.0/0', '::/0'].includes(destination);
    const metric = col('Metric') ?? col('Met');
    if (data.length >= MAX_ITEMS) {
      warnings.add(`netstat: more than ${MAX_ITEMS} routes, rest ignored`);
      break;
    }
    data.push({
      family: rowFamily,
      destination: isDefault ? 'default' : destination,
      gateway: gwRaw === '' || NO_GATEWAY.test(gwRaw) ? null : gwRaw.replace(/%.*$/, ''),
      interface: iface,
      metric: metric !== undefined && /^\d+$/.test(metric) ? Number(metric) : null,
      isDefault,
    });
  }
  if (data.length === 0 && !lines.some((l) => /^\s*Destination\s/.test(l))) {
    return {
      state: 'unsupported',
      data,
      warnings: [...warnings.list(), 'netstat: no routing table header'],
    };
  }
  return { state: stateOf(warnings.list()), data, warnings: warnings.list() };
}
