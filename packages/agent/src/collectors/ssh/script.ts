// The one POSIX sh script the SSH collector runs over one exec channel, printing delimited sections.
import { randomBytes } from 'node:crypto';
import {
  DPKG_COMMAND,
  DPKG_INSTALL_TIMES_COMMAND,
  RPM_COMMAND,
  APK_COMMAND,
  PACMAN_COMMAND,
} from './parsers/packages.js';
import { BUSYBOX_PS_COMMAND, BSD_PS_COMMAND, PROCPS_PS_COMMAND } from './parsers/processes.js';
import {
  OPENRC_COMMAND,
  SYSTEMD_UNITS_COMMAND,
  SYSTEMD_UNIT_FILES_COMMAND,
  SYSV_COMMAND,
} from './parsers/services.js';
import { NETSTAT_COMMAND, PROC_NET_FILES, SS_COMMAND } from './parsers/connections.js';
import {
  GROUP_COMMAND,
  LASTLOG_COMMAND,
  LOGIN_DEFS_COMMAND,
  PASSWD_COMMAND,
} from './parsers/users.js';
import { VIRTUALIZATION_COMMAND } from './parsers/virtualization.js';

/** Marker prefix; the nonce after it is what makes a marker genuine. */
export const MARKER_PREFIX = '@@NOPESIGHT-';

/** The command the exec channel runs: the script itself arrives on stdin, so it is never in argv. */
export const SCRIPT_COMMAND = 'sh -s';

/** DMI files the hardware parser reads (`parseDmiIdFiles`), listed for shells without brace expansion. */
export const DMI_FILES = [
  'sys_vendor',
  'product_name',
  'product_serial',
  'product_uuid',
  'bios_vendor',
  'bios_version',
  'bios_date',
].map((f) => `/sys/class/dmi/id/${f}`);

/** `lsblk` columns `parseLsblkJson` expects. */
export const LSBLK_COMMAND = 'lsblk -J -b -o NAME,KNAME,TYPE,SIZE,MODEL,SERIAL,FSTYPE,MOUNTPOINT';

/** IPv6 routes without `ip -j`: net-tools `netstat`, else BusyBox `route` (same table layout). */
export const NETSTAT_RN6_COMMAND = 'netstat -rn -A inet6 2>/dev/null || route -n -A inet6';

/** BSD/macOS hardware sysctls `parseSysctlHardware` reads (unknown OIDs are skipped by -i). */
const SYSCTL_HW_COMMAND =
  'sysctl -i hw.model hw.machine hw.ncpu hw.physmem hw.memsize machdep.cpu.brand_string hw.packages hw.physicalcpu hw.logicalcpu kern.smp.cores kern.smp.threads_per_core 2>/dev/null || sysctl hw.model hw.ncpu hw.physmem';

export interface ScriptOptions {
  /** Random per run (hex, ≥ 16 chars): markers carry it so host output cannot forge one. */
  nonce: string;
  /** How the script may raise privileges for the enhanced sections (DMI, sockets of all users). */
  sudo: 'none' | 'nopasswd' | 'password';
  /** Only with sudo `password`; embedded in the script, which travels on stdin (never argv). */
  sudoPassword?: string;
  /** Limit for each command (whole seconds, via `timeout` where the host has it). */
  commandTimeoutSec: number;
  /** Seconds from script start after which no further section starts (they are reported skipped). */
  deadlineSec: number;
  /** Bytes kept from each section's output (via `head -c` where the host has it). */
  maxSectionBytes: number;
}

/** A fresh nonce for one run. */
export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

/** Quotes a string for POSIX sh: single quotes, embedded `'` closed, escaped and reopened. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One section: `run name 'cmd'`; `priv` runs it under sudo when the script obtained it. */
function run(name: string, cmd: string, priv = false): string {
  return `_ns_run ${name} ${priv ? 1 : 0} ${shQuote(cmd)}`;
}

