// Reading typed values out of CimObjects whichever path delivered them: WMI gives typed values,
// WinRM gives text where the schema does not say otherwise, and one-element arrays as scalars.
import type { CimObject, CimScalar } from '../../transports/wmio/cim-object.js';
import { parseDmtfDatetime } from '../../transports/wmio/cim-object.js';
import { MAX_VALUE_CHARS } from './values.js';

function raw(o: CimObject | null | undefined, name: string): CimScalar | CimScalar[] | null {
  if (!o) return null;
  const p = o.properties[name];
  return p ? p.value : null;
}

function scalarText(v: CimScalar): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'dmtf' in v) return v.dmtf;
  return null;
}

/**
 * The property as trimmed text (numbers in decimal); null when NULL, absent, empty or an object.
 * @example cimText({ className: 'X', properties: { Name: { cimType: 'string', isArray: false, value: ' a ' } } }, 'Name') // → 'a'
 */
export function cimText(o: CimObject | null | undefined, name: string): string | null {
  let v = raw(o, name);
  if (Array.isArray(v)) v = v[0] ?? null;
  if (v === null) return null;
  const s = scalarText(v)?.trim() ?? '';
  if (s === '') return null;
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
}

/** The property as a safe integer (a number or decimal text, sint64/uint64 included); else null. */
export function cimInt(o: CimObject | null | undefined, name: string): number | null {
  let v = raw(o, name);
  if (Array.isArray(v)) v = v[0] ?? null;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** The property as a boolean (WMI's boolean, WinRM's `true`/`false` text); else null. */
export function cimBool(o: CimObject | null | undefined, name: string): boolean | null {
  let v = raw(o, name);
  if (Array.isArray(v)) v = v[0] ?? null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  return null;
}

/** An array property as non-empty strings (a scalar counts as one element; NULL as none). */
export function cimTexts(o: CimObject | null | undefined, name: string): string[] {
  const v = raw(o, name);
  if (v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    const s = scalarText(x)?.trim() ?? '';
    if (s !== '') out.push(s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s);
  }
  return out;
}

/** A datetime property as ISO 8601 UTC; null when NULL, an interval or not a valid time. */
export function cimIso(o: CimObject | null | undefined, name: string): string | null {
  let v = raw(o, name);
  if (Array.isArray(v)) v = v[0] ?? null;
  if (v === null) return null;
  if (typeof v === 'object' && 'dmtf' in v) return v.date ? v.date.toISOString() : null;
  if (typeof v === 'string') {
    const d = parseDmtfDatetime(v.trim()).date;
    return d ? d.toISOString() : null;
  }
  return null;
}

/** A WMI object path, or a WinRM reference (`ResourceURI?Key=Value&…`), as class and keys. */
export interface CimRef {
  className: string;
  keys: Record<string, string>;
}

/**
 * Parses a reference property: `\\HOST\root\cimv2:Win32_Group.Domain="HOST",Name="Users"` (WMI)
 * or `http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Group?Domain=HOST&Name=Users`
 * (WinRM). Key names are kept as written; null when it is neither.
 * @example parseCimRef('Win32_LogonSession.LogonId="999"') // → { className: 'Win32_LogonSession', keys: { LogonId: '999' } }
 */
export function parseCimRef(text: string | null): CimRef | null {
  if (text === null) return null;
  const t = text.trim();
  const uri = /^https?:\/\/[^?]*\/(\w+)(?:\?(.*))?$/.exec(t);
  if (uri) {
    const keys: Record<string, string> = {};
    for (const part of (uri[2] ?? '').split('&')) {
      const at = part.indexOf('=');
      if (at > 0) keys[part.slice(0, at)] = part.slice(at + 1);
    }
    return { className: uri[1]!, keys };
  }
  const path = /^(?:\\\\[^\\]*\\[^:]*:)?(\w+)(?:\.(.*)|=@)?$/s.exec(t);
  if (!path) return null;
  const keys: Record<string, string> = {};
  const body = path[2] ?? '';
  // Key=value pairs; values are "quoted" (\" and \\ escaped) or bare numbers.
  const re = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,]*))(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let guard = 0;
  while (re.lastIndex < body.length && (m = re.exec(body)) !== null && guard++ < 64) {
    keys[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { className: path[1]!, keys };
}

/** A key of a parsed reference, matched case-insensitively (WMI key names are). */
export function refKey(ref: CimRef | null, name: string): string | null {
  if (!ref) return null;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(ref.keys)) if (k.toLowerCase() === lower) return v;
  return null;
}
