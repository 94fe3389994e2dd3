import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatProgress, ProgressLine } from './progress.js';

const p = { swept: 500, expected: 1000, alive: 20, collected: 10, elapsedMs: 5000 };

test('formatProgress shows swept, alive, collected, rate and ETA', () => {
  const line = formatProgress(p);
  assert.match(line, /500\/1000 swept/);
  assert.match(line, /20 alive/);
  assert.match(line, /10 collected/);
  assert.match(line, /100\/s/);
  assert.match(line, /ETA 0:05/);
  assert.match(line, /^\[#{10}-{10}\] 50%/);
});

test('formatDuration formats hours', () => {
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(61_000), '1:01');
});

test('ProgressLine writes nothing when the stream is not a terminal', () => {
  const chunks: string[] = [];
  const line = new ProgressLine({ write: (c: string) => chunks.push(c), isTTY: false });
  line.update(p, 1000);
  line.finish();
  assert.deepEqual(chunks, []);
});

test('ProgressLine redraws on a terminal with escape codes and throttles', () => {
  const chunks: string[] = [];
  const line = new ProgressLine({
    write: (c: string) => chunks.push(c),
    isTTY: true,
    columns: 120,
  });
  line.update(p, 1000);
  line.update({ ...p, swept: 501 }, 1010);
  assert.equal(chunks.length, 1);
  assert.ok(chunks[0]!.startsWith('\r\x1b[2K'));
  line.finish();
  assert.match(chunks.at(-2)!, /501\/1000/);
  assert.equal(chunks.at(-1), '\n');
});
