// How numbers, times and schedule timings read on the page.
import type { ScheduleView } from './types.js';

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * A schedule's time as its timing reads it: in the schedule's own zone (`Thu, Nov 30, 02:30
 * Europe/Berlin`); without a zone (the agent's) or an unknown one, in the browser's.
 */
export function zonedTime(iso: string | null | undefined, timeZone?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (!timeZone) return dateTime(iso);
  try {
    const text = d.toLocaleString(undefined, {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    return `${text} ${timeZone}`;
  } catch {
    return dateTime(iso);
  }
}

/** `in 5 min`, `3 h ago`. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const unit =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${unit}` : `${unit} ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${Math.round(ratio * 1000) / 10} %`;
}

const PROTOCOL_LABEL: Record<string, string> = {
  ssh: 'SSH',
  windows: 'Windows (WMI)',
  winrm: 'WinRM',
  snmp: 'SNMP',
  vcenter: 'vCenter',
};

/** A protocol as the page names it: `Windows (WMI)`; an unknown one as it is. */
export function protocolLabel(protocol: string): string {
  return PROTOCOL_LABEL[protocol] ?? protocol;
}

const DAY_NAMES: Record<string, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/** A schedule's timing in words: `daily at 02:30`, `Mon, Thu at 22:00`, `every 6 hours`. */
export function timingWords(s: ScheduleView): string {
  if (s.daily) return `daily at ${s.daily}`;
  if (s.weekly) {
    const days = s.weekly.days.map((d) => DAY_NAMES[d] ?? d).join(', ');
    return `${days} at ${s.weekly.at}`;
  }
  if (s.everyHours !== undefined)
    return s.everyHours === 1 ? 'every hour' : `every ${s.everyHours} hours`;
  if (s.cron) return `cron ${s.cron}`;
  return typeof s.timing === 'string' && s.timing !== '' ? s.timing : '—';
}

/** Splits a textarea of targets: one per line or comma/space separated. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
