// The CIM object shape both Windows paths produce (WMI over DCOM via MS-WMIO, WinRM via WS-Man XML).

/** CIM scalar types by their MOF names. */
export type CimType =
  | 'sint8'
  | 'uint8'
  | 'sint16'
  | 'uint16'
  | 'sint32'
  | 'uint32'
  | 'sint64'
  | 'uint64'
  | 'real32'
  | 'real64'
  | 'boolean'
  | 'string'
  | 'datetime'
  | 'reference'
  | 'char16'
  | 'object';

/** A CIM datetime: the DMTF text as sent, and the instant when it is a valid timestamp. */
export interface CimDatetime {
  dmtf: string;
  /** null for intervals (`ddddddddHHMMSS.mmmmmm:000`), wildcards (`*`) and invalid text. */
  date: Date | null;
}

/**
 * One value. 8-, 16- and 32-bit integers and reals are numbers; sint64/uint64 are decimal
 * strings (exact, and JSON-safe, and what WS-Man sends anyway); char16 is a one-character
 * string; reference is the object path text; object is an embedded CimObject.
 */
export type CimScalar = number | string | boolean | CimDatetime | CimObject;

export interface CimProperty {
  cimType: CimType;
  isArray: boolean;
  /** null when the property is NULL; an array when isArray. */
  value: CimScalar | CimScalar[] | null;
}

/** A CIM instance (or a class, whose property values are its defaults). */
export interface CimObject {
  className: string;
  properties: Record<string, CimProperty>;
}

const DMTF_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/;

/**
 * Parses a DMTF datetime (`yyyymmddHHMMSS.mmmmmmsUUU`, UUU the UTC offset in minutes).
 * Intervals, asterisk wildcards and out-of-range fields give `date: null`.
 */
export function parseDmtfDatetime(text: string): CimDatetime {
  const m = DMTF_TIMESTAMP.exec(text);
  if (!m) return { dmtf: text, date: null };
  const [, y, mo, d, h, mi, s, us, sign, off] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return { dmtf: text, date: null };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return { dmtf: text, date: null };
  const utc = Date.UTC(
    Number(y),
    month - 1,
    day,
    Number(h),
    Number(mi),
    Number(s),
    Number(us) / 1000,
  );
  const date = new Date(utc - (sign === '-' ? -1 : 1) * Number(off) * 60_000);
  // Date.UTC rolls 31 February over into March: refuse what does not round-trip.
  if (new Date(utc).getUTCDate() !== day) return { dmtf: text, date: null };
  return { dmtf: text, date };
}

/** A datetime from an ISO 8601 / xs:dateTime text (WS-Man's cim:Datetime), as DMTF + Date. */
export function datetimeFromIso(text: string): CimDatetime {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(t)) return { dmtf: text, date: null };
  const date = new Date(t);
  const off = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offMin = off ? (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) : 0;
  const local = new Date(t + offMin * 60_000);
  const frac = /\.(\d{1,6})/.exec(text)?.[1] ?? '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const dmtf =
    `${p(local.getUTCFullYear(), 4)}${p(local.getUTCMonth() + 1)}${p(local.getUTCDate())}` +
    `${p(local.getUTCHours())}${p(local.getUTCMinutes())}${p(local.getUTCSeconds())}` +
    `.${frac.padEnd(6, '0')}${offMin < 0 ? '-' : '+'}${p(Math.abs(offMin), 3)}`;
  return { dmtf, date };
}
