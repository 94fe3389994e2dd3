// The govmomi simulator built from the lab's test/lab/vcsim/main.go, for tests outside the lab.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child-process.js';
import { freePort } from './ports.js';

const GOPATH = '/usr/share/gocode';
/** Where test/lab/lib.sh keeps the simulator it builds (CACHE). */
const LAB_CACHE = '/var/cache/nopesight-lab';
const MAIN_GO = new URL('../lab/vcsim/main.go', import.meta.url).pathname;

/**
 * The lab's cached simulator for the current main.go (lab.sh builds it into
 * /var/cache/nopesight-lab), else one built into the temp dir (~30 s once); null without Go and
 * govmomi. Flags: -listen HOST:PORT, -username/-password, -cert/-key, -esx. It prints
 * `vcsim: serving https://HOST:PORT/sdk` once it listens.
 */
export function vcsimBinary(): string | null {
  if (!existsSync(MAIN_GO)) return null;
  const sum = createHash('sha256').update(readFileSync(MAIN_GO)).digest('hex');
  for (const dir of [LAB_CACHE, join(tmpdir(), 'nopesight-vcsim')]) {
    const bin = join(dir, `vcsim-${sum}`);
    if (existsSync(bin)) return bin;
  }
  if (!existsSync(join(GOPATH, 'src/github.com/vmware/govmomi/simulator'))) return null;
  // As root, build straight into the lab's cache so lab.sh reuses it (same name, same source).
  const out = process.getuid?.() === 0 ? LAB_CACHE : join(tmpdir(), 'nopesight-vcsim');
  mkdirSync(out, { recursive: true });
  const tmp = join(out, `build-${process.pid}`);
  try {
    execFileSync('go', ['build', '-o', tmp, MAIN_GO], {
      env: {
        ...process.env,
        GOPATH,
        GO111MODULE: 'off',
        GOCACHE: join(out, 'go-build'),
        GOFLAGS: '',
      },
      stdio: 'ignore',
      timeout: 300_000,
    });
  } catch {
    return null;
  }
  renameSync(tmp, join(out, `vcsim-${sum}`));
  return join(out, `vcsim-${sum}`);
}

/** Re-exported for the simulator's users, which need a port for it. */
export { freePort };

/** The simulator's own count of its inventory (govmomi Model.Count(), printed at start). */
export interface VcsimModelCount {
  Datacenter: number;
  Portgroup: number;
  Host: number;
  Cluster: number;
  Pool: number;
  Datastore: number;
  Machine: number;
  Folder: number;
  App: number;
  OpaqueNetwork: number;
}

export interface RunningVcsim {
  port: number;
  pid: number;
  child: ChildProcess;
  /** What the simulator says it created (its `vcsim: model {…}` line). */
  model: VcsimModelCount;
}

/**
 * Starts `bin` on 127.0.0.1 (a free port) with `flags` and waits for it to serve; the caller
 * stops it with stopChild(child). Rejects when it exits first or is not serving in `timeoutMs`.
 */
export async function startVcsim(
  bin: string,
  flags: readonly string[],
  timeoutMs = 120_000,
): Promise<RunningVcsim> {
  const port = await freePort();
  const child = spawn(bin, ['-listen', `127.0.0.1:${port}`, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`vcsim not serving after ${timeoutMs}ms: ${seen}`)),
        timeoutMs,
      );
      child.stdout?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/serving https:/.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.resume();
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`vcsim exited (${code}): ${seen}`));
      });
    });
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  const line = /vcsim: model (\{.*\})/.exec(seen)?.[1];
  if (!line) {
    await stopChild(child);
    throw new Error(`vcsim printed no model line: ${seen}`);
  }
  return { port, pid: child.pid ?? 0, child, model: JSON.parse(line) as VcsimModelCount };
}