/**
 * Builds the collection script. Markers are printed at line starts:
 * `@@NOPESIGHT-<nonce> begin <name>@@`, `… end <name> <exit>@@`, `… skip <name> <reason>@@`
 * and a final `… done@@`. Each command gets `/dev/null` as stdin (the script itself is being read
 * from stdin), a `timeout` and an output cap; nothing is written to the target's disk.
 *
 * @example
 * const script = buildCollectionScript({ nonce: newNonce(), sudo: 'none', commandTimeoutSec: 20, deadlineSec: 100, maxSectionBytes: 4 << 20 });
 * // session.exec(SCRIPT_COMMAND, { stdin: script, … })
 */
export function buildCollectionScript(opts: ScriptOptions): string {
  if (!/^[0-9a-f]{16,64}$/.test(opts.nonce)) throw new TypeError('nonce must be 16-64 hex digits');
  const to = Math.max(1, Math.floor(opts.commandTimeoutSec));
  const deadline = Math.max(1, Math.floor(opts.deadlineSec));
  const cap = Math.max(1024, Math.floor(opts.maxSectionBytes));
  const pw = opts.sudo === 'password' ? (opts.sudoPassword ?? '') : '';
  const lines = [
    // The whole body is one function, parsed before it runs, whose stdin is /dev/null: no command
    // can swallow the rest of the script from stdin.
    'export LC_ALL=C LANG=C',
    'PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH',
    `_ns_m=${shQuote(MARKER_PREFIX + opts.nonce)}`,
    `_ns_to=${to}`,
    `_ns_cap=${cap}`,
    `_ns_mode=${opts.sudo}`,
    `_ns_pw=${shQuote(pw)}`,
    '_ns_have() { command -v "$1" >/dev/null 2>&1; }',
    '_ns_now() { date +%s 2>/dev/null || echo 0; }',
    '_ns_skip() { printf \'\\n%s skip %s %s@@\\n\' "$_ns_m" "$1" "$2"; }',
    // _ns_exec PRIV CMD: runs CMD under timeout (and sudo when PRIV=1 and available). Under sudo -S
    // the command's stdin is reset too: with a cached sudo ticket the password would be left unread.
    '_ns_exec() {',
    '  if [ "$1" = 1 ] && [ "$_ns_priv" = sudo-n ]; then',
    '    $_ns_t sudo -n sh -c "exec </dev/null; $2" </dev/null',
    '  elif [ "$1" = 1 ] && [ "$_ns_priv" = sudo-S ]; then',
    '    printf \'%s\\n\' "$_ns_pw" | $_ns_t sudo -S -p \'\' sh -c "exec </dev/null; $2"',
    '  else',
    '    $_ns_t sh -c "$2" </dev/null',
    '  fi',
    '}',
    // _ns_run NAME PRIV CMD: markers around the output; the exit code survives the `head -c` pipe
    // through fd 3, the output itself goes to the saved stdout on fd 4.
    '_ns_run() {',
    '  if [ "$(_ns_now)" -ge "$_ns_deadline" ]; then _ns_skip "$1" deadline; return 0; fi',
    '  printf \'%s begin %s@@\\n\' "$_ns_m" "$1"',
    '  _ns_cut=""',
    '  if [ -n "$_ns_head" ]; then',
    // fd 3 carries `rc=N` from the writer and `cut` from the reader when a byte beyond the cap waits.
    '    _ns_o=$( { { _ns_exec "$2" "$3" 3>&- 4>&-; echo "rc=$?" >&3; } | { head -c "$_ns_cap" >&4; if [ "$(head -c 1 | wc -c)" -gt 0 ]; then echo cut >&3; fi; }; } 3>&1 )',
    '    case "$_ns_o" in *cut*) _ns_cut=" cut";; esac',
    '    _ns_rc=${_ns_o#*rc=}; _ns_rc=${_ns_rc%%[!0-9]*}',
    '  else',
    '    _ns_exec "$2" "$3"; _ns_rc=$?',
    '  fi',
    '  printf \'\\n%s end %s %s%s@@\\n\' "$_ns_m" "$1" "${_ns_rc:-255}" "$_ns_cut"',
    '}',
    '_ns_main() {',
    '  exec 4>&1',
    `  _ns_deadline=$(( $(_ns_now) + ${deadline} ))`,
    '  _ns_t=""',
    '  if timeout 5 true >/dev/null 2>&1; then _ns_t="timeout $_ns_to"',
    '  elif timeout -t 5 true >/dev/null 2>&1; then _ns_t="timeout -t $_ns_to"; fi',
    '  _ns_head=""; if printf abc | head -c 1 >/dev/null 2>&1; then _ns_head=1; fi',
    '  _ns_priv=none; _ns_uid=$(id -u 2>/dev/null)',
    '  if [ "$_ns_uid" = 0 ]; then _ns_priv=root',
    '  elif [ "$_ns_mode" = nopasswd ] && _ns_have sudo; then',
    '    if $_ns_t sudo -n true </dev/null >/dev/null 2>&1; then _ns_priv=sudo-n; else _ns_priv=denied; fi',
    '  elif [ "$_ns_mode" = password ] && _ns_have sudo; then',
    "    if printf '%s\\n' \"$_ns_pw\" | $_ns_t sudo -S -p '' true >/dev/null 2>&1; then _ns_priv=sudo-S; else _ns_priv=denied; fi",
    '  elif [ "$_ns_mode" != none ]; then _ns_priv=unavailable; fi',
    '  printf \'\\n%s begin meta@@\\n\' "$_ns_m"',
    '  echo "uid=$_ns_uid"; echo "priv=$_ns_priv"; echo "timeout=${_ns_t:-none}"; echo "head=${_ns_head:-0}"',
    '  echo "started=$(_ns_now)"',
    '  printf \'\\n%s end meta 0@@\\n\' "$_ns_m"',
    `  ${run('uname', 'uname -snrm')}`,
    '  case "$(uname -s 2>/dev/null)" in AIX|SunOS) printf \'\\n%s done@@\\n\' "$_ns_m"; return 0;; esac',
    `  ${run('hostname', 'hostname; hostname -f 2>/dev/null')}`,
    `  ${run('date', 'date +%s')}`,
    '  if [ -r /etc/os-release ] || [ -r /usr/lib/os-release ]; then',
    `    ${run('os-release', 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release')}`,
    '  elif _ns_have sw_vers; then',
    `    ${run('sw-vers', 'sw_vers')}`,
    '  else _ns_skip os-release absent; fi',
    '  if [ -r /proc/uptime ]; then',
    `    ${run('uptime', 'cat /proc/uptime')}`,
    '  else',
    `    ${run('boottime', 'sysctl -n kern.boottime')}`,
    '  fi',
    '  if _ns_have lscpu; then',
    `    ${run('lscpu', 'lscpu')}`,
    '  elif [ -r /proc/cpuinfo ]; then',
    `    ${run('cpuinfo', 'cat /proc/cpuinfo')}`,
    '  else',
    `    ${run('sysctl-hw', SYSCTL_HW_COMMAND)}`,
    '  fi',
    '  if [ -r /proc/meminfo ]; then',
    `    ${run('meminfo', 'cat /proc/meminfo')}`,
    '  fi',
    '  if [ -d /sys/class/dmi/id ]; then',
    `    ${run('dmi', `grep -H . ${DMI_FILES.join(' ')} 2>&1`, true)}`,
    '  else _ns_skip dmi absent; fi',
    '  if _ns_have lsblk; then',
    `    ${run('lsblk', LSBLK_COMMAND)}`,
    '  elif [ -r /proc/partitions ]; then',
    `    ${run('partitions', 'cat /proc/partitions')}`,
    '  else _ns_skip lsblk absent; fi',
    `  ${run('df', 'df -P -k')}`,
    '  if _ns_have ip && ip -j addr show lo >/dev/null 2>&1; then',
    `    ${run('ip-addr', 'ip -j addr')}`,
    `    ${run('ip-route', 'ip -j route')}`,
    `    ${run('ip-route6', 'ip -j -6 route')}`,
    '  else',
    `    ${run('ifconfig', 'ifconfig -a')}`,
    `    ${run('netstat-rn', 'netstat -rn')}`,
    // Linux `netstat -rn` lists IPv4 only; BusyBox has no `netstat -A`, its `route` reads inet6.
    '    if [ -r /proc/net/ipv6_route ]; then',
    `      ${run('netstat-rn6', NETSTAT_RN6_COMMAND)}`,
    '    fi',
    '  fi',
    `  ${run('resolv', 'cat /etc/resolv.conf')}`,
    // BusyBox (Debian's) has an `rpm` applet that only reads .rpm files and refuses `--version`.
    '  _ns_pk=0',
    '  if _ns_have dpkg-query; then _ns_pk=1',
    `    ${run('dpkg', DPKG_COMMAND)}`,
    `    ${run('dpkg-times', `${DPKG_INSTALL_TIMES_COMMAND} 2>/dev/null`)}`,
    '  fi',
    `  if _ns_have rpm && $_ns_t rpm --version >/dev/null 2>&1; then _ns_pk=1; ${run('rpm', RPM_COMMAND)}; fi`,
    `  if _ns_have apk; then _ns_pk=1; ${run('apk', APK_COMMAND)}; fi`,
    `  if _ns_have pacman; then _ns_pk=1; ${run('pacman', PACMAN_COMMAND)}; fi`,
    '  if [ "$_ns_pk" = 0 ]; then _ns_skip packages absent; fi',
    '  if [ -d /proc/1 ] && ps -ww -eo pid >/dev/null 2>&1; then',
    `    ${run('ps', PROCPS_PS_COMMAND)}`,
    '  elif [ -d /proc/1 ]; then',
    `    ${run('ps', BUSYBOX_PS_COMMAND)}`,
    '  else',
    `    ${run('ps', BSD_PS_COMMAND)}`,
    '  fi',
    '  if _ns_have systemctl && [ -d /run/systemd/system ]; then',
    `    ${run('systemd-units', SYSTEMD_UNITS_COMMAND)}`,
    `    ${run('systemd-unit-files', SYSTEMD_UNIT_FILES_COMMAND)}`,
    '  elif _ns_have rc-status; then',
    `    ${run('openrc', OPENRC_COMMAND)}`,
    '  elif _ns_have service; then',
    `    ${run('sysv', SYSV_COMMAND)}`,
    '  elif _ns_have systemctl; then',
    `    ${run('systemd-unit-files', SYSTEMD_UNIT_FILES_COMMAND)}`,
    '  else _ns_skip services absent; fi',
    '  if _ns_have ss; then',
    `    ${run('ss', SS_COMMAND, true)}`,
    '  elif _ns_have netstat; then',
    `    ${run('netstat', NETSTAT_COMMAND, true)}`,
    '  elif [ -r /proc/net/tcp ]; then',
    ...PROC_NET_FILES.map(
      (f) => `    ${run(`proc-net-${f.slice(f.lastIndexOf('/') + 1)}`, `cat ${f}`)}`,
    ),
    '  else _ns_skip connections absent; fi',
    `  ${run('passwd', PASSWD_COMMAND)}`,
    `  ${run('group', GROUP_COMMAND)}`,
    '  if [ -r /etc/login.defs ]; then',
    `    ${run('login-defs', LOGIN_DEFS_COMMAND)}`,
    '  fi',
    `  ${run('lastlog', LASTLOG_COMMAND)}`,
    `  ${run('virt', VIRTUALIZATION_COMMAND)}`,
    '  printf \'\\n%s done@@\\n\' "$_ns_m"',
    '}',
    '_ns_main </dev/null',
    '',
  ];
  return lines.join('\n');
}
