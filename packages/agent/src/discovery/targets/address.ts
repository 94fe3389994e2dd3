// Pure IPv4/IPv6 address helpers: strict parsing with reasons, RFC 5952 formatting, ordering.
import { ScannerError } from '../../errors.js';

/** A parse outcome that says why when it fails, so callers can name the token and the reason. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An address as a number: IPv4 in 0..2^32-1, IPv6 in 0..2^128-1. */
export interface NumericAddress {
  family: 4 | 6;
  value: bigint;
}

export const IPV4_MAX = (1n << 32n) - 1n;
export const IPV6_MAX = (1n << 128n) - 1n;
/** ::ffff:0:0, the start of the IPv4-mapped block (::ffff:0:0/96). */
export const IPV4_MAPPED_BASE = 0xffffn << 32n;

/**
 * Shortens a fragment of user input for a message (hostile input can be very long).
 * @example clip('x'.repeat(100), 3) // 'xxx…'
 */
export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Parses a dotted-quad IPv4 address strictly: four decimal octets 0-255, no leading zeros (they
 * are octal to inet_aton, so `010.1.1.1` is ambiguous), no shorthand forms like `127.1`.
 * @example parseIpv4Detailed('1.2.3') // { ok: false, reason: 'an IPv4 address has 4 octets, found 3' }
 */
export function parseIpv4Detailed(text: string): ParseResult<number> {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return { ok: false, reason: `an IPv4 address has 4 octets, found ${parts.length}` };
  }
  let value = 0;
  for (const [i, part] of parts.entries()) {
    if (part === '') return { ok: false, reason: `octet ${i + 1} is empty` };
    if (!/^[0-9]+$/.test(part)) {
      return { ok: false, reason: `octet "${clip(part)}" is not a decimal number` };
    }
    if (part.length > 3 || Number(part) > 255) {
      return { ok: false, reason: `octet ${clip(part)} is out of range (0-255)` };
    }
    if (part.length > 1 && part.startsWith('0')) {
      return {
        ok: false,
        reason: `octet ${part} has a leading zero (ambiguous: some parsers read it as octal)`,
      };
    }
    value = value * 256 + Number(part);
  }
  return { ok: true, value };
}

/**
 * Parses an IPv6 address (RFC 4291 text forms: full, `::`-compressed, trailing dotted IPv4).
 * Zone ids (`fe80::1%eth0`) are rejected: a target carries no interface.
 * @example parseIpv6Detailed('::1') // { ok: true, value: 1n }
 */
export function parseIpv6Detailed(text: string): ParseResult<bigint> {
  const zone = text.indexOf('%');
  if (zone >= 0) {
    return {
      ok: false,
      reason: `IPv6 zone ids (${clip(text.slice(zone))}) are not supported; give the address without the zone`,
    };
  }
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) {
    return { ok: false, reason: 'an IPv6 address has only hex digits, ":" and "."' };
  }
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) {
    return { ok: false, reason: 'an IPv6 address has at most one "::"' };
  }
  const headText = gap >= 0 ? text.slice(0, gap) : text;
  const tailText = gap >= 0 ? text.slice(gap + 2) : '';
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const all = [...head, ...tail];
  if (all.some((g) => g === '')) {
    return { ok: false, reason: 'an IPv6 address has an empty group (a stray ":")' };
  }
  const groups: number[] = [];
  for (const [i, group] of all.entries()) {
    if (group.includes('.')) {
      if (i !== all.length - 1 || !text.endsWith(group)) {
        return { ok: false, reason: 'an embedded IPv4 address must come last' };
      }
      const v4 = parseIpv4Detailed(group);
      if (!v4.ok) return { ok: false, reason: `embedded IPv4 ${clip(group)}: ${v4.reason}` };
      groups.push(Math.floor(v4.value / 65536), v4.value % 65536);
      continue;
    }
    if (group.length > 4) {
      return { ok: false, reason: `group ${clip(group)} has more than 4 hex digits` };
    }
    groups.push(parseInt(group, 16));
  }
  if (gap < 0 && groups.length !== 8) {
    return { ok: false, reason: `an IPv6 address has 8 groups, found ${groups.length}` };
  }
  if (gap >= 0 && groups.length > 7) {
    return { ok: false, reason: 'an IPv6 address with "::" has at most 7 other groups' };
  }
  const headCount = gap >= 0 ? groups.length - tailGroupCount(tail) : groups.length;
  const full = [
    ...groups.slice(0, headCount),
    ...new Array<number>(8 - groups.length).fill(0),
    ...groups.slice(headCount),
  ];
  let value = 0n;
  for (const g of full) value = (value << 16n) | BigInt(g);
  return { ok: true, value };
}

function tailGroupCount(tail: string[]): number {
  return tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
}

/**
 * True when `text` is a strict dotted-quad IPv4 address.
 * @example isIpv4('192.0.2.1') // true; isIpv4('010.0.0.1') // false (leading zero)
 */
