// MAC addresses of on-link hosts from the OS neighbour (ARP/NDP) table, read after the sweep.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isUnusableMac, normalizeMac, OuiDatabase } from './oui.js';

/** address → MAC (canonical `aa:bb:cc:dd:ee:ff`), only complete entries with a usable MAC. */
export type NeighborTable = Map<string, string>;

function put(table: NeighborTable, address: string, rawMac: string): void {
  const mac = normalizeMac(rawMac);
  if (mac && !isUnusableMac(mac)) table.set(address, mac);
}

/** Linux /proc/net/arp (IPv4). Flags 0x0 is an incomplete entry; all-zero MACs are dropped. */
export function parseProcNetArp(text: string): NeighborTable {
  const table: NeighborTable = new Map();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const flags = parseInt(f[2]!, 16);
    // ATF_COM (0x2): the entry is complete.
    if (!(flags & 0x2)) continue;
    put(table, f[0]!, f[3]!);
  }
  return table;
}

/** Linux `ip -j neigh` (IPv4 and IPv6). FAILED, INCOMPLETE and entries without lladdr are dropped. */
export function parseIpNeighJson(text: string): NeighborTable {
  const table: NeighborTable = new Map();
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    return table;
  }
  if (!Array.isArray(rows)) return table;
  for (const r of rows as { dst?: unknown; lladdr?: unknown; state?: unknown }[]) {
    if (typeof r.dst !== 'string' || typeof r.lladdr !== 'string') continue;
    const states = Array.isArray(r.state) ? (r.state as string[]) : [];
    if (states.includes('FAILED') || states.includes('INCOMPLETE')) continue;
    put(table, r.dst, r.lladdr);
  }
  return table;
}

/** macOS / BSD `arp -an`: `? (192.0.2.1) at 0:1c:42:a:b:c on en0 …`; `(incomplete)` dropped. */
export function parseArpAn(text: string): NeighborTable {
  const table: NeighborTable = new Map();
  for (const line of text.split('\n')) {
    const m = /\(([0-9a-fA-F.:]+)\) at ([0-9a-fA-F:]+) /.exec(line);
    if (m) put(table, m[1]!, m[2]!);
  }
  return table;
}

/** Windows `arp -a`: `  192.0.2.1   00-1c-42-0a-0b-0c   dynamic`; invalid and group MACs dropped. */
export function parseWindowsArp(text: string): NeighborTable {
  const table: NeighborTable = new Map();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+([0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})\s+(\w+)/.exec(
      line,
    );
    if (m && m[3]!.toLowerCase() !== 'invalid') put(table, m[1]!, m[2]!);
  }
  return table;
}

export interface NeighborReadOptions {
  signal: AbortSignal;
  /** Limit for the `ip`/`arp` command (ms). Default 5000. */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

function run(cmd: string, args: string[], opts: NeighborReadOptions): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { signal: opts.signal, timeout: opts.timeoutMs ?? 5000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => resolve(err ? null : stdout),
    );
  });
}

/**
 * Reads the neighbour table of this machine. Linux: `ip -j neigh` (IPv4 and IPv6), falling back
 * to /proc/net/arp when iproute2 is missing; macOS/BSD: `arp -an`; Windows: `arp -a`. An
 * unreadable table is an empty one: MACs are a bonus, never a reason to fail a scan.
 */
export async function readNeighborTable(opts: NeighborReadOptions): Promise<NeighborTable> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux') {
    const json = await run('ip', ['-j', 'neigh', 'show'], opts);
    if (json !== null) return parseIpNeighJson(json);
    try {
      return parseProcNetArp(
        await readFile('/proc/net/arp', { encoding: 'utf8', signal: opts.signal }),
      );
    } catch {
      return new Map();
    }
  }
  if (platform === 'win32') {
    const out = await run('arp', ['-a'], opts);
    return out === null ? new Map() : parseWindowsArp(out);
  }
  const out = await run('arp', ['-an'], opts);
  return out === null ? new Map() : parseArpAn(out);
}

export interface MacInfo {
  mac: string;
  vendor: string | null;
}

export interface LookupMacsOptions extends NeighborReadOptions {
  /** Share one registry across calls; a new one (loaded on first MAC) by default. */
  oui?: OuiDatabase;
  /** Replaces the table read (tests). */
  readTable?: (opts: NeighborReadOptions) => Promise<NeighborTable>;
}

/**
 * MAC and vendor of each of `addresses` found in the neighbour table; hosts that are not
 * on-link (routed) or not in the table are absent from the result. Call after the sweep, whose
 * connects made the kernel resolve every on-link address. The OUI registry is loaded only when
 * at least one MAC is found.
 */
export async function lookupMacs(
  addresses: Iterable<string>,
  opts: LookupMacsOptions,
): Promise<Map<string, MacInfo>> {
  const table = await (opts.readTable ?? readNeighborTable)(opts);
  const out = new Map<string, MacInfo>();
  if (table.size === 0) return out;
  const oui = opts.oui ?? new OuiDatabase();
  for (const address of addresses) {
    const mac = table.get(address);
    if (!mac) continue;
    let vendor: string | null = null;
    try {
      vendor = await oui.vendor(mac);
    } catch {
      // Registry unreadable: keep the MAC, vendor unknown.
    }
    out.set(address, { mac, vendor });
  }
  return out;
}
