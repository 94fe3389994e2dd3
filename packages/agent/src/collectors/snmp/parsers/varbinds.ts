// Shared helpers for the SNMP parsers: rows of a walked table, typed values, MACs and addresses.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import { normalizeMac } from '../../../discovery/probes/oui.js';
import { formatIpv6 } from '../../../discovery/targets/address.js';
import {
  clip,
  MAX_ITEMS,
  warningList,
  type ParserState,
  type SectionResult,
} from '../../ssh/parsers/section-types.js';

export { clip, MAX_ITEMS, warningList, type ParserState, type SectionResult };

/** One conceptual row of a table: column number → varbind, keyed by the row's index arcs. */
export interface TableRow {
  /** The instance index as dotted text (`10.204.88.16`, `11048.8`). */
  index: string;
  columns: Map<number, SnmpVarbind>;
}

/** A walked table as rows, with how many varbinds did not fit (beyond the row cap or malformed). */
export interface Table {
  rows: TableRow[];
  dropped: number;
}

/**
 * Groups the varbinds under `entryOid` (a table's `…Entry`) into rows by instance index, in the
 * order first seen. Exception varbinds (null values) are skipped; at most `maxRows` rows are kept.
 * @example tableRows(vbs, '1.3.6.1.2.1.2.2.1').rows[0].columns.get(2) // → the ifDescr varbind
 */
export function tableRows(
  varbinds: readonly SnmpVarbind[],
  entryOid: string,
  maxRows = MAX_ITEMS,
): Table {
  const prefix = `${entryOid}.`;
  const byIndex = new Map<string, TableRow>();
  let dropped = 0;
  for (const vb of varbinds) {
    if (!vb.oid.startsWith(prefix) || vb.value === null) continue;
    const rest = vb.oid.slice(prefix.length);
    const dot = rest.indexOf('.');
    const column = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (dot < 0 || !Number.isInteger(column)) {
      dropped += 1;
      continue;
    }
    const index = rest.slice(dot + 1);
    let row = byIndex.get(index);
    if (row === undefined) {
      if (byIndex.size >= maxRows) {
        dropped += 1;
        continue;
      }
      row = { index, columns: new Map() };
      byIndex.set(index, row);
    }
    row.columns.set(column, vb);
  }
  return { rows: [...byIndex.values()], dropped };
}

/** The varbind of a scalar (`oid` without `.0`), or undefined when absent or an exception. */
export function scalar(varbinds: readonly SnmpVarbind[], oid: string): SnmpVarbind | undefined {
  const want = `${oid}.0`;
  return varbinds.find((v) => v.oid === want && v.value !== null);
}

/** Whether any usable varbind lies under `root`. */
export function answered(varbinds: readonly SnmpVarbind[], root: string): boolean {
  const prefix = `${root}.`;
  return varbinds.some((v) => v.value !== null && v.oid.startsWith(prefix));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An OctetString as display text: UTF-8 (Latin-1 when not valid UTF-8), trailing NULs and
 * whitespace removed, control characters other than line breaks made spaces, clipped. Numbers
 * and OIDs as written. Null for exceptions.
 * @example text({ oid: 'x', type: 'OctetString', value: Buffer.from('Gi1/0/8\0') }) // → 'Gi1/0/8'
 */
export function text(vb: SnmpVarbind | undefined): string | null {
  if (vb === undefined || vb.value === null) return null;
  let s: string;
  if (Buffer.isBuffer(vb.value)) {
    try {
      s = UTF8.decode(vb.value);
    } catch {
      s = vb.value.toString('latin1');
    }
  } else {
    s = String(vb.value);
  }
  s = s
    .replace(/\0+$/, '')
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x09\x0b-\x1f\x7f]/g, ' ')
    .trim();
  return clip(s);
}

/** Like `text` but null for empty strings. */
export function nonEmpty(vb: SnmpVarbind | undefined): string | null {
  const s = text(vb);
  return s === null || s === '' ? null : s;
}

/** A numeric value (Integer, Counter, Gauge, TimeTicks, Counter64) as a number; null otherwise. */
export function num(vb: SnmpVarbind | undefined): number | null {
  if (vb === undefined) return null;
  if (typeof vb.value === 'number' && Number.isFinite(vb.value)) return vb.value;
  if (typeof vb.value === 'bigint') return Number(vb.value);
  return null;
}

/** An OID value as dotted text without a leading dot; null for other types. */
export function oidValue(vb: SnmpVarbind | undefined): string | null {
  if (vb === undefined || typeof vb.value !== 'string' || vb.type !== 'OID') return null;
  return vb.value.replace(/^\./, '');
}

/** Bytes of an OctetString (or of IpAddress text); null for other types. */
export function bytes(vb: SnmpVarbind | undefined): Buffer | null {
  if (vb === undefined) return null;
  if (Buffer.isBuffer(vb.value)) return vb.value;
  return null;
}

/**
 * A MAC from a PhysAddress / MacAddress value: six raw bytes, or the text forms some agents
 * return (`00:1b:2c:…`, `001b.2c…`). Null for empty, all-zero or malformed values.
 */
export function macFrom(vb: SnmpVarbind | undefined): string | null {
  const b = bytes(vb);
  if (b === null) return null;
  if (b.length === 6) return macFromBytes(b);
  return normalizeMac(b.toString('latin1').trim());
}

/** Six bytes as `aa:bb:cc:dd:ee:ff`; null when not six bytes or all zero. */
export function macFromBytes(b: Uint8Array | readonly number[]): string | null {
  if (b.length !== 6) return null;
  const mac = [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
  return mac === '00:00:00:00:00:00' ? null : mac;
}

/** Index arcs as numbers (`'10.204.88.16'` → `[10, 204, 88, 16]`); NaN-free or null. */
export function arcs(index: string): number[] | null {
  if (index === '') return [];
  const out = index.split('.').map(Number);
  return out.every((n) => Number.isInteger(n) && n >= 0) ? out : null;
}

/** Four or sixteen address bytes as text (IPv6 in RFC 5952 form); null otherwise. */
export function ipFromBytes(b: readonly number[]): string | null {
  if (b.some((x) => x > 255)) return null;
  if (b.length === 4) return b.join('.');
  if (b.length !== 16) return null;
  return formatIpv6(b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n));
}

/**
 * An InetAddress in a table index (`type.length.bytes…`, RFC 4001) starting at `at`: the
 * address text, its family and how many arcs it used. IPv4z/IPv6z zone bytes are dropped.
 */
export function inetFromIndex(
  parts: readonly number[],
  at = 0,
): { address: string; family: 'ipv4' | 'ipv6'; used: number } | null {
  const type = parts[at];
  const len = parts[at + 1];
  if (type === undefined || len === undefined) return null;
  const raw = parts.slice(at + 2, at + 2 + len);
  if (raw.length !== len) return null;
  const family = type === 1 || type === 3 ? 'ipv4' : type === 2 || type === 4 ? 'ipv6' : null;
  if (family === null) return null;
  const addrLen = family === 'ipv4' ? 4 : 16;
  const address = ipFromBytes(raw.slice(0, addrLen));
  return address === null ? null : { address, family, used: 2 + len };
}

/** The result of a parser that found nothing of its MIB: `unsupported` with the reason. */
export function notAnswered<T>(data: T, what: string): SectionResult<T> {
  return { state: 'unsupported', data, warnings: [`${what} not answered`] };
}

/** `partial` when rows were dropped or warnings were raised, else `complete`. */
export function stateOf(dropped: number, warnings: string[]): ParserState {
  return dropped > 0 || warnings.length > 0 ? 'partial' : 'complete';
}
