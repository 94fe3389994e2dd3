// Service parsers for systemd (units + unit files), OpenRC `rc-status -a` and SysV `service --status-all`.
import { clip, MAX_ITEMS, splitLines, warningList, type SectionResult } from './section-types.js';

/** One service as the init system reports it. */
export interface ServiceInfo {
  /** Unit or script name (`ssh.service`, `sshd`, `cron`). */
  name: string;
  description: string | null;
  /** Normalised run state across init systems. */
  state: 'running' | 'stopped' | 'failed' | 'unknown';
  /** The init system's own words: systemd `active/running`, OpenRC `started`, SysV `+`. */
  rawState: string | null;
  /**
   * Start mode: systemd unit-file state (`enabled`, `disabled`, `static`, `masked`…), OpenRC
   * runlevel it is in (`default`, `boot`) or `manual`; null when unknown (SysV).
   */
  startMode: string | null;
  manager: 'systemd' | 'openrc' | 'sysv';
}

/** systemd: loaded units with state (`--all` includes inactive ones). */
export const SYSTEMD_UNITS_COMMAND =
  'systemctl list-units --type=service --all --no-legend --plain --no-pager';
/** systemd: enablement of every installed unit file; works even when systemd is not PID 1. */
export const SYSTEMD_UNIT_FILES_COMMAND =
  'systemctl list-unit-files --type=service --no-legend --no-pager';
/** OpenRC (Alpine, Gentoo): every runlevel with its services and their state. */
export const OPENRC_COMMAND = 'rc-status -a';
/** SysV fallback (Debian without systemd, RHEL 6, BusyBox-less minimal hosts). */
export const SYSV_COMMAND = 'service --status-all 2>&1';

const NO_SYSTEMD =
  /not been booted with systemd|Failed to connect to bus|systemctl: (command )?not found|System has not been booted/i;

function normaliseSystemd(active: string, sub: string): ServiceInfo['state'] {
  if (active === 'failed') return 'failed';
  if (active === 'active' || active === 'reloading' || active === 'activating') return 'running';
  if (active === 'inactive' || active === 'deactivating') return 'stopped';
  return sub === 'running' ? 'running' : 'unknown';
}

/**
 * Merges `systemctl list-units` and `systemctl list-unit-files` output into one service list.
 * Either may be empty or an error message (systemd not PID 1): the other still counts, as `partial`.
 * Template unit files (`getty@.service`) are not services until instantiated, so they are skipped.
 * @example parseSystemdServices('ssh.service loaded active running OpenBSD Secure Shell server\n', 'ssh.service enabled enabled\n').data[0].startMode // → 'enabled'
 */
export function parseSystemdServices(
  unitsText: string,
  unitFilesText: string,
): SectionResult<ServiceInfo[]> {
  const warnings = warningList();
  const units = splitLines(unitsText);
  const files = splitLines(unitFilesText);
  let partial = units.truncated || files.truncated;
  if (partial) warnings.add('output truncated at the line cap');
  const byName = new Map<string, ServiceInfo>();
  const templates = new Map<string, string>();
  let unitsOk = false;
  let filesOk = false;
  for (const raw of units.lines) {
    const line = raw.replace(/^\s*[●*×]\s*/, '').trim();
    if (line === '') continue;
    const m = /^(\S+\.service)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m === null) {
      warnings.add(
        NO_SYSTEMD.test(line)
          ? `list-units: ${clip(line, 120)}`
          : `list-units: unreadable line: ${clip(line, 80)}`,
      );
      continue;
    }
    unitsOk = true;
    if (byName.size >= MAX_ITEMS) {
      partial = true;
      continue;
    }
    const [, name, , active, sub, description] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    byName.set(name, {
      name: clip(name, 256),
      description: description === '' ? null : clip(description, 512),
      state: normaliseSystemd(active, sub),
      rawState: `${active}/${sub}`,
      startMode: null,
      manager: 'systemd',
    });
  }
  for (const raw of files.lines) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^(\S+\.service)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line);
    if (m === null) {
      // "N unit files listed." is the legend when --no-legend is ignored by old systemd.
      if (!/unit files listed/.test(line))
        warnings.add(`list-unit-files: unreadable line: ${clip(line, 80)}`);
      continue;
    }
    filesOk = true;
    const name = m[1] as string;
    const mode = m[2] as string;
    if (name.endsWith('@.service')) {
      if (templates.size < MAX_ITEMS) templates.set(name, mode);
      continue;
    }
    const known = byName.get(name);
    if (known !== undefined) known.startMode = mode;
    else if (byName.size < MAX_ITEMS) {
      byName.set(name, {
        name: clip(name, 256),
        description: null,
        // Not in list-units --all means not loaded: it is not running (unless list-units failed).
        state: unitsOk ? 'stopped' : 'unknown',
        rawState: null,
        startMode: mode,
        manager: 'systemd',
      });
    } else partial = true;
  }
  // Instances (`getty@tty1.service`) take the template's mode when they have none of their own.
  for (const s of byName.values()) {
    if (s.startMode !== null) continue;
    const at = s.name.indexOf('@');
    if (at > 0) s.startMode = templates.get(`${s.name.slice(0, at + 1)}.service`) ?? null;
  }
  if (!unitsOk && !filesOk) {
    warnings.add('no systemd output');
    return { state: 'unsupported', data: [], warnings: warnings.list() };
  }
  if (!unitsOk || !filesOk) partial = true;
  const data = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { state: partial ? 'partial' : 'complete', data, warnings: warnings.list() };
}

