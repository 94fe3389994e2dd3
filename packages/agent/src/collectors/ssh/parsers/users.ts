// User parsers: passwd + login.defs UID range → non-system users, with groups and last login.
import { clip, MAX_ITEMS, splitLines, warningList, type SectionResult } from './section-types.js';

/**
 * A non-system account: UID at or above login.defs' `UID_MIN`. UIDs above `UID_MAX` are kept
 * (directory users from SSSD/LDAP live there); only the overflow ids (`nobody`) are dropped.
 */
export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  /** GECOS full-name part (before the first comma), or null. */
  fullName: string | null;
  home: string;
  shell: string;
  /** False when the shell refuses logins (`nologin`, `false`, `sync`…); true otherwise. */
  interactiveShell: boolean;
  /** Primary group first, then supplementary groups; empty when no group data was captured. */
  groups: string[];
  /** Last login, ISO 8601 UTC; null when never logged in or unknown. */
  lastLoginAt: string | null;
  /** Terminal and remote host of the last login, when lastlog shows them. */
  lastLoginTty: string | null;
  lastLoginFrom: string | null;
}

/** Every account, including directory (LDAP/NIS/SSSD) ones where enumeration is allowed. */
export const PASSWD_COMMAND = 'getent passwd 2>/dev/null || cat /etc/passwd';
/** Every group with its members; membership is computed here rather than with `id -Gn` per user. */
export const GROUP_COMMAND = 'getent group 2>/dev/null || cat /etc/group';
/** The non-system UID range; missing file (Alpine, BSD) means the defaults below. */
export const LOGIN_DEFS_COMMAND = "grep -E '^[[:space:]]*UID_(MIN|MAX)[[:space:]]' /etc/login.defs";
/** Last login per user; `lastlog2` on distributions that dropped `/var/log/lastlog`. */
export const LASTLOG_COMMAND = 'LC_ALL=C lastlog 2>/dev/null || LC_ALL=C lastlog2 2>/dev/null';

/** Defaults of shadow-utils when login.defs says nothing. */
export const DEFAULT_UID_RANGE = { min: 1000, max: 60000 } as const;

/** Inputs to {@link parseUsers}; only `passwd` is required. */
export interface UsersInput {
  passwd: string;
  loginDefs?: string;
  group?: string;
  lastlog?: string;
}

/** `nobody`/`nfsnobody` and the 16/32-bit "no uid" values are never people. */
const OVERFLOW_UIDS = new Set([65534, 65535, 4294967294, 4294967295]);

const NO_LOGIN_SHELL = /(^|\/)(nologin|false|sync|shutdown|halt)$/;

/**
 * Reads `UID_MIN`/`UID_MAX` from login.defs text, falling back to {@link DEFAULT_UID_RANGE}.
 * @example parseUidRange('UID_MIN 500\nUID_MAX 60000') // → { min: 500, max: 60000 }
 */
