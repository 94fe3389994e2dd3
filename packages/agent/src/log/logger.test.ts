// Tests for the five log files: JSON lines, levels, child fields, redaction on disk, write failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFiles, LOG_NAMES } from './logger.js';
import { REDACTED } from './redact.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ns-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('LogFiles writes JSON lines to the five files with child fields, no secret reaching disk', async () => {
  await withDir(async (dir) => {
    const logs = new LogFiles(dir, {
      level: 'info',
      maxBytes: 1 << 20,
      maxFiles: 5,
      now: () => new Date('2026-01-02T03:04:05.000Z'),
    });
    logs.secrets.add('TopSecret99');
    const agent = logs.logger('agent').child({ collector: 'ssh', target: '10.0.0.5' });
    agent.debug('not written at info');
    agent.info('trying TopSecret99', { attempt: 1, password: 'TopSecret99', msg: 'shadow' });
    agent.child({ phase: 'login' }).error('failed', { err: new Error('bad TopSecret99') });
    for (const name of LOG_NAMES.filter((n) => n !== 'agent'))
      logs.logger(name).warn(`hello ${name}`);
    logs.close();

    const lines = (await readFile(join(dir, 'agent.log'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]!);
    assert.deepEqual(first, {
      ts: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: `trying ${REDACTED}`,
      collector: 'ssh',
      target: '10.0.0.5',
      attempt: 1,
      password: REDACTED,
      'field.msg': 'shadow',
    });
    const second = JSON.parse(lines[1]!);
    assert.equal(second.phase, 'login');
    assert.equal(second.err.message, `bad ${REDACTED}`);
    for (const name of LOG_NAMES) {
      const text = await readFile(join(dir, `${name}.log`), 'utf8');
      assert.equal(text.includes('TopSecret99'), false, name);
      if (name !== 'agent') assert.match(text, new RegExp(`hello ${name}`));
    }
  });
});

test('LogFiles reports a write failure instead of throwing', async () => {
  await withDir(async (dir) => {
    const errors: string[] = [];
    const logs = new LogFiles(join(dir, 'missing-dir'), {
      level: 'info',
      maxBytes: 1000,
      maxFiles: 1,
      onError: (_err, file) => errors.push(file),
    });
    logs.logger('service').info('x');
    assert.deepEqual(errors, [join(dir, 'missing-dir', 'service.log')]);
  });
});