/**
 * Parses OpenRC `rc-status -a`. A service in a named runlevel gets that runlevel as `startMode`;
 * one only in a dynamic runlevel (`hotplugged`, `needed/wanted`, `manual`) gets `manual`.
 * @example parseOpenRc('Runlevel: default\n sshd   [  started  ]\n').data[0] // → { name: 'sshd', state: 'running', startMode: 'default', … }
 */
export function parseOpenRc(text: string): SectionResult<ServiceInfo[]> {
  const { lines, truncated } = splitLines(text);
  const warnings = warningList();
  let partial = truncated;
  if (truncated) warnings.add('output truncated at the line cap');
  const byName = new Map<string, ServiceInfo>();
  let runlevel: string | null = null;
  let dynamic = false;
  let seenRunlevel = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const rl = /^(Dynamic )?Runlevel:\s*(\S+)/.exec(line.trim());
    if (rl !== null) {
      seenRunlevel = true;
      dynamic = rl[1] !== undefined;
      runlevel = rl[2] as string;
      continue;
    }
    const m = /^\s*(\S+)\s+\[\s*([a-z]+)\b[^\]]*\]\s*$/.exec(line);
    if (m === null || runlevel === null) {
      warnings.add(`line ${i + 1}: unreadable: ${clip(line.trim(), 80)}`);
      partial = true;
      continue;
    }
    const name = m[1] as string;
    const raw = m[2] as string;
    const state: ServiceInfo['state'] =
      raw === 'started'
        ? 'running'
        : raw === 'crashed'
          ? 'failed'
          : raw === 'stopped'
            ? 'stopped'
            : 'unknown';
    const mode = dynamic ? 'manual' : runlevel;
    const known = byName.get(name);
    if (known !== undefined) {
      if (known.startMode === 'manual' && mode !== 'manual') known.startMode = mode;
      continue;
    }
    if (byName.size >= MAX_ITEMS) {
      partial = true;
      continue;
    }
    byName.set(name, {
      name: clip(name, 256),
      description: null,
      state,
      rawState: raw,
      startMode: mode,
      manager: 'openrc',
    });
  }
  if (!seenRunlevel) {
    warnings.add('no OpenRC runlevel header found');
    return { state: 'unsupported', data: [], warnings: warnings.list() };
  }
  return {
    state: partial ? 'partial' : 'complete',
    data: [...byName.values()],
    warnings: warnings.list(),
  };
}

/**
 * Parses `service --status-all`: Debian's ` [ + ]  cron` form, and the RHEL 6 free-text form
 * (`sshd (pid  1234) is running...`, `crond is stopped`).
 * @example parseSysvServices(' [ + ]  cron\n').data[0].state // → 'running'
 */
export function parseSysvServices(text: string): SectionResult<ServiceInfo[]> {
  const { lines, truncated } = splitLines(text);
  const warnings = warningList();
  let partial = truncated;
  if (truncated) warnings.add('output truncated at the line cap');
  const data: ServiceInfo[] = [];
  let recognised = false;
  for (const line of lines) {
    const t = line.trim();
    if (t === '') continue;
    if (data.length >= MAX_ITEMS) {
      partial = true;
      break;
    }
    const deb = /^\[\s*([+?-])\s*\]\s+(\S+)$/.exec(t);
    if (deb !== null) {
      recognised = true;
      const mark = deb[1] as string;
      const state = mark === '+' ? 'running' : mark === '-' ? 'stopped' : 'unknown';
      data.push({
        name: clip(deb[2] as string, 256),
        description: null,
        state,
        rawState: mark,
        startMode: null,
        manager: 'sysv',
      });
      continue;
    }
    // Length guard and bounded name: this free-text regex backtracks quadratically on a flood line.
    const rh =
      t.length <= 512
        ? /^([\w.@-]{1,128})\b.{0,200}?\bis (not running|running|stopped|dead)/.exec(t)
        : null;
    if (rh !== null) {
      recognised = true;
      const word = rh[2] as string;
      data.push({
        name: clip(rh[1] as string, 256),
        description: null,
        state: word === 'running' ? 'running' : word === 'dead' ? 'failed' : 'stopped',
        rawState: word,
        startMode: null,
        manager: 'sysv',
      });
      continue;
    }
    // RHEL prints extra lines per service (firewall tables, "Configured …"); they are not services.
    warnings.add(`skipped: ${clip(t, 80)}`);
  }
  if (!recognised) return { state: 'unsupported', data: [], warnings: warnings.list() };
  return { state: partial ? 'partial' : 'complete', data, warnings: warnings.list() };
}