export function parseUidRange(text: string | undefined): { min: number; max: number } {
  const range: { min: number; max: number } = { ...DEFAULT_UID_RANGE };
  for (const line of splitLines(text ?? '', 2000).lines) {
    const m = /^\s*UID_(MIN|MAX)\s+(\d+)\s*(#.*)?$/.exec(line);
    if (m === null) continue;
    if (m[1] === 'MIN') range.min = Number(m[2]);
    else range.max = Number(m[2]);
  }
  return range;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue Nov 14 10:12:33 +0000 2023` (lastlog, C locale) → ISO 8601 UTC. */
const LASTLOG_DATE =
  /\b\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2})(\d{2})\s+(\d{4})\s*$/;

function lastlogDate(m: RegExpExecArray | null): string | null {
  if (m === null) return null;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return null;
  const offsetMin = (m[6] === '-' ? -1 : 1) * (Number(m[7]) * 60 + Number(m[8]));
  const utc =
    Date.UTC(Number(m[9]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) -
    offsetMin * 60_000;
  return Number.isFinite(utc) ? new Date(utc).toISOString() : null;
}

/** One user's last login as `lastlog` shows it. */
export interface LastLogin {
  at: string | null;
  tty: string | null;
  from: string | null;
}

/**
 * Parses `lastlog` output by its header's column positions (Port, From, Latest).
 * @example parseLastlog('Username Port From Latest\nalice    pts/0 10.0.0.9 Tue Nov 14 10:12:33 +0000 2023').get('alice')?.at // → '2023-11-14T10:12:33.000Z'
 */
export function parseLastlog(text: string): Map<string, LastLogin> {
  const result = new Map<string, LastLogin>();
  const { lines } = splitLines(text);
  const hi = lines.findIndex((l) => /^Username\s+Port/.test(l));
  if (hi < 0) return result;
  const header = lines[hi] as string;
  const portAt = header.indexOf('Port');
  const fromAt = header.indexOf('From');
  const latestAt = header.indexOf('Latest');
  for (const line of lines.slice(hi + 1)) {
    const name = line.slice(0, portAt).trim().split(/\s+/)[0] ?? '';
    if (name === '' || result.size >= MAX_ITEMS) continue;
    if (/\*\*Never logged in\*\*/.test(line)) {
      result.set(name, { at: null, tty: null, from: null });
      continue;
    }
    // Columns are padded but a long host pushes the date right: the date is the line's tail,
    // so the text columns end where it starts.
    const dm = LASTLOG_DATE.exec(line);
    const at = lastlogDate(dm);
    const end = dm !== null ? dm.index : latestAt;
    const tty = line.slice(portAt, Math.min(fromAt > 0 ? fromAt : end, end)).trim();
    const from = fromAt > 0 && fromAt < end ? line.slice(fromAt, end).trim() : '';
    result.set(name, {
      at,
      tty: tty === '' ? null : clip(tty, 64),
      from: from === '' ? null : clip(from, 256),
    });
  }
  return result;
}

/**
 * Builds the non-system user list from `getent passwd` plus optional login.defs, group and
 * lastlog captures. Lines that are not `name:pw:uid:gid:gecos:home:shell` are warned about.
 * @example parseUsers({ passwd: 'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash' }).data[0].interactiveShell // → true
 */
export function parseUsers(input: UsersInput): SectionResult<UserAccount[]> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(input.passwd);
  let partial = truncated;
  if (truncated) warnings.add('passwd output truncated at the line cap');
  const range = parseUidRange(input.loginDefs);
  if (input.loginDefs === undefined || input.loginDefs.trim() === '') {
    warnings.add(`no login.defs; using UID range ${range.min}-${range.max}`);
  }
  const groupNames = new Map<number, string>();
  const memberOf = new Map<string, string[]>();
  for (const line of splitLines(input.group ?? '').lines) {
    const g = line.split(':');
    if (g.length < 4 || !/^\d+$/.test(g[2] ?? '')) continue;
    const gname = g[0] as string;
    if (!groupNames.has(Number(g[2]))) groupNames.set(Number(g[2]), gname);
    for (const member of (g[3] as string).split(',')) {
      const m = member.trim();
      if (m === '') continue;
      // Bounded: a directory group with a million members must not grow this map without limit.
      const list = memberOf.get(m) ?? (memberOf.size < MAX_ITEMS ? [] : undefined);
      if (list === undefined) continue;
      if (list.length < 256 && !list.includes(gname)) list.push(gname);
      memberOf.set(m, list);
    }
  }
  const last =
    input.lastlog !== undefined ? parseLastlog(input.lastlog) : new Map<string, LastLogin>();
  let recognised = false;
  const data: UserAccount[] = [];
  const seen = new Set<string>();
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-'))
      continue;
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2] ?? '') || !/^\d+$/.test(f[3] ?? '')) {
      warnings.add(`line ${i + 1}: not a passwd entry`);
      partial = true;
      continue;
    }
    recognised = true;
    const [name, , uidText, gidText, gecos, home] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const shell = f.slice(6).join(':').trim();
    const uid = Number(uidText);
    // Above UID_MAX are directory (SSSD/LDAP) people, not system accounts — except the overflow ids.
    if (uid < range.min || OVERFLOW_UIDS.has(uid) || seen.has(name)) continue;
    if (data.length >= MAX_ITEMS) {
      warnings.add(`more than ${MAX_ITEMS} users; rest dropped`);
      partial = true;
      break;
    }
    seen.add(name);
    const gid = Number(gidText);
    const primary = groupNames.get(gid);
    const groups = [
      ...(primary !== undefined ? [primary] : []),
      ...(memberOf.get(name) ?? []).filter((g) => g !== primary),
    ];
    const fullName = (gecos.split(',')[0] ?? '').trim();
    const ll = last.get(name);
    data.push({
      name: clip(name, 256),
      uid,
      gid,
      fullName: fullName === '' ? null : clip(fullName, 256),
      home: clip(home, 1024),
      shell: clip(shell, 1024),
      interactiveShell: shell !== '' && !NO_LOGIN_SHELL.test(shell),
      groups,
      lastLoginAt: ll?.at ?? null,
      lastLoginTty: ll?.tty ?? null,
      lastLoginFrom: ll?.from ?? null,
    });
  }
  if (!recognised) {
    warnings.add('output does not look like passwd entries');
    return { state: 'unsupported', data: [], warnings: warnings.list() };
  }
  return { state: partial ? 'partial' : 'complete', data, warnings: warnings.list() };
}
