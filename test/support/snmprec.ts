// Reads snmpsim recordings (.snmprec, .snmprec.gz) into SnmpVarbind[] and replays them as a walker.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SnmpWalker, SnmpWalkResult } from '../../packages/agent/src/collectors/snmp/index.js';
import type { ScannerError } from '../../packages/agent/src/errors.js';
import { abortError } from '../../packages/agent/src/transports/safe-errors.js';
import type { SnmpVarbind } from '../../packages/agent/src/transports/snmp/snmp-session.js';

/**
 * snmpsim's tag numbers (the sum of the BER tag's class, format and id, see
 * snmpsim/grammar/snmprec.py) mapped to the type names net-snmp gives and the transport keeps.
 */
const TAGS: Record<string, string> = {
  '2': 'Integer',
  '4': 'OctetString',
  '5': 'Null',
  '6': 'OID',
  '64': 'IpAddress',
  '65': 'Counter',
  '66': 'Gauge',
  '67': 'TimeTicks',
  '68': 'Opaque',
  '70': 'Counter64',
  '128': 'NoSuchObject',
  '129': 'NoSuchInstance',
  '130': 'EndOfMibView',
};

/** Python string escapes as snmpsim's `e` encoding writes them (record/snmprec.py). */
const ESCAPES: Record<string, number> = {
  '\\': 92,
  "'": 39,
  '"': 34,
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
};

function unescapePython(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'latin1'));
      continue;
    }
    const n = text[i + 1] ?? '';
    if (n === 'x') {
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n in ESCAPES) {
      out.push(ESCAPES[n] as number);
      i += 1;
    } else {
      throw new Error(`unknown escape \\${n}`);
    }
  }
  return Buffer.from(out);
}

function decodeBytes(value: string, encoding: string | undefined): Buffer {
  if (encoding === 'x') return Buffer.from(value, 'hex');
  if (encoding === 'e') return unescapePython(value);
  return Buffer.from(value, 'utf8');
}

/**
 * Converts one `oid|tag|value` line to the varbind the transport would return (toVarbind in
 * snmp-session.ts): OctetString/Opaque as Buffer, Counter64 as bigint, OID and IpAddress as
 * dotted strings, other numbers as numbers, exceptions and Null as null. Throws on lines with a
 * snmpsim variation module (`2:numeric`), which describe behaviour rather than a recorded value.
 */
export function parseSnmprecLine(line: string): SnmpVarbind {
  const first = line.indexOf('|');
  const second = line.indexOf('|', first + 1);
  if (first <= 0 || second < 0) throw new Error(`broken snmprec record: ${line.slice(0, 80)}`);
  const oid = line.slice(0, first);
  const rawTag = line.slice(first + 1, second);
  const value = line.slice(second + 1);
  const m = /^(\d+)([xe])?$/.exec(rawTag);
  if (!m) throw new Error(`unsupported snmprec tag ${rawTag} at ${oid}`);
  const type = TAGS[m[1] as string];
  if (!type) throw new Error(`unknown snmprec tag ${rawTag} at ${oid}`);
  const enc = m[2];
  switch (type) {
    case 'OctetString':
    case 'Opaque':
      return { oid, type, value: decodeBytes(value, enc) };
    case 'IpAddress': {
      const bytes = enc ? decodeBytes(value, enc) : null;
      return { oid, type, value: bytes ? [...bytes].join('.') : value };
    }
    case 'OID':
      return { oid, type, value };
    case 'Counter64':
      return { oid, type, value: BigInt(value) };
    case 'Null':
    case 'NoSuchObject':
    case 'NoSuchInstance':
    case 'EndOfMibView':
      return { oid, type, value: null };
    default:
      return { oid, type, value: Number(value) };
  }
}

/** Parses a whole recording; blank lines and `#` comments are skipped. */
export function parseSnmprec(text: string): SnmpVarbind[] {
  const out: SnmpVarbind[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    out.push(parseSnmprecLine(line));
  }
  return out;
}

/** Reads a `.snmprec` or `.snmprec.gz` file (gzip detected by its magic bytes). */
export function readSnmprec(path: string | URL): SnmpVarbind[] {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseSnmprec(bytes.toString('latin1'));
}

