// An in-memory CliIo for driving the CLI in tests: captured stdout/stderr, given stdin and env.
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../packages/agent/src/cli/io.js';

export interface TestIo extends CliIo {
  out(): string;
  err(): string;
  abort(): void;
}

export function testIo(
  opts: { env?: NodeJS.ProcessEnv; stdin?: string; tty?: boolean } = {},
): TestIo {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (opts.tty) {
    stdout.isTTY = true;
    stderr.isTTY = true;
    stderr.columns = 120;
  }
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  const controller = new AbortController();
  return {
    stdout,
    stderr,
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    env: opts.env ?? {},
    signal: controller.signal,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
    abort: () => controller.abort(),
  };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the real CLI (`main`) with `args` on the data directory `dataDir`; `stdin`, when given,
 * is sent as JSON (what `--stdin` reads).
 * @example const r = await runCli(dir, ['credentials', 'list']); // r.code, r.out, r.err
 */
export async function runCli(dataDir: string, args: string[], stdin?: object): Promise<CliRun> {
  const { main } = await import('../../packages/agent/src/cli/main.js');
  const io = testIo({
    env: { NOPESIGHT_DATA_DIR: dataDir },
    ...(stdin ? { stdin: JSON.stringify(stdin) } : {}),
  });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}
