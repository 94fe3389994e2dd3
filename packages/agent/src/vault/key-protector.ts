// How key.enc holds the vault key at rest: as text with mode 0600, or wrapped by Windows DPAPI.
import { spawn } from 'node:child_process';
import { ScannerError } from '../errors.js';

/**
 * Turns the key's bytes into what is stored in key.enc and back. Called once per vault open
 * and once when the key is created; may spawn a process, so it is async.
 */
export interface KeyProtector {
  /** Short name for messages and docs (`file`, `dpapi-CurrentUser`). */
  readonly name: string;
  protect(key: Buffer): Promise<Buffer>;
  unprotect(stored: Buffer): Promise<Buffer>;
}

/**
 * POSIX: key.enc is the key text itself (as Python's Fernet.generate_key() prints it), protected
 * by mode 0600 in a 0700 directory. Anyone who can read the file can read the vault.
 */
export function plainKeyProtector(): KeyProtector {
  return {
    name: 'file',
    async protect(key) {
      return Buffer.from(key);
    },
    async unprotect(stored) {
      return Buffer.from(stored);
    },
  };
}

export type DpapiScope = 'CurrentUser' | 'LocalMachine';

/** Runs PowerShell with `script`, writing `input` to its stdin; resolves with its stdout. */
export type PowerShellRunner = (script: string, input: string) => Promise<string>;

/**
 * Windows: key.enc holds the key wrapped by DPAPI (ProtectedData.Protect, no extra entropy), so
 * a copy of the data directory is useless on another machine (LocalMachine) or to another
 * account (CurrentUser). Untested in this project's CI, which runs on Linux (docs/vault.md).
 */
export function dpapiKeyProtector(
  scope: DpapiScope,
  run: PowerShellRunner = runPowerShell,
): KeyProtector {
  // The key travels over stdin as base64, never on a command line another process could read.
  const script = (method: 'Protect' | 'Unprotect') =>
    [
      "$ErrorActionPreference = 'Stop'",
      'Add-Type -AssemblyName System.Security',
      '$data = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())',
      `$out = [System.Security.Cryptography.ProtectedData]::${method}($data, $null, [System.Security.Cryptography.DataProtectionScope]::${scope})`,
      '[Console]::Out.Write([Convert]::ToBase64String($out))',
    ].join('\n');
  const call = async (method: 'Protect' | 'Unprotect', bytes: Buffer): Promise<Buffer> => {
    let out: string;
    try {
      out = await run(script(method), bytes.toString('base64'));
    } catch (err) {
      throw new ScannerError(
        'ERR_VAULT_KEY',
        `DPAPI ${method} (${scope}) failed: ${(err as Error).message}` +
          (method === 'Unprotect'
            ? '; key.enc was wrapped for another account or machine, or is damaged'
            : ''),
        { cause: err },
      );
    }
    return Buffer.from(out.trim(), 'base64');
  };
  return {
    name: `dpapi-${scope}`,
    protect: (key) => call('Protect', key),
    unprotect: (stored) => call('Unprotect', stored),
  };
}

/** The protector for this platform: DPAPI on Windows, the plain file elsewhere. */
export function platformKeyProtector(env: NodeJS.ProcessEnv = process.env): KeyProtector {
  if (process.platform !== 'win32') return plainKeyProtector();
  return dpapiKeyProtector(
    env.NOPESIGHT_DPAPI_SCOPE === 'LocalMachine' ? 'LocalMachine' : 'CurrentUser',
  );
}

/** Runs Windows PowerShell non-interactively with an encoded script (no quoting pitfalls). */
export function runPowerShell(script: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'powershell.exe',
      [
        '-NoLogo',
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-EncodedCommand',
        Buffer.from(script, 'utf16le').toString('base64'),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const text = Buffer.concat(err).toString('utf8').trim().split(/\r?\n/)[0] ?? '';
        reject(new Error(`powershell exited with ${code}${text ? `: ${text}` : ''}`));
      }
    });
    child.stdin.end(input);
  });
}