export function isIpv4(text: string): boolean {
  return parseIpv4Detailed(text).ok;
}

/**
 * True when `text` is an IPv6 address without a zone id.
 * @example isIpv6('2001:db8::1') // true; isIpv6('fe80::1%eth0') // false
 */
export function isIpv6(text: string): boolean {
  return parseIpv6Detailed(text).ok;
}

/**
 * Converts a dotted-quad IPv4 address to an unsigned 32-bit number; ERR_TARGET_INVALID otherwise.
 * @example ipv4ToNumber('192.0.2.1') // 3221225985
 */
export function ipv4ToNumber(text: string): number {
  const r = parseIpv4Detailed(text);
  if (!r.ok) throw new ScannerError('ERR_TARGET_INVALID', `${clip(text)}: ${r.reason}`);
  return r.value;
}

/**
 * Formats an unsigned 32-bit number as a dotted quad; RangeError outside 0..2^32-1.
 * @example numberToIpv4(3221225985) // '192.0.2.1'
 */
export function numberToIpv4(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${value} is not an IPv4 address number (0..4294967295)`);
  }
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * Parses an IPv6 address to a 128-bit bigint; ERR_TARGET_INVALID otherwise.
 * @example parseIpv6('2001:db8::1') // 0x20010db8000000000000000000000001n
 */
export function parseIpv6(text: string): bigint {
  const r = parseIpv6Detailed(text);
  if (!r.ok) throw new ScannerError('ERR_TARGET_INVALID', `${clip(text)}: ${r.reason}`);
  return r.value;
}

/**
 * Formats a 128-bit value in RFC 5952 canonical text: lower case, no leading zeros, the longest
 * run of two or more zero groups (the first on a tie) as `::`, and `::ffff:a.b.c.d` for
 * IPv4-mapped addresses (RFC 5952 section 5). RangeError outside 0..2^128-1.
 * @example formatIpv6(parseIpv6('2001:0DB8:0:0:1:0:0:1')) // '2001:db8::1:0:0:1'
 */
export function formatIpv6(value: bigint): string {
  if (value < 0n || value > IPV6_MAX) {
    throw new RangeError(`${value} is not an IPv6 address number (0..2^128-1)`);
  }
  if (value >> 32n === 0xffffn) return `::ffff:${numberToIpv4(Number(value & IPV4_MAX))}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Parses either family. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) come back as IPv4: a
 * connection to one is IPv4 traffic, so scope and exclusion checks must treat them alike.
 * @example parseAddressDetailed('::ffff:192.0.2.1') // { ok: true, value: { family: 4, value: 3221225985n } }
 */
export function parseAddressDetailed(text: string): ParseResult<NumericAddress> {
  if (text.includes(':')) {
    const r = parseIpv6Detailed(text);
    if (!r.ok) return r;
    return { ok: true, value: normalizeMapped({ family: 6, value: r.value }) };
  }
  const r = parseIpv4Detailed(text);
  if (!r.ok) return r;
  return { ok: true, value: { family: 4, value: BigInt(r.value) } };
}

/**
 * Parses an address of either family (mapped IPv6 becomes IPv4); ERR_TARGET_INVALID otherwise.
 * @example parseAddress('2001:db8::1') // { family: 6, value: 0x20010db8000000000000000000000001n }
 */
export function parseAddress(text: string): NumericAddress {
  const r = parseAddressDetailed(text);
  if (!r.ok) throw new ScannerError('ERR_TARGET_INVALID', `${clip(text)}: ${r.reason}`);
  return r.value;
}

/**
 * Formats a numeric address in canonical text (dotted quad, or RFC 5952 for IPv6).
 * @example formatAddress({ family: 4, value: 167772161n }) // '10.0.0.1'
 */
export function formatAddress(address: NumericAddress): string {
  return address.family === 4 ? numberToIpv4(Number(address.value)) : formatIpv6(address.value);
}

/**
 * Maps an IPv6 value inside ::ffff:0:0/96 to its IPv4 address; anything else is unchanged.
 * @example normalizeMapped({ family: 6, value: 0xffff0a000001n }) // { family: 4, value: 0x0a000001n }
 */
export function normalizeMapped(address: NumericAddress): NumericAddress {
  if (address.family === 6 && address.value >> 32n === 0xffffn) {
    return { family: 4, value: address.value & IPV4_MAX };
  }
  return address;
}

/**
 * Orders two addresses: every IPv4 address before every IPv6 one, then numerically. Usable as
 * an `Array.prototype.sort` comparator; ERR_TARGET_INVALID when either is not an address.
 * @example ['10.0.0.10', '::1', '10.0.0.9'].sort(compareAddresses) // ['10.0.0.9', '10.0.0.10', '::1']
 */
export function compareAddresses(a: string, b: string): number {
  const x = parseAddress(a);
  const y = parseAddress(b);
  if (x.family !== y.family) return x.family - y.family;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}
