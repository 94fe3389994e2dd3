// Tests for size-based log rotation: numbering, the number of files kept, appending on reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFile } from './rotating-file.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ns-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('RotatingFile rotates at maxBytes and keeps maxFiles old files', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'agent.log');
    const file = new RotatingFile(path, { maxBytes: 100, maxFiles: 3 });
    const line = (i: number) => `${String(i).padStart(3, '0')} ${'x'.repeat(45)}\n`; // 50 bytes
    for (let i = 0; i < 12; i++) file.write(line(i));
    file.close();
    assert.deepEqual((await readdir(dir)).sort(), [
      'agent.log',
      'agent.log.1',
      'agent.log.2',
      'agent.log.3',
    ]);
    assert.equal(await readFile(path, 'utf8'), line(10) + line(11));
    assert.equal(await readFile(`${path}.1`, 'utf8'), line(8) + line(9));
    assert.equal(await readFile(`${path}.3`, 'utf8'), line(4) + line(5));
  });
});

test('RotatingFile appends to an existing file and counts its size', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'app.log');
    await writeFile(path, 'a'.repeat(90));
    const file = new RotatingFile(path, { maxBytes: 100, maxFiles: 1 });
    file.write('b'.repeat(20) + '\n');
    file.write('c'.repeat(200) + '\n');
    file.write('d\n');
    file.close();
    assert.equal(await readFile(`${path}.1`, 'utf8'), 'c'.repeat(200) + '\n');
    assert.equal(await readFile(path, 'utf8'), 'd\n');
    assert.deepEqual((await readdir(dir)).sort(), ['app.log', 'app.log.1']);
  });
});