/** Compares dotted OIDs arc by arc, as an agent orders them for GETNEXT. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export interface FakeWalkerOptions {
  /** Subtrees that fail instead of answering, with the error to return (after `partialCount` varbinds). */
  failures?: Record<string, { error: ScannerError; partialCount?: number }>;
  /** Every walk and get call, in order, for assertions on what was asked. */
  calls?: string[];
}

/**
 * A walker over recorded varbinds: `walk` returns the subtree in OID order (cut at
 * `maxVarbinds` with `truncated`), `get` returns each OID's value or NoSuchObject. Both honour
 * an aborted signal like the transport (reject with ERR_ABORTED).
 */
export function fakeWalker(
  varbinds: readonly SnmpVarbind[],
  opts: FakeWalkerOptions = {},
): SnmpWalker {
  const sorted = [...varbinds].sort((a, b) => compareOids(a.oid, b.oid));
  const byOid = new Map(sorted.map((v) => [v.oid, v]));
  const aborted = (signal: AbortSignal, what: string): ScannerError | null =>
    signal.aborted ? abortError(signal, what) : null;
  return {
    get(oids, { signal }): Promise<SnmpVarbind[]> {
      opts.calls?.push(`get ${oids.join(',')}`);
      const err = aborted(signal, 'snmp get');
      if (err) return Promise.reject(err);
      return Promise.resolve(
        oids.map((oid) => byOid.get(oid) ?? { oid, type: 'NoSuchObject', value: null }),
      );
    },
    walk(root, { signal, maxVarbinds }): Promise<SnmpWalkResult> {
      opts.calls?.push(`walk ${root}`);
      const err = aborted(signal, 'snmp walk');
      if (err) return Promise.reject(err);
      const prefix = `${root}.`;
      const inTree = sorted.filter(
        (v) => v.oid.startsWith(prefix) && v.value !== null && v.type !== 'EndOfMibView',
      );
      const failure = opts.failures?.[root];
      if (failure) {
        return Promise.resolve({
          varbinds: inTree.slice(0, failure.partialCount ?? 0),
          truncated: false,
          error: failure.error,
        });
      }
      const max = maxVarbinds ?? Infinity;
      return Promise.resolve({
        varbinds: inTree.slice(0, max),
        truncated: inTree.length > max,
        error: null,
      });
    },
  };
}

/**
 * The recording's lines as written, by OID, for tests that check parsed values against the file
 * independently of the parsers: `text()` decodes `x` values as UTF-8, else returns them as is.
 */
export function rawRecording(path: string | URL): {
  oids: string[];
  tag(oid: string): string | undefined;
  text(oid: string): string | undefined;
  /** The value as written when the tag says hex (`4x`, `64x`), else undefined. */
  hex(oid: string): string | undefined;
  under(prefix: string): string[];
} {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const lines = new Map<string, [string, string]>();
  for (const line of bytes.toString('latin1').split('\n')) {
    const [oid, tag, ...rest] = line.split('|');
    if (oid && tag) lines.set(oid, [tag, rest.join('|')]);
  }
  return {
    oids: [...lines.keys()],
    tag: (oid) => lines.get(oid)?.[0],
    text(oid) {
      const l = lines.get(oid);
      if (!l) return undefined;
      return l[0].endsWith('x') ? Buffer.from(l[1], 'hex').toString('utf8') : l[1];
    },
    hex(oid) {
      const l = lines.get(oid);
      return l && l[0].endsWith('x') ? l[1] : undefined;
    },
    under: (prefix) => [...lines.keys()].filter((o) => o.startsWith(`${prefix}.`)),
  };
}

/** System-group varbinds for a constructed device (vendor and classification tests). */
export function systemVarbinds(
  sysDescr: string,
  sysObjectId: string,
  sysServices?: number,
): SnmpVarbind[] {
  const out: SnmpVarbind[] = [
    { oid: '1.3.6.1.2.1.1.1.0', type: 'OctetString', value: Buffer.from(sysDescr) },
    { oid: '1.3.6.1.2.1.1.2.0', type: 'OID', value: sysObjectId },
  ];
  if (sysServices !== undefined)
    out.push({ oid: '1.3.6.1.2.1.1.7.0', type: 'Integer', value: sysServices });
  return out;
}

/** An OctetString varbind. */
export function octets(oid: string, text: string): SnmpVarbind {
  return { oid, type: 'OctetString', value: Buffer.from(text) };
}
