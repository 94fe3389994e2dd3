// Tests for the capped @file reader against real temporary files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../errors.js';
import { parseTargets } from './parse-targets.js';
import { formatSpec } from './spec.js';
import { readTargetFile } from './target-file.js';

const dir = mkdtempSync(join(tmpdir(), 'nopesight-targets-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

test('readTargetFile reads UTF-8 text and drops a BOM', () => {
  const path = file('bom.txt', '\ufeff10.0.0.1\n# é comment\n');
  assert.equal(readTargetFile(path), '10.0.0.1\n# é comment\n');
  assert.deepEqual(parseTargets([`@${path}`]).map(formatSpec), ['10.0.0.1']);
});

test('readTargetFile reads a file exactly at the cap', () => {
  const path = file('exact.txt', 'a'.repeat(100));
  assert.equal(readTargetFile(path, 100).length, 100);
});

const failures: [string, () => string, string][] = [
  ['a missing file', () => join(dir, 'missing.txt'), 'missing.txt: no such file'],
  ['a directory', () => dir, 'is a directory'],
  [
    'a file over the cap',
    () => file('big.txt', 'a'.repeat(101)),
    'big.txt is larger than 100 bytes',
  ],
  [
    'bytes that are not UTF-8',
    () => file('latin1.txt', Buffer.from([0x31, 0xe9, 0x0a])),
    'is not UTF-8',
  ],
];
for (const [name, makePath, want] of failures) {
  test(`readTargetFile rejects ${name}, naming the file`, () => {
    const path = makePath();
    assert.throws(
      () => readTargetFile(path, 100),
      (err: unknown) => {
        assert.ok(hasCode(err, 'ERR_TARGET_INVALID'));
        assert.ok((err as Error).message.includes(want), (err as Error).message);
        return true;
      },
    );
  });
}

test(
  'readTargetFile stops reading an endless device at the cap',
  { skip: process.platform === 'win32' },
  () => {
    assert.throws(
      () => readTargetFile('/dev/zero', 1000),
      (err: unknown) => (err as Error).message.includes('larger than 1,000 bytes'),
    );
  },
);
