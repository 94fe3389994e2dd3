// Runs the real `nopesight-platform serve` as a child process (the e2e test and the bench).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
export const PLATFORM_BIN = join(REPO_ROOT, 'packages/platform/bin/nopesight-platform.js');

/** Builds the platform (incremental): the bin runs the compiled CLI. Throws with tsc's output. */
export function buildPlatform(): void {
  const tsc = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/platform'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0)
    throw new Error(`tsc -b packages/platform failed: ${tsc.stdout}${tsc.stderr}`);
}

/** Runs `nopesight-platform ARGS` to completion. `last` is the last line of stdout. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [PLATFORM_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, last };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM by PID; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `serve ARGS` and resolves once it prints its listening line (rejects if it exits). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [PLATFORM_BIN, 'serve', ...args], {
    env: { ...process.env, NOPESIGHT_PLATFORM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out, stop });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}
