// Stops a test's child process by PID and waits until it has really gone, so a test never
// removes a directory the child is still writing to (snmpd saves its persistent state on exit).
import type { ChildProcess } from 'node:child_process';

/**
 * Sends SIGTERM (to the process group when `group` is set), waits up to `graceMs` for the
 * exit, then SIGKILLs and waits once more. Resolves at once when the child has already exited.
 */
export async function stopChild(
  child: ChildProcess | null | undefined,
  { group = false, graceMs = 5000 }: { group?: boolean; graceMs?: number } = {},
): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const pid = group ? -child.pid : child.pid;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  const waitFor = (ms: number): Promise<boolean> =>
    Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  if (await waitFor(graceMs)) return;
  signal('SIGKILL');
  await waitFor(graceMs);
}
