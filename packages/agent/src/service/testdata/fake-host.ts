// A service host for tests: records every step it is asked to do and changes nothing.
import type { RunResult, ServiceHost } from '../manager.js';

/** A host that records every call and answers commands from `answers` (exit 0 otherwise). */
export function fakeHost(
  over: Partial<Pick<ServiceHost, 'platform' | 'isRoot' | 'systemdRunning'>> = {},
  answers: (argv: string[]) => Partial<RunResult> = () => ({}),
): ServiceHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    platform: 'linux',
    isRoot: true,
    systemdRunning: true,
    ...over,
    calls,
    run: async (argv) => {
      calls.push(`run ${argv.join(' ')}`);
      return { code: 0, stdout: '', stderr: '', ...answers(argv) };
    },
    writeFile: async (path, _text, mode) => void calls.push(`write ${path} ${mode.toString(8)}`),
    removeFile: async (path) => void calls.push(`remove ${path}`),
    ensureDataDir: async (path) => void calls.push(`data-dir ${path}`),
    copyFile: async (from, to) => void calls.push(`copy ${from} ${to}`),
  };
}
