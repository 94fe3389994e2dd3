// What every service definition is generated from: the service's names, how the daemon is
// started (absolute node + the package's bin), its data directory and optional account.
import { fileURLToPath } from 'node:url';
import { posix, win32 } from 'node:path';
import { defaultDataDirRoot, type DataDirEnvironment } from '../config/data-dir.js';
import { ScannerError } from '../errors.js';

/** Names the service is known by on each system. */
export const SERVICE_NAMES = {
  /** systemd unit and Windows service id. */
  id: 'nopesight-scanner',
  /** launchd label (reverse-DNS, as launchd expects). */
  launchdLabel: 'com.nopesight.scanner',
  displayName: 'NopeSight Scanner',
  description: 'NopeSight Scanner agent: scheduled network discovery, uploads, control channel',
} as const;

/** Restart and stop timings shared by the three systems. */
export const SERVICE_TIMING = {
  /** Wait before a crashed daemon is started again. */
  restartSec: 10,
  /**
   * How long a stop may take before the system kills the daemon: it cancels a running scan
   * (results written and queued) and tries one short final upload (see DAEMON_FINAL_FLUSH_MS).
   */
  stopTimeoutSec: 60,
} as const;

/** The inputs of the generators; every path is absolute. */
export interface ServiceSpec {
  /** The node executable that runs the daemon (the one running this CLI by default). */
  nodePath: string;
  /** The package's bin script (`bin/nopesight-scanner.js`). */
  binPath: string;
  dataDir: string;
  /** A dedicated account to run as; the system's default (root, LocalSystem) when absent. */
  user?: string;
  /** Its group; the user's primary group when absent. */
  group?: string;
}

/** The package's bin, found from this module (same relative path from src/ and dist/). */
export function packageBinPath(): string {
  return fileURLToPath(new URL('../../bin/nopesight-scanner.js', import.meta.url));
}

/** The daemon's arguments after node: the bin, `daemon` and the data directory. */
export function daemonArgs(spec: ServiceSpec): string[] {
  return [spec.binPath, 'daemon', '--data-dir', spec.dataDir];
}

/**
 * The machine-wide data directory a service uses when none is given: the root default on Linux
 * (/var/lib/nopesight-scanner), ProgramData on Windows, and /Library/Application Support on
 * macOS (a LaunchDaemon has no user home worth using).
 */
export function serviceDataDir(e: DataDirEnvironment): string {
  if (e.platform === 'darwin') return '/Library/Application Support/NopesightScanner';
  return defaultDataDirRoot({ ...e, isRoot: true });
}

/** Account names the generators accept: what useradd and dscl accept, nothing to quote. */
const ACCOUNT = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

/** Checks a spec's fields so that no generator has to quote what cannot be quoted. */
export function checkServiceSpec(spec: ServiceSpec, platform: NodeJS.Platform): ServiceSpec {
  const isAbsolute = platform === 'win32' ? win32.isAbsolute : posix.isAbsolute;
  for (const [name, path] of [
    ['node', spec.nodePath],
    ['bin', spec.binPath],
    ['data directory', spec.dataDir],
  ] as const) {
    if (!isAbsolute(path)) {
      throw new ScannerError('ERR_CONFIG_INVALID', `the ${name} path must be absolute: ${path}`);
    }
    // Control characters (newlines above all) would end a unit line or an XML value.
    if ([...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
      throw new ScannerError('ERR_CONFIG_INVALID', `the ${name} path has a control character`);
    }
  }
  for (const [name, value] of [
    ['--user', spec.user],
    ['--group', spec.group],
  ] as const) {
    if (value !== undefined && !ACCOUNT.test(value)) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `${name} '${value}' is not an account name (letters, digits, _ . -; at most 32)`,
      );
    }
  }
  if (platform === 'win32' && spec.user !== undefined) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      'on Windows the service runs as LocalSystem: --user is not supported there',
    );
  }
  if (spec.group !== undefined && spec.user === undefined) {
    throw new ScannerError('ERR_CONFIG_INVALID', '--group needs --user');
  }
  return spec;
}
