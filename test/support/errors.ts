// Assertions on the agent's errors shared by tests: stable codes, and no secret anywhere in them.
import assert from 'node:assert/strict';
import { ScannerError } from '../../packages/agent/src/errors.js';

/** Everything an error could show: messages, stacks and own properties along its cause chain. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 10 && e !== undefined && e !== null; i++) {
    if (e instanceof Error) {
      parts.push(e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify({ ...e }));
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join('\n');
}

/** Fails when any of `secrets` appears anywhere in `err` (see errorText). */
export function assertNoSecrets(err: unknown, secrets: readonly string[]): void {
  const text = errorText(err);
  for (const s of secrets) assert.ok(!text.includes(s), `secret leaked in: ${text}`);
}

/** Awaits a rejection with a ScannerError of `code` that carries none of `secrets`. */
export async function rejectsWithCode(
  p: Promise<unknown>,
  code: string,
  secrets: readonly string[] = [],
): Promise<ScannerError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ScannerError, `not a ScannerError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assertNoSecrets(err, secrets);
  return err;
}

/** An `assert.rejects`/`assert.throws` predicate: a ScannerError of `code`, message matching. */
export function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ScannerError, `expected a ScannerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

/** A probe context with a live signal and `timeoutMs` (3 s by default). */
export const probeCtx = (timeoutMs = 3000): { signal: AbortSignal; timeoutMs: number } => ({
  signal: new AbortController().signal,
  timeoutMs,
});
