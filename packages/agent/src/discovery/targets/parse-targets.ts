// Parses target tokens (addresses, CIDRs, dash ranges, hostnames, @files) into specs, strictly.
import { ScannerError } from '../../errors.js';
import {
  IPV4_MAPPED_BASE,
  IPV4_MAX,
  clip,
  parseIpv4Detailed,
  parseIpv6Detailed,
  type ParseResult,
} from './address.js';
import { TARGET_LIMITS, type HostnameSpec, type IntervalSpec, type TargetSpec } from './spec.js';
import { fileError, readTargetFile, tooLarge } from './target-file.js';

/** Tokens are separated by commas and/or whitespace, in arguments and in @files alike. */
const SEPARATORS = /[\s,]+/;

export interface ParseTargetsOptions {
  /** Reads an @file; defaults to a capped UTF-8 read from disk (readTargetFile). */
  readFile?: (path: string) => string;
  /** False rejects @file tokens (for lists that must be self-contained, like stored scopes). */
  allowFiles?: boolean;
}

/**
 * Parses target tokens into specs. Each argument may hold several tokens separated by commas
 * or whitespace; an argument starting with `@` is a file path (the whole argument) whose lines
 * hold tokens, `#` comments and blank lines. Every malformed token is collected and reported in
 * one ERR_TARGET_INVALID naming each token (with `file:line`) and the reason.
 * @example
 * parseTargets(['10.0.0.0/24,198.18.1.10-20', 'db1.example.com', '@targets.txt'])
 */
export function parseTargets(
  tokens: readonly string[],
  opts: ParseTargetsOptions = {},
): TargetSpec[] {
  const readFile = opts.readFile ?? ((path: string) => readTargetFile(path));
  const allowFiles = opts.allowFiles ?? true;
  const specs: TargetSpec[] = [];
  const errors: string[] = [];
  let errorCount = 0;
  let tokenCount = 0;

  const fail = (message: string): void => {
    errorCount++;
    if (errors.length < TARGET_LIMITS.maxReportedErrors) errors.push(message);
  };
  const take = (token: string, source?: string): void => {
    tokenCount++;
    if (tokenCount > TARGET_LIMITS.maxTokens) {
      throw new ScannerError(
        'ERR_TARGET_INVALID',
        `more than ${TARGET_LIMITS.maxTokens.toLocaleString('en-US')} target tokens${source ? ` (at ${source})` : ''}; use CIDRs or ranges, or split the scan`,
      );
    }
    const where = source ? `${source}: ` : '';
    if (token.startsWith('@')) {
      fail(`${where}${displayToken(token)}: @file references cannot be nested`);
      return;
    }
    const r = parseTargetToken(token);
    if (r.ok) specs.push(source ? { ...r.value, source } : r.value);
    else fail(`${where}${displayToken(token)}: ${r.reason}`);
  };
  const takeFile = (token: string): void => {
    const path = token.slice(1);
    if (!allowFiles) return fail(`${displayToken(token)}: @file references are not allowed here`);
    if (path === '') return fail('"@": a file path must follow "@"');
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      throw err instanceof ScannerError ? err : fileError(path, err);
    }
    if (text.length > TARGET_LIMITS.maxFileBytes) throw tooLarge(path, TARGET_LIMITS.maxFileBytes);
    for (const [i, line] of text.split(/\r\n|\n|\r/).entries()) {
      const hash = line.indexOf('#');
      const content = hash >= 0 ? line.slice(0, hash) : line;
      for (const t of content.split(SEPARATORS)) if (t !== '') take(t, `${path}:${i + 1}`);
    }
  };

  for (const [i, arg] of tokens.entries()) {
    if (typeof arg !== 'string') {
      fail(`argument ${i + 1} is not a string`);
      continue;
    }
    const text = arg.trim();
    if (text === '') {
      fail(`argument ${i + 1} is empty`);
      continue;
    }
    if (text.startsWith('@')) {
      takeFile(text);
      continue;
    }
    const pieces = text.split(SEPARATORS).filter((t) => t !== '');
    if (pieces.length === 0) fail(`argument ${i + 1} (${displayToken(arg)}) holds no target`);
    for (const piece of pieces) {
      if (piece.startsWith('@')) takeFile(piece);
      else take(piece);
    }
  }

  if (errorCount === 1) throw new ScannerError('ERR_TARGET_INVALID', errors[0] as string);
  if (errorCount > 1) {
    const more = errorCount - errors.length;
    throw new ScannerError(
      'ERR_TARGET_INVALID',
      `${errorCount} invalid targets:\n  ${errors.join('\n  ')}${more > 0 ? `\n  …and ${more} more` : ''}`,
    );
  }
  return specs;
}

