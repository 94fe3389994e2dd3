// `tasklist /v /fo csv` output → processes. Columns are read by position (the header is
// localised: "Image Name" or "映像名称"), so any display language parses the same.
import type { ProcessInfo } from '../../ssh/parsers/processes.js';
import {
  clip,
  MAX_ITEMS,
  splitLines,
  warningList,
  type SectionResult,
} from '../../ssh/parsers/section-types.js';

/** A Windows process: the common process shape plus what tasklist /v adds. */
export interface WindowsProcess extends ProcessInfo {
  sessionName: string | null;
  sessionId: number | null;
  /** `Running`, `Unknown`, `Not Responding` (as tasklist says it, possibly localised). */
  status: string | null;
  /** CPU time as `H:MM:SS`. */
  cpuTime: string | null;
  windowTitle: string | null;
}

/**
 * Splits one CSV line (RFC 4180 quoting, as tasklist writes it); null when the line is not CSV.
 * @example csvFields('"a","b ""c""",d') // → ['a', 'b "c"', 'd']
 */
export function csvFields(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      out.push(value);
      if (i < line.length && line[i] !== ',') return null;
      i++;
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/** `N/A` in English; the localised forms seen in real captures mean the same. */
function absent(value: string | undefined): string | null {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'N/A' || v === '暂缺' || v === 'Nicht zutreffend' || v === 'N/D')
    return null;
  return clip(v);
}

/** `26,376 K` / `26.376 K` / `26 376 K` → 26376. */
function memoryKb(value: string | undefined): number | null {
  const m = /^([\d.,\s\u00a0\u202f']+)\s*K$/i.exec(value?.trim() ?? '');
  if (!m) return null;
  const digits = m[1]!.replace(/[^\d]/g, '');
  return digits === '' ? null : Number(digits);
}

/**
 * Parses `tasklist /v /fo csv` (with or without the header line). Lines that are not nine CSV
 * fields with a numeric PID are skipped with a warning (a header is skipped silently).
 * @example parseTasklistCsv('"System","4","Services","0","26,376 K","Unknown","N/A","1:30:10","N/A"\r\n').data[0].pid // → 4
 */
export function parseTasklistCsv(text: string): SectionResult<WindowsProcess[]> {
  const { lines, truncated } = splitLines(text);
  const warnings = warningList();
  const data: WindowsProcess[] = [];
  let recognised = false;
  let skipped = 0;
  for (const [n, raw] of lines.entries()) {
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '') continue;
    const f = csvFields(line);
    if (f === null || f.length < 9 || !/^\d+$/.test(f[1]!.trim())) {
      // The header's second column is "PID" in every language seen.
      if (f !== null && f.length >= 9 && f[1]!.trim().toUpperCase() === 'PID') {
        recognised = true;
        continue;
      }
      skipped++;
      warnings.add(`line ${n + 1}: not a tasklist /v CSV row`);
      continue;
    }
    recognised = true;
    if (data.length >= MAX_ITEMS) {
      warnings.add(`more than ${MAX_ITEMS} processes: the rest dropped`);
      break;
    }
    const name = clip(f[0]!);
    const session = f[3]!.trim();
    data.push({
      pid: Number(f[1]),
      ppid: null,
      user: absent(f[6]),
      name,
      commandLine: name,
      startedAt: null,
      cpuPercent: null,
      memoryPercent: null,
      rssKb: memoryKb(f[4]),
      sessionName: absent(f[2]),
      sessionId: /^\d+$/.test(session) ? Number(session) : null,
      status: absent(f[5]),
      cpuTime: absent(f[7]),
      windowTitle: absent(f[8]),
    });
  }
  const capped = data.length >= MAX_ITEMS;
  return {
    state: !recognised
      ? 'unsupported'
      : skipped > 0 || truncated || capped
        ? 'partial'
        : 'complete',
    data,
    warnings: warnings.list(),
  };
}
