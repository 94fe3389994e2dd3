// Where the agent keeps its config, vault, store and logs: resolution, layout and creation.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix, resolve, win32 } from 'node:path';
import { ScannerError } from '../errors.js';

/** The data directory's layout; every path is absolute. */
export interface DataDir {
  root: string;
  configFile: string;
  credentialsFile: string;
  keyFile: string;
  databaseFile: string;
  resultsDir: string;
  logsDir: string;
}

/** What decides the default directory; injected so every platform's rule is testable anywhere. */
export interface DataDirEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** True when running as root (uid 0); ignored on Windows. */
  isRoot: boolean;
  homeDir: string;
}

/** The current process's environment for {@link defaultDataDirRoot}. */
export function processDataDirEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): DataDirEnvironment {
  return {
    platform: process.platform,
    env,
    isRoot: process.getuid?.() === 0,
    homeDir: homedir(),
  };
}

/**
 * The platform default: machine-wide for Windows and for root on Linux (the service), per-user
 * otherwise so a user running the CLI never needs elevated rights.
 */
export function defaultDataDirRoot(e: DataDirEnvironment): string {
  if (e.platform === 'win32') {
    // ProgramData is relocatable; honour the variable when Windows sets it.
    return win32.join(e.env.ProgramData || 'C:\\ProgramData', 'NopesightScanner');
  }
  if (e.platform === 'darwin') {
    return posix.join(e.homeDir, 'Library', 'Application Support', 'NopesightScanner');
  }
  if (e.isRoot) return '/var/lib/nopesight-scanner';
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = e.env.XDG_DATA_HOME;
  const base = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(e.homeDir, '.local', 'share');
  return posix.join(base, 'nopesight-scanner');
}

/**
 * Picks the data directory: `--data-dir` (the caller passes it), else NOPESIGHT_DATA_DIR, else
 * the platform default. Relative paths are resolved against the current directory.
 */
export function resolveDataDirRoot(
  flag: string | undefined,
  e: DataDirEnvironment = processDataDirEnvironment(),
): string {
  const chosen = flag ?? e.env.NOPESIGHT_DATA_DIR;
  if (chosen !== undefined) {
    if (chosen.trim() === '') {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        flag !== undefined ? '--data-dir is empty' : 'NOPESIGHT_DATA_DIR is set but empty',
      );
    }
    return resolve(chosen);
  }
  return defaultDataDirRoot(e);
}

/** The layout under `root` (no file system access). */
export function dataDirLayout(root: string): DataDir {
  return {
    root,
    configFile: join(root, 'config.json'),
    credentialsFile: join(root, 'credentials.enc'),
    keyFile: join(root, 'key.enc'),
    databaseFile: join(root, 'scanner.db'),
    resultsDir: join(root, 'results'),
    logsDir: join(root, 'logs'),
  };
}

/**
 * Creates the directory and its `results/` and `logs/` subdirectories when missing. New
 * directories get mode 0700 on POSIX: the vault's key sits here. Existing directories keep their
 * mode (the user chose them); docs/data-dir.md says so.
 */
export async function ensureDataDir(root: string): Promise<DataDir> {
  const layout = dataDirLayout(root);
  try {
    for (const dir of [layout.root, layout.resultsDir, layout.logsDir]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  } catch (err) {
    throw new ScannerError(
      'ERR_IO',
      `cannot create data directory ${root}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return layout;
}

/** Resolves (flag, environment, default) and creates the data directory. */
export async function openDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DataDir> {
  return ensureDataDir(resolveDataDirRoot(flag, processDataDirEnvironment(env)));
}