/**
 * Parses one token (no separators, no @file) into a spec, or says why it is not a target.
 * @example parseTargetToken('198.18.1.300') // { ok: false, reason: 'octet 300 is out of range (0-255)' }
 */
export function parseTargetToken(token: string): ParseResult<TargetSpec> {
  if (token === '') return no('empty target');
  if (token.length > TARGET_LIMITS.maxTokenLength) {
    return no(`is too long (${token.length} characters, at most ${TARGET_LIMITS.maxTokenLength})`);
  }
  if (/\s/.test(token)) return no('contains whitespace');
  if (/[^\x20-\x7e]/.test(token)) {
    // eslint-disable-next-line no-control-regex -- control characters are what this rejects
    return /[\x00-\x1f\x7f]/.test(token)
      ? no('contains control characters')
      : no('contains non-ASCII characters (write internationalised names in xn-- form)');
  }
  if (token.includes('/')) return parseCidr(token);
  if (token.includes(':')) {
    if (token.split(':').length === 2) {
      return no('has a single ":" (host:port is not a target; give ports with --ports)');
    }
    return token.includes('-') ? parseRange(token) : parseSingle(token, 6);
  }
  if (/^[0-9.-]+$/.test(token)) {
    return token.includes('-') ? parseRange(token) : parseSingle(token, 4);
  }
  return parseHostname(token);
}

