// Reading typed facts out of registry values: text, numbers and the date forms Windows stores.
import type { RegistryValue } from './remote.js';

/** Longest text kept from one registry value (a path, a description). */
export const MAX_VALUE_CHARS = 2048;

/** Registry values by name, case-insensitively as Windows treats them. */
export class ValueMap {
  readonly #byName = new Map<string, RegistryValue>();

  constructor(values: readonly RegistryValue[] = []) {
    for (const v of values) {
      const key = v.name.toLowerCase();
      if (!this.#byName.has(key)) this.#byName.set(key, v);
    }
  }

  get size(): number {
    return this.#byName.size;
  }

  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase());
  }

  /**
   * The value as trimmed text (numbers printed in decimal, the first string of a MULTI_SZ);
   * null when absent, binary or empty.
   * @example new ValueMap([{ name: 'DisplayName', type: 1, data: ' 7-Zip ' }]).text('displayname') // → '7-Zip'
   */
  text(name: string): string | null {
    const v = this.#byName.get(name.toLowerCase());
    if (!v) return null;
    let s: string | null = null;
    if (typeof v.data === 'string') s = v.data;
    else if (typeof v.data === 'number' || typeof v.data === 'bigint') s = String(v.data);
    else if (Array.isArray(v.data)) s = v.data[0] ?? null;
    if (s === null) return null;
    s = s.replace(/\0+$/, '').trim();
    if (s === '') return null;
    return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
  }

  /** The value as a non-negative integer (a DWORD, QWORD or decimal/hex text); null otherwise. */
  int(name: string): number | null {
    const v = this.#byName.get(name.toLowerCase());
    if (!v) return null;
    if (typeof v.data === 'number') return Number.isInteger(v.data) && v.data >= 0 ? v.data : null;
    if (typeof v.data === 'bigint')
      return v.data >= 0n && v.data <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.data) : null;
    if (typeof v.data === 'string') {
      const s = v.data.trim();
      if (/^\d{1,15}$/.test(s)) return Number(s);
      if (/^0x[0-9a-f]{1,12}$/i.test(s)) return parseInt(s.slice(2), 16);
    }
    return null;
  }
}

/**
 * An Uninstall entry's InstallDate (`YYYYMMDD`, sometimes `YYYY-MM-DD` or `M/D/YYYY`) as
 * `YYYY-MM-DD`; null when it is not a real date.
 * @example installDate('20230514') // → '2023-05-14'
 */
export function installDate(text: string | null): string | null {
  if (text === null) return null;
  let y: number, m: number, d: number;
  let match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim()))) {
    [m, d, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    return null;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1980 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * CurrentVersion's InstallDate: a DWORD of seconds since 1970 (UTC), as ISO 8601; null when 0.
 * @example unixSeconds(1700000000) // → '2023-11-14T22:13:20.000Z'
 */
export function unixSeconds(value: number | null): string | null {
  if (value === null || value <= 0) return null;
  return new Date(value * 1000).toISOString();
}

/**
 * A FILETIME split in two DWORDs (CBS InstallTimeHigh/Low) as ISO 8601; null when unset.
 * @example fileTime(0x01d9f2a1, 0x5e2c4a00) // → '2023-10-09T…Z'
 */
export function fileTime(high: number | null, low: number | null): string | null {
  if (high === null || low === null || (high === 0 && low === 0)) return null;
  const ticks = (BigInt(high) << 32n) | BigInt(low >>> 0);
  const ms = Number(ticks / 10_000n) - 11_644_473_600_000;
  if (!Number.isFinite(ms) || ms <= 0) return null;
  return new Date(ms).toISOString();
}

/**
 * BIOSReleaseDate (`MM/DD/YYYY`) as `YYYY-MM-DD`; other text is kept as it is.
 * @example biosDate('11/12/2020') // → '2020-11-12'
 */
export function biosDate(text: string | null): string | null {
  if (text === null) return null;
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : text;
}
