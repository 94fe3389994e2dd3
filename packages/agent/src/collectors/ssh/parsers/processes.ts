// Process-list parser for procps, BusyBox and BSD/macOS `ps`, read by header so column order may vary.
import { clip, MAX_ITEMS, splitLines, warningList, type SectionResult } from './section-types.js';

/** One running process. Numbers the `ps` variant did not print are null. */
export interface ProcessInfo {
  pid: number;
  ppid: number | null;
  user: string | null;
  /** Executable name: basename of the first argument, or the `[kernel thread]` name. */
  name: string;
  /** Full command line as `ps` printed it (cut at the field cap). */
  commandLine: string;
  /** ISO 8601 UTC when `capturedAt` and elapsed seconds are known; else host-local ISO without zone. */
  startedAt: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  /** Resident set size in KiB. */
  rssKb: number | null;
}

/**
 * procps-ng (Linux): wide, C locale so `lstart` is `Sun Nov 29 07:35:52 2026`; `etimes` is
 * elapsed seconds, exact where `lstart` is host-local; `-ww` so command lines are not cut.
 */
export const PROCPS_PS_COMMAND =
  'LC_ALL=C ps -ww -eo pid,ppid,user:32,etimes,pcpu,pmem,rss,lstart,args';
/**
 * BusyBox `ps -o` cuts every value to its column, and a column is as wide as its header: the
 * default 8-wide USER turns `systemd-timesync` into `systemd-`; a 32-wide header keeps names whole.
 */
const BUSYBOX_USER = `user=USER${' '.repeat(28)}`;
/**
 * BusyBox (Alpine, embedded): no `-e`, no `lstart`/`pcpu`; `etime` is `[[d-]h:]mm:ss` where the
 * build has it (Alpine), else it is refused (Debian's busybox 1.35) and the list has no start
 * times; builds without `-o` print their default columns.
 */
export const BUSYBOX_PS_COMMAND = [
  `ps -o '${['pid', 'ppid', BUSYBOX_USER, 'etime', 'rss', 'args'].join(',')}' 2>/dev/null`,
  `ps -o '${['pid', 'ppid', BUSYBOX_USER, 'rss', 'args'].join(',')}' 2>/dev/null`,
  'ps',
].join(' || ');
/** macOS and FreeBSD: BSD `ps`; `command` is the full command line. */
export const BSD_PS_COMMAND = 'LC_ALL=C ps -axww -o pid,ppid,user,lstart,pcpu,pmem,rss,command';

/** Options for {@link parsePs}. */
export interface ParsePsOptions {
  /** When the command ran (ISO 8601); lets elapsed seconds become an exact `startedAt`. */
  capturedAt?: string;
}

type Column =
  | 'pid'
  | 'ppid'
  | 'user'
  | 'elapsed'
  | 'cpu'
  | 'mem'
  | 'rss'
  | 'started'
  | 'args'
  | 'time'
  | 'other';