function no(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** The token as shown in messages: bare when short printable ASCII, else quoted and clipped. */
function displayToken(token: string): string {
  return /^[\x21-\x7e]{1,80}$/.test(token) ? token : JSON.stringify(clip(token, 80));
}

function parseFamily(text: string, family: 4 | 6): ParseResult<bigint> {
  if (family === 6) return parseIpv6Detailed(text);
  const r = parseIpv4Detailed(text);
  return r.ok ? { ok: true, value: BigInt(r.value) } : r;
}

/** Builds an interval spec; IPv6 inside ::ffff:0:0/96 becomes the IPv4 it maps. */
function intervalSpec(
  kind: IntervalSpec['kind'],
  family: 4 | 6,
  first: bigint,
  last: bigint,
  token: string,
  prefix = 0,
): ParseResult<TargetSpec> {
  if (family === 6 && first >= IPV4_MAPPED_BASE && last <= IPV4_MAPPED_BASE + IPV4_MAX) {
    family = 4;
    first -= IPV4_MAPPED_BASE;
    last -= IPV4_MAPPED_BASE;
    prefix -= 96;
  }
  if (kind === 'cidr') return { ok: true, value: { kind, family, first, last, prefix, token } };
  return { ok: true, value: { kind, family, first, last, token } };
}

function parseSingle(token: string, family: 4 | 6): ParseResult<TargetSpec> {
  const r = parseFamily(token, family);
  if (!r.ok) return r;
  return intervalSpec('address', family, r.value, r.value, token);
}

function parseCidr(token: string): ParseResult<TargetSpec> {
  const slash = token.indexOf('/');
  if (token.indexOf('/', slash + 1) >= 0) return no('a CIDR has one "/"');
  const addr = token.slice(0, slash);
  const len = token.slice(slash + 1);
  if (addr === '') return no('a CIDR needs an address before "/"');
  if (addr.includes('-')) return no('a CIDR cannot also be a dash range');
  const family = addr.includes(':') ? 6 : /^[0-9.]+$/.test(addr) ? 4 : 0;
  if (family === 0) return no('a CIDR needs an IP address before "/", not a hostname');
  const bits = family === 4 ? 32 : 128;
  if (len === '') return no('a CIDR needs a prefix length after "/"');
  if (!/^[0-9]+$/.test(len)) return no(`prefix length "${clip(len)}" is not a number`);
  if (len.length > 3 || Number(len) > bits) {
    return no(`prefix length /${clip(len)} is out of range for IPv${family} (0-${bits})`);
  }
  if (len.length > 1 && len.startsWith('0')) {
    return no(`prefix length /${len} has a leading zero`);
  }
  const r = parseFamily(addr, family);
  if (!r.ok) return r;
  const prefix = Number(len);
  // Host bits set (10.0.0.9/24) mean the whole network, as nmap reads them.
  const mask = (1n << BigInt(bits - prefix)) - 1n;
  const first = r.value & ~mask;
  return intervalSpec('cidr', family, first, first | mask, token, prefix);
}

function parseRange(token: string): ParseResult<TargetSpec> {
  const parts = token.split('-');
  if (parts.length !== 2) return no('a range has exactly one "-"');
  const [a, b] = parts as [string, string];
  if (a === '') return no('a range needs a start address before "-"');
  if (b === '') return no('a range needs an end after "-"');
  const family = a.includes(':') ? 6 : 4;
  if (b.includes(':') !== (family === 6)) {
    return family === 6 && /^[0-9a-f]{1,4}$/i.test(b)
      ? no('an IPv6 range needs a full address on both sides (a::1-a::ff)')
      : no('a range cannot mix IPv4 and IPv6');
  }
  const start = parseFamily(a, family);
  if (!start.ok) return no(`range start ${clip(a)}: ${start.reason}`);
  let end: bigint;
  if (family === 4 && !b.includes('.')) {
    // Last-octet form: 198.18.1.10-20.
    if (!/^[0-9]+$/.test(b)) return no(`range end "${clip(b)}" is not an octet or an address`);
    if (b.length > 3 || Number(b) > 255) return no(`range end ${clip(b)} is out of range (0-255)`);
    if (b.length > 1 && b.startsWith('0')) {
      return no(`range end ${b} has a leading zero (ambiguous: some parsers read it as octal)`);
    }
    end = (start.value & ~255n) | BigInt(b);
    if (end < start.value) return no(`range end ${b} is below its start ${start.value & 255n}`);
  } else {
    const r = parseFamily(b, family);
    if (!r.ok) return no(`range end ${clip(b)}: ${r.reason}`);
    end = r.value;
    if (end < start.value) return no(`range end ${b} is below its start ${a}`);
  }
  return intervalSpec('range', family, start.value, end, token);
}

function parseHostname(token: string): ParseResult<HostnameSpec> {
  const name = token.endsWith('.') ? token.slice(0, -1) : token;
  if (name === '') return no('is not an address or a hostname');
  if (name.length > 253)
    return no(`a hostname has at most 253 characters, this has ${name.length}`);
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return no('a hostname has an empty label (".." or a leading ".")');
    if (label.length > 63) return no(`label ${clip(label)} is longer than 63 characters`);
    const bad = /[^A-Za-z0-9-]/.exec(label);
    if (bad) {
      return no(`"${bad[0]}" is not allowed in a hostname (letters, digits and "-" only)`);
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return no(`label ${label} starts or ends with "-"`);
    }
  }
  const lastLabel = labels[labels.length - 1] as string;
  if (/^[0-9]+$/.test(lastLabel) || /^0x[0-9a-f]*$/i.test(lastLabel)) {
    // Resolvers (inet_aton) read such names as numeric addresses: neither address nor hostname.
    return no('is neither an IPv4 address (a.b.c.d) nor a hostname (its last label is numeric)');
  }
  return { ok: true, value: { kind: 'hostname', hostname: name.toLowerCase(), token } };
}