const HEADER: Record<string, Column> = {
  PID: 'pid',
  PPID: 'ppid',
  USER: 'user',
  UID: 'user',
  ELAPSED: 'elapsed',
  '%CPU': 'cpu',
  '%MEM': 'mem',
  RSS: 'rss',
  STARTED: 'started',
  COMMAND: 'args',
  CMD: 'args',
  ARGS: 'args',
  TIME: 'time',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Reads `ps` elapsed time: plain seconds (`etimes`) or `[[dd-]hh:]mm:ss` (`etime`). */
function elapsedSeconds(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d{2})$/.exec(text);
  if (m === null) return null;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

function lstartIso(tokens: string[]): string | null {
  const [, mon, day, time, year] = tokens;
  const month = MONTHS.indexOf(mon ?? '');
  if (
    month < 0 ||
    !/^\d{1,2}$/.test(day ?? '') ||
    !/^\d{2}:\d{2}:\d{2}$/.test(time ?? '') ||
    !/^\d{4}$/.test(year ?? '')
  ) {
    return null;
  }
  return `${year}-${String(month + 1).padStart(2, '0')}-${(day as string).padStart(2, '0')}T${time}`;
}

function num(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/** BusyBox prints RSS as `1234`, `12m` or `1.2g`. */
function rssKb(text: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text ?? '');
  if (m === null) return null;
  const mult = { '': 1, k: 1, m: 1024, g: 1024 * 1024 }[(m[2] as string).toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

function processName(args: string): string {
  const kernel = /^\[(.+)\]$/.exec(args);
  if (kernel !== null) return kernel[1] as string;
  const first = args.split(/\s+/)[0] ?? '';
  const base = first.slice(first.lastIndexOf('/') + 1);
  return base.replace(/:$/, '') || first;
}

/**
 * Parses `ps` output with a header line (any of the exported commands). Columns are found by
 * header name; `STARTED` (lstart) spans five words; the command column takes the rest of the line.
 * Output without a known header (an error from AIX/Solaris `ps`, or their `ps -ef` with
 * `STIME`/`TTY`) yields `unsupported`.
 * @example parsePs('  PID  PPID USER COMMAND\n    1     0 root /sbin/init\n').data[0].name // → 'init'
 */
export function parsePs(text: string, options: ParsePsOptions = {}): SectionResult<ProcessInfo[]> {
  const { lines, truncated } = splitLines(text);
  const warnings = warningList();
  if (truncated) warnings.add('output truncated at the line cap');
  let partial = truncated;
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  const header = (lines[headerIndex] ?? '').trim().split(/\s+/);
  const columns = header.map((h) => HEADER[h.toUpperCase()] ?? 'other');
  // An unknown column (Solaris/AIX `STIME`, `TTY`…) would shift every value: refuse, don't guess.
  if (
    !columns.includes('pid') ||
    columns[columns.length - 1] !== 'args' ||
    columns.includes('other')
  ) {
    warnings.add(`not a known ps header: ${clip(header.join(' '), 120)}`);
    return { state: 'unsupported', data: [], warnings: warnings.list() };
  }
  // BusyBox builds without `etime` (Debian's) give no start time: say so rather than look whole.
  if (!columns.includes('elapsed') && !columns.includes('started'))
    warnings.add('no start-time column (ps without etime/lstart): start times unknown');
  const capturedMs = options.capturedAt !== undefined ? Date.parse(options.capturedAt) : NaN;
  const data: ProcessInfo[] = [];
  for (let i = headerIndex + 1; i < lines.length; i += 1) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    if (data.length >= MAX_ITEMS) {
      warnings.add(`more than ${MAX_ITEMS} processes; rest dropped`);
      partial = true;
      break;
    }
    // Token start offsets let the command keep its own spacing (`tokens.join` would squeeze it).
    const starts: number[] = [];
    const tokens: string[] = [];
    for (const m of line.matchAll(/\S+/g)) {
      starts.push(m.index ?? 0);
      tokens.push(m[0]);
    }
    const values: Partial<Record<Column, string>> = {};
    let started: string | null = null;
    let t = 0;
    let ok = true;
    for (const col of columns) {
      if (col === 'args') {
        values.args = t < starts.length ? line.slice(starts[t]) : '';
        break;
      }
      if (col === 'started') {
        started = lstartIso(tokens.slice(t, t + 5));
        if (started === null) ok = false;
        t += 5;
        continue;
      }
      const v = tokens[t];
      if (v === undefined) ok = false;
      else values[col] = v;
      t += 1;
    }
    const pid = num(values.pid);
    if (!ok || pid === null || !Number.isInteger(pid)) {
      warnings.add(`line ${i + 1}: unreadable process line`);
      partial = true;
      continue;
    }
    // Elapsed seconds plus capture time beat lstart, which is in the host's unknown zone.
    const elapsed = values.elapsed !== undefined ? elapsedSeconds(values.elapsed) : null;
    const startedAt =
      elapsed !== null && Number.isFinite(capturedMs)
        ? new Date(Math.floor(capturedMs / 1000) * 1000 - elapsed * 1000).toISOString()
        : started;
    const args = clip(values.args ?? '');
    data.push({
      pid,
      ppid: num(values.ppid),
      user: values.user ?? null,
      name: clip(processName(args), 256),
      commandLine: args,
      startedAt,
      cpuPercent: num(values.cpu),
      memoryPercent: num(values.mem),
      rssKb: rssKb(values.rss),
    });
  }
  return { state: partial ? 'partial' : 'complete', data, warnings: warnings.list() };
}
